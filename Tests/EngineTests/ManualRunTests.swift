import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import Synchronization
import Testing

/// Manual runs through the run path with a broker that answers late or refuses: a retry with the
/// same Idempotency-Key gets the first run and publishes nothing more.
@Suite("Manual runs on the run path")
struct ManualRunTests {
    /// Keeps what it is handed; answers only when told (or never).
    final class HeldPublisher: PipelinePublisher {
        private let messages = Mutex<[AMQPOutboundMessage]>([])
        var published: [AMQPOutboundMessage] { messages.withLock { $0 } }
        func publish(_ batch: [AMQPOutboundMessage]) { messages.withLock { $0 += batch } }
    }

    struct Fixture {
        let store = InMemoryAutomationStore()
        let publisher = HeldPublisher()
        let service: AutomationService
        let action: AutomatedAction
        let caller = Caller(tenantId: .default, role: .admin)

        init() async throws {
            let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
            var logger = Logger(label: "manual-run-tests")
            logger.logLevel = .critical
            let runPath = RunPath(store: store, clock: clock, configuration: RunPath.Configuration(names: BrokerNames()), logger: logger)
            service = AutomationService(
                store: store, clock: clock,
                runner: PublishingActionRunner(runPath: runPath, publisher: publisher, clock: clock, timeout: .milliseconds(50), logger: logger))
            _ = try await service.bootstrap()
            let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
                [{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}]
                """#.utf8))
            action = try await service.createAction(
                CreateActionRequest(name: "manual", actions: items), namespace: "production", as: caller).action
        }
    }

    @Test func aRetryAfterAnUnconfirmedRunGetsThatRunAndPublishesNothing() async throws {
        let fixture = try await Fixture()
        let first = await #expect(throws: AutomationError.self) {
            try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-1", as: fixture.caller)
        }
        #expect(first?.code == .unavailable, "503: not confirmed in time")
        #expect(fixture.publisher.published.count == 1)
        // The broker confirms later; the client retries with its key.
        fixture.publisher.published[0].onConfirm(.success(()))
        let retried = try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-1", as: fixture.caller)
        #expect(retried.replayed)
        #expect(fixture.publisher.published.count == 1, "nothing published twice")
        #expect(retried.processIds.map(\.description) == [fixture.publisher.published[0].properties.correlationID])
    }

    @Test func aRetryAfterARefusedRunGetsThatRunWithoutProcesses() async throws {
        let fixture = try await Fixture()
        let running = Task { try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-2", as: fixture.caller) }
        while fixture.publisher.published.isEmpty { await Task.yield() }
        fixture.publisher.published[0].onConfirm(.failure(AMQPError(.publishNacked, context: "test", reason: "nack")))
        let first = await #expect(throws: AutomationError.self) { try await running.value }
        #expect(first?.code == .unavailable)

        let retried = try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-2", as: fixture.caller)
        #expect(retried.replayed && retried.processIds.isEmpty, "the refused command started no process")
        #expect(retried.entries.map(\.outcome) == [.failed])
        #expect(retried.entries.first?.errorMessage?.hasPrefix(ExecutionHistoryEntry.NotPublished.refused) == true)
        #expect(fixture.publisher.published.count == 1)
    }
}
