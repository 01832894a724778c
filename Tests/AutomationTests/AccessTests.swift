import Foundation
import Testing

@testable import Automation

@Suite("Tenants, roles and tokens")
struct AccessTests {
    @Test("another tenant's action is notFound, by id and by name, for reads and writes")
    func tenantIsolation() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let service = fixture.service
        let references: [ActionReference] = [.id(action.id), .name("daily-report", namespace: "production")]
        for reference in references {
            let get = await expectAutomationError { () async throws(AutomationError) in
                try await service.action(reference, as: otherTenantAdmin)
            }
            #expect(get?.code == .notFound)
            let pause = await expectAutomationError { () async throws(AutomationError) in
                try await service.pauseAction(reference, as: otherTenantAdmin)
            }
            #expect(pause?.code == .notFound)
            let delete = await expectAutomationError { () async throws(AutomationError) in
                try await service.deleteAction(reference, as: otherTenantAdmin)
            }
            #expect(delete?.code == .notFound)
            let trigger = await expectAutomationError { () async throws(AutomationError) in
                try await service.triggerManually(reference, as: otherTenantAdmin)
            }
            #expect(trigger?.code == .notFound)
            let history = await expectAutomationError { () async throws(AutomationError) in
                try await service.history(of: reference, as: otherTenantAdmin)
            }
            #expect(history?.code == .notFound)
        }
        let list = try await service.listActions(namespace: "production", as: otherTenantAdmin)
        #expect(list.items.isEmpty)
        // The other tenant may use the same name in the same namespace.
        let theirs = try await fixture.createDailyReport(as: otherTenantAdmin)
        #expect(theirs.tenantId == "globex")
        let still = try await service.action(.id(action.id), as: admin)
        #expect(still.status == .active && still.tenantId == "acme")
    }

    @Test("only an admin deletes; members create, update and pause")
    func roles() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport(as: member)
        let changed = try await fixture.service.updateAction(.id(action.id), UpdateActionRequest(description: "new"), as: member)
        #expect(changed.action.description == "new")
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.deleteAction(.id(action.id), as: member)
        }
        #expect(error?.code == .forbidden)
        #expect(error?.code.httpStatus == 403)
        let bulk = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.bulk(.delete, actionIds: [action.id], as: member)
        }
        #expect(bulk?.code == .forbidden)
        _ = try await fixture.service.action(.id(action.id), as: member)
        try await fixture.service.deleteAction(.id(action.id), as: admin)
        let gone = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.action(.id(action.id), as: admin)
        }
        #expect(gone?.code == .notFound)
    }

    @Test("bulk operations report per action")
    func bulk() async throws {
        let fixture = Fixture()
        let a = try await fixture.createDailyReport(name: "a")
        let b = try await fixture.createDailyReport(name: "b")
        let foreign = try await fixture.createDailyReport(as: otherTenantAdmin, name: "c")
        let results = try await fixture.service.bulk(.pause, actionIds: [a.id, foreign.id, b.id], as: member)
        #expect(results.map(\.succeeded) == [true, false, true])
        #expect(results[1].errorCode == "notFound")
        let pausedB = try await fixture.service.action(.id(b.id), as: admin)
        #expect(pausedB.status == .paused)
        let untouched = try await fixture.service.action(.id(foreign.id), as: otherTenantAdmin)
        #expect(untouched.status == .active)
        let deleted = try await fixture.service.bulk(.delete, actionIds: [a.id, b.id], as: admin)
        #expect(deleted.allSatisfy { $0.succeeded })
        let remaining = try await fixture.service.listActions(namespace: "production", as: admin)
        #expect(remaining.items.isEmpty)
    }

    @Test("a rename onto a taken name is a conflict")
    func renameConflict() async throws {
        let fixture = Fixture()
        try await fixture.createDailyReport(name: "a")
        let b = try await fixture.createDailyReport(name: "b")
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.updateAction(.id(b.id), UpdateActionRequest(name: "a"), as: admin)
        }
        #expect(error?.code == .conflict)
    }

    @Test("a token is shown once, stored as its SHA-256, and authenticates to its tenant and role")
    func tokens() async throws {
        let fixture = Fixture()
        let service = fixture.service
        let created = try await service.bootstrap()
        #expect(created?.id == .default)
        let again = try await service.bootstrap()
        #expect(again == nil, "bootstrap happens once")
        let issued = try await service.issueToken(tenant: .default, role: .admin, name: "ops")
        #expect(TokenSecret.isWellFormed(issued.secret))
        #expect(issued.token.secretHash == TokenSecret.hash(issued.secret))
        #expect(issued.token.secretHash != issued.secret)
        #expect(!issued.description.contains(issued.secret))
        let stored = try await fixture.store.tokens(tenant: .default, page: PageRequest()).items
        #expect(stored.map(\.secretHash) == [issued.token.secretHash])
        let caller = try await service.authenticate(bearerToken: issued.secret)
        #expect(caller == Caller(tenantId: .default, role: .admin, tokenId: issued.token.id))
        for bad in ["", "sbx_", "Bearer " + issued.secret, String(issued.secret.dropLast()) + (issued.secret.hasSuffix("A") ? "B" : "A")] {
            let error = await expectAutomationError { () async throws(AutomationError) in
                try await service.authenticate(bearerToken: bad)
            }
            #expect(error?.code == .unauthorized)
        }
        let unknownTenant = await expectAutomationError { () async throws(AutomationError) in
            try await service.issueToken(tenant: "nope", role: .member)
        }
        #expect(unknownTenant?.code == .notFound)
        let memberToken = try await service.issueToken(tenant: .default, role: .member)
        let memberCaller = try await service.authenticate(bearerToken: memberToken.secret)
        let forbidden = await expectAutomationError { () async throws(AutomationError) in
            try await service.issueToken(role: .admin, as: memberCaller)
        }
        #expect(forbidden?.code == .forbidden)
    }

    @Test("two secrets differ and use the base64url alphabet")
    func secrets() {
        var generator = SystemRandomNumberGenerator()
        let a = TokenSecret.generate(using: &generator)
        let b = TokenSecret.generate()
        #expect(a != b)
        #expect(a.count == 4 + 43)
        #expect(TokenSecret.base64URL([0xfb, 0xff, 0xfe]) == "-__-")
        #expect(TokenSecret.base64URL(Array("Man".utf8)) == "TWFu")
        #expect(TokenSecret.base64URL(Array("Ma".utf8)) == "TWE")
    }

    @Test("a failing store surfaces as unavailable (503), without its text")
    func storeFailure() async throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "secret payload" } }
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        await fixture.store.failCalls(with: DiskFull())
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.action(.id(action.id), as: admin)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.code.httpStatus == 503)
        #expect(error?.description.contains("secret payload") == false)
    }
}

/// The stored hash of a token is the hex SHA-256 of its text (swift-crypto's, in our hex).
@Suite("Token hashes (FIPS 180-4 vectors)")
struct TokenHashTests {
    @Test(
        "known digests",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ])
    func vectors(input: String, digest: String) {
        #expect(TokenSecret.hash(input) == digest)
    }

    @Test("55, 56 and 64 byte inputs straddle the padding boundary")
    func paddingBoundaries() {
        // Digests from Python's hashlib.
        #expect(TokenSecret.hash(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(TokenSecret.hash(String(repeating: "a", count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(TokenSecret.hash(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
