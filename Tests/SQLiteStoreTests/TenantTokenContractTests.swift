import Automation
import Foundation
import Testing

/// Tenants and tokens, against both stores.
@Suite("Contract: tenants and tokens")
struct TenantTokenContractTests {
    @Test(arguments: StoreKind.allCases)
    func tenantsAreUniqueAndListedById(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertTenant(Tenant(id: globex, name: "Globex", dateCreated: at(5)))
            try await store.insertTenant(Tenant(id: acme, name: "Acme", dateCreated: at(9)))
            let duplicate = await automationError { try await store.insertTenant(Tenant(id: acme, name: "Again", dateCreated: at(10))) }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.field == "tenantId")

            #expect(try await store.tenants().map(\.id) == [acme, globex])
            #expect(try await store.tenant(id: acme) == Tenant(id: acme, name: "Acme", dateCreated: at(9)))
            #expect(try await store.tenant(id: "nobody") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func tokensAreFoundByHashAndScopedToTheirTenant(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let orphan = APIToken(tenantId: "nobody", role: .admin, secretHash: "00", dateCreated: at(0))
            let missingTenant = await automationError { try await store.insertToken(orphan) }
            #expect(missingTenant?.code == .notFound)

            try await store.insertTenant(Tenant(id: acme, name: "Acme", dateCreated: at(0)))
            try await store.insertTenant(Tenant(id: globex, name: "Globex", dateCreated: at(0)))
            let second = APIToken(tenantId: acme, role: .member, name: "ci", secretHash: "bb", dateCreated: at(20))
            let first = APIToken(tenantId: acme, role: .admin, name: nil, secretHash: "aa", dateCreated: at(10))
            let theirs = APIToken(tenantId: globex, role: .admin, secretHash: "cc", dateCreated: at(5))
            for token in [second, first, theirs] { try await store.insertToken(token) }

            #expect(try await store.token(secretHash: "bb") == second)
            #expect(try await store.token(secretHash: "aa") == first)
            #expect(try await store.token(secretHash: "zz") == nil)
            #expect(try await store.tokens(tenant: acme, page: PageRequest()).items == [first, second])

            let sameHash = APIToken(tenantId: globex, role: .member, secretHash: "aa", dateCreated: at(30))
            #expect(await automationError { try await store.insertToken(sameHash) }?.code == .conflict)
            var sameID = second
            sameID.secretHash = "dd"
            #expect(await automationError { try await store.insertToken(sameID) }?.code == .conflict)

            #expect(try await store.deleteToken(id: first.id, tenant: globex) == false)
            #expect(try await store.token(secretHash: "aa") == first)
            #expect(try await store.deleteToken(id: first.id, tenant: acme) == true)
            #expect(try await store.token(secretHash: "aa") == nil)
            #expect(try await store.deleteToken(id: first.id, tenant: acme) == false)
            #expect(try await store.tokens(tenant: acme, page: PageRequest()).items == [second])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func tokensArePagedWithACursorInCreationOrder(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertTenant(Tenant(id: acme, name: "Acme", dateCreated: at(0)))
            // Two created in the same second: the id breaks the tie, on both stores alike.
            let tokens = (0..<7).map { APIToken(tenantId: acme, role: .member, secretHash: "h\($0)", dateCreated: at($0 / 2)) }
            for token in tokens.shuffled() { try await store.insertToken(token) }
            let expected = tokens.sorted { ($0.dateCreated, $0.id) < ($1.dateCreated, $1.id) }

            var seen: [APIToken] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await store.tokens(tenant: acme, page: PageRequest(limit: 3, cursor: cursor))
                #expect(page.items.count <= 3)
                seen += page.items
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == expected)
            #expect(pages == 3, "3 + 3 + 1")
            let exact = try await store.tokens(tenant: acme, page: PageRequest(limit: 7))
            #expect(exact.items.count == 7 && exact.nextCursor == nil, "no cursor when nothing follows")
            let bad = await automationError { _ = try await store.tokens(tenant: acme, page: PageRequest(cursor: "not-a-cursor")) }
            #expect(bad?.code == .invalidInput && bad?.field == "cursor")
        }
    }
}
