import AMQPClient
import Automation
import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// `events.tenantSource: userId` against the real broker and a real SQLite file, with two broker
/// users (created by `scripts/lib/broker.sh`): the broker vouches for the AMQP `user-id`, so a
/// publisher reaches only its own tenant's runs, whatever its body claims.
@Suite("Tenants on the bus")
struct TenantBrokerTests {
    static let environment = ProcessInfo.processInfo.environment
    static let urlA = environment["SIGNALBOX_TEST_AMQP_URL_TENANT_A"]
    static let urlB = environment["SIGNALBOX_TEST_AMQP_URL_TENANT_B"]
    static let isCI = environment["CI"] == "true"
    static let tenantA: TenantID = "tenant-a"
    static let tenantB: TenantID = "tenant-b"

    /// One broker user's connection, publishing events as itself.
    struct Publisher {
        let user: String
        let connection: AMQPConnection
        let exchange: String

        init(url: String, exchange: String) async throws {
            let configuration = try AMQPConfiguration.testBroker(url, name: "tenant-tests-\(try AMQPConfiguration(url: url).user)")
            user = configuration.user
            connection = try await AMQPConnection.connect(configuration, logger: PipelineHarness.logger)
            self.exchange = exchange
        }

        /// Publishes `body` with `user-id` = `userID` (its own user unless told otherwise).
        func publish(_ body: String, messageID: String, userID: String? = nil) async throws {
            try await connection.publish(
                Array(body.utf8), exchange: exchange, routingKey: "AppProcessUpdated",
                properties: AMQPProperties(contentType: "application/json", messageID: messageID, userID: userID ?? user))
        }
    }

    static func event(id: String, tenant: TenantID, processId: String = UUID().uuidString.lowercased(), appId: String = "data-import-app-id") -> String {
        #"{"type":"AppProcessUpdated","id":"\#(id)","tenantId":"\#(tenant)","namespace":"production","item":{"id":"\#(processId)","appId":"\#(appId)","status":"Finished"}}"#
    }

    @Test(.enabled(
        if: (urlA != nil && urlB != nil) || isCI,
        "needs SIGNALBOX_TEST_AMQP_URL_TENANT_A and _B: two broker users, created by scripts/lib/broker.sh"))
    func aBrokerUserNeitherStartsNorCompletesAnotherTenantsRuns() async throws {
        guard let urlA = Self.urlA, let urlB = Self.urlB else {
            Issue.record("CI: SIGNALBOX_TEST_AMQP_URL_TENANT_A or _B is missing (scripts/test.sh exports them)")
            return
        }
        let userA = try AMQPConfiguration(url: urlA).user
        let userB = try AMQPConfiguration(url: urlB).user
        let harness = try await PipelineHarness(tenancy: .userID([userA: Self.tenantA, userB: Self.tenantB]))
        let a = try await Publisher(url: urlA, exchange: harness.names.eventsExchange)
        let b = try await Publisher(url: urlB, exchange: harness.names.eventsExchange)
        let callerA = Caller(tenantId: Self.tenantA, role: .admin)
        let callerB = Caller(tenantId: Self.tenantB, role: .admin)
        // The same action, with the same trigger, in both tenants.
        var actions: [TenantID: AutomatedAction] = [:]
        for caller in [callerA, callerB] {
            _ = try await harness.service.createTenant(caller.tenantId)
            actions[caller.tenantId] = try await PipelineHarness.createDailyReport(with: harness.service, caller: caller)
        }
        let actionA = try #require(actions[Self.tenantA]), actionB = try #require(actions[Self.tenantB])
        func history(_ action: AutomatedAction, _ caller: Caller) async throws -> [ExecutionHistoryEntry] {
            try await harness.service.history(of: .id(action.id), page: PageRequest(limit: 100), as: caller).items
        }
        // The service told the trigger index of both actions; wait until it holds both triggers.
        #expect(await eventually { harness.triggers.current.count == 2 })

        // A's event claims tenant B in its body: it runs A's action, never B's.
        try await a.publish(Self.event(id: "a-claims-b", tenant: Self.tenantB), messageID: "a-claims-b")
        #expect(await eventually { harness.commands.all.count == 1 })
        #expect(try await history(actionA, callerA).map(\.sourceEventId) == ["a-claims-b"])
        #expect(try await history(actionB, callerB).isEmpty)

        // The same event from B runs B's action.
        try await b.publish(Self.event(id: "b-event", tenant: Self.tenantB), messageID: "b-event")
        #expect(await eventually { harness.commands.all.count == 2 })
        let runB = try #require(try await history(actionB, callerB).first)
        #expect(runB.sourceEventId == "b-event" && runB.outcome == .pending)

        // A reports B's process as finished: B's run stays Pending. Checked once the forged
        // completion was acked (its transaction committed), with A's next event behind it.
        let forgedCompletion = Self.event(id: "a-completes-b", tenant: Self.tenantB, processId: runB.processId.description, appId: "report-generator")
        try await a.publish(forgedCompletion, messageID: "a-completes-b")
        try await a.publish(Self.event(id: "a-marker", tenant: Self.tenantA), messageID: "a-marker")
        #expect(await eventually { harness.commands.all.count == 3 && harness.counters.snapshot.acked == 4 })
        #expect(try await history(actionB, callerB).first?.outcome == .pending)
        #expect(try await harness.service.action(.id(actionB.id), as: callerB).totalExecutions == 0)

        // B's own completion of it closes it.
        let completion = Self.event(id: "b-completes-b", tenant: Self.tenantB, processId: runB.processId.description, appId: "report-generator")
        try await b.publish(completion, messageID: "b-completes-b")
        #expect(try await eventually { try await history(actionB, callerB).first?.outcome == .success })
        #expect(try await harness.service.action(.id(actionB.id), as: callerB).totalExecutions == 1)
        #expect(try await harness.service.action(.id(actionA.id), as: callerA).totalExecutions == 0)

        // Deliveries without a mapped user are poison, dead-lettered with the reason: no user-id
        // at all, and a user (guest) the map does not name. Neither falls back to a tenant.
        try await harness.publishEvent(Self.event(id: "no-user", tenant: Self.tenantB), messageID: "no-user")
        try await harness.client.publish(
            Array(Self.event(id: "guest-user", tenant: Self.tenantB).utf8), exchange: harness.names.eventsExchange,
            routingKey: "AppProcessUpdated", properties: AMQPProperties(messageID: "guest-user", userID: "guest"))
        #expect(await eventually { harness.deadLetters.all.count == 2 })
        let reasons = Dictionary(uniqueKeysWithValues: harness.deadLetters.all.compactMap { delivery -> (String, String)? in
            guard let id = delivery.properties.messageID, case .string(let reason) = delivery.properties.headers["x-signalbox-reason"] else {
                return nil
            }
            return (id, reason)
        })
        #expect(reasons["no-user"]?.hasPrefix("missingUserID: ") == true, "\(reasons)")
        #expect(reasons["guest-user"]?.hasPrefix("unknownUser: ") == true && reasons["guest-user"]?.contains("\"guest\"") == true, "\(reasons)")
        #expect(harness.deadLetters.all.allSatisfy { $0.properties.headers["x-signalbox-stage"] == .string("event") })

        // A cannot pose as B: the broker refuses a user-id that is not the connection's user
        // and closes the publishing channel (406 PRECONDITION_FAILED); the client reopens it.
        var refusal: AMQPError?
        do {
            try await a.publish(Self.event(id: "a-as-b", tenant: Self.tenantB), messageID: "a-as-b", userID: userB)
        } catch {
            refusal = error as? AMQPError
        }
        #expect(refusal?.code == .channelClosed, "\(String(describing: refusal))")
        #expect(refusal?.replyCode == 406)
        #expect(refusal?.reason.contains("PRECONDITION_FAILED") == true, "\(String(describing: refusal))")
        try await a.publish(Self.event(id: "a-after-refusal", tenant: Self.tenantA), messageID: "a-after-refusal")
        #expect(await eventually { harness.commands.all.count == 4 })
        #expect(try await history(actionB, callerB).map(\.sourceEventId) == ["b-event"], "the forged event reached nobody")
        #expect(try await history(actionA, callerA).map(\.sourceEventId).sorted() == ["a-after-refusal", "a-claims-b", "a-marker"])

        await a.connection.close()
        await b.connection.close()
        try await harness.shutDown()
    }
}
