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
    /// Keeps what it is handed; answers only when told (or never). Reachable unless told.
    final class HeldPublisher: PipelinePublisher {
        private let messages = Mutex<[AMQPOutboundMessage]>([])
        private let broker = Mutex(BrokerReachability.reachable)
        var published: [AMQPOutboundMessage] { messages.withLock { $0 } }
        func publish(_ batch: [AMQPOutboundMessage]) { messages.withLock { $0 += batch } }
        var reachability: BrokerReachability {
            get { broker.withLock { $0 } }
            set { broker.withLock { $0 = newValue } }
        }
    }

    struct Fixture {
        let store = InMemoryAutomationStore()
        let publisher = HeldPublisher()
        let service: AutomationService
        let action: AutomatedAction
        let caller = Caller(tenantId: .default, role: .admin)

        init(brokerWait: Duration = .milliseconds(300), maximumWaiting: Int = 1_000) async throws {
            let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
            var logger = Logger(label: "manual-run-tests")
            logger.logLevel = .critical
            let runPath = RunPath(store: store, clock: clock, configuration: RunPath.Configuration(names: BrokerNames()), logger: logger)
            service = AutomationService(
                store: store, clock: clock,
                runner: PublishingActionRunner(
                    runPath: runPath, publisher: publisher, clock: clock, timeout: .milliseconds(50),
                    gate: BrokerGate(publisher: publisher, wait: brokerWait, maximumWaiting: maximumWaiting, pollInterval: .milliseconds(10)),
                    logger: logger))
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

    @Test func aRefusedRunFailsItsCommandsEntriesNotThoseOfItsHTTPRequests() async throws {
        let fixture = try await Fixture()
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}},
             {"name": "Notify", "config": {"$type": "webhook", "url": "https://hooks.example.com/done"}}]
            """#.utf8))
        let action = try await fixture.service.createAction(
            CreateActionRequest(name: "mixed", actions: items), namespace: "production", as: fixture.caller).action
        let running = Task { try await fixture.service.triggerManually(.id(action.id), as: fixture.caller) }
        while fixture.publisher.published.isEmpty { await Task.yield() }
        fixture.publisher.published[0].onConfirm(.failure(AMQPError(.publishNacked, context: "test", reason: "nack")))
        _ = await #expect(throws: AutomationError.self) { try await running.value }
        let history = try await fixture.store.history(actionId: action.id, page: PageRequest()).items
        #expect(history.first { $0.processType == .app }?.outcome == .failed, "its command was refused")
        #expect(history.first { $0.processType == .webhook }?.outcome == .pending, "its request went to the sender, which closes it")
        #expect(try await fixture.store.pendingHTTPRequests().count == 1)
    }

    /// A webhook on the fixture's action, and the target a call to it carries.
    func webhookTarget(_ fixture: Fixture) async throws -> WebhookTarget {
        let created = try await fixture.service.addWebhook(AddWebhookRequest(name: "hook"), to: .id(fixture.action.id), as: fixture.caller)
        return try await fixture.service.webhookTarget(created.webhook.id)
    }

    @Test func aWebhookRetryIsAnsweredWithTheConfirmedRunAndPublishesNothing() async throws {
        let fixture = try await Fixture()
        let target = try await webhookTarget(fixture)
        let call = WebhookCall(messageID: "msg_1", body: Array(#"{"n": 1}"#.utf8))
        let first = Task { try await fixture.service.receiveWebhook(call, for: target) }
        while fixture.publisher.published.isEmpty { await Task.yield() }
        fixture.publisher.published[0].onConfirm(.success(()))
        let started = try await first.value
        #expect(started.outcome == .started && started.processIds.count == 1)

        let retried = try await fixture.service.receiveWebhook(call, for: target)
        #expect(retried.outcome == .replayed && retried.runId == started.runId)
        #expect(retried.processIds == started.processIds)
        #expect(fixture.publisher.published.count == 1, "nothing published again")
    }

    @Test func aWebhookThatDelaysStoresOneRunPerCallAndOneThatCancelsCancelsByKey() async throws {
        let fixture = try await Fixture()
        let delaying = try await fixture.service.addWebhook(
            AddWebhookRequest(name: "alert", delay: TriggerDelay(seconds: 600, keyFromEvent: "$.payload.alert")), to: .id(fixture.action.id),
            as: fixture.caller)
        #expect(delaying.webhook.delay?.seconds == 600)
        let cancelling = try await fixture.service.addWebhook(
            AddWebhookRequest(name: "ack", cancels: TriggerCancellation(keyFromEvent: "$.payload.alert")), to: .id(fixture.action.id),
            as: fixture.caller)
        let alert = WebhookCall(messageID: "msg_a", body: Array(#"{"alert": "db-2"}"#.utf8))
        let scheduled = try await fixture.service.receiveWebhook(alert, for: try await fixture.service.webhookTarget(delaying.webhook.id))
        #expect(scheduled.outcome == .scheduled && scheduled.scheduledFor != nil && fixture.publisher.published.isEmpty)
        let retried = try await fixture.service.receiveWebhook(alert, for: try await fixture.service.webhookTarget(delaying.webhook.id))
        #expect(retried.runId == scheduled.runId, "a retried call finds the run it stored")
        let runs = try await fixture.service.delayedRuns(of: .id(fixture.action.id), as: fixture.caller).items
        #expect(runs.count == 1 && runs[0].key == "db-2" && runs[0].payload?["payload"] == ["alert": "db-2"])

        let ack = WebhookCall(messageID: "msg_b", body: Array(#"{"alert": "db-2"}"#.utf8))
        let cancelled = try await fixture.service.receiveWebhook(ack, for: try await fixture.service.webhookTarget(cancelling.webhook.id))
        #expect(cancelled.outcome == .cancelled && cancelled.cancelledRuns == [runs[0].id])
        #expect(try await fixture.service.delayedRun(runs[0].id, of: .id(fixture.action.id), as: fixture.caller).status == .cancelled)
    }

    @Test func aWebhookRetryAfterARefusedRunRunsItAgain() async throws {
        let fixture = try await Fixture()
        let target = try await webhookTarget(fixture)
        let call = WebhookCall(messageID: "msg_2", body: Array("{}".utf8))
        let first = Task { try await fixture.service.receiveWebhook(call, for: target) }
        while fixture.publisher.published.isEmpty { await Task.yield() }
        fixture.publisher.published[0].onConfirm(.failure(AMQPError(.publishNacked, context: "test", reason: "nack")))
        let refused = await #expect(throws: AutomationError.self) { try await first.value }
        #expect(refused?.code == .unavailable, "503: the sender retries")
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest()).items.isEmpty,
                "the refused run is forgotten, not answered later as done")

        // The sender's retry records and publishes the run anew, with the same ids.
        let second = Task { try await fixture.service.receiveWebhook(call, for: target) }
        while fixture.publisher.published.count < 2 { await Task.yield() }
        fixture.publisher.published[1].onConfirm(.success(()))
        let retried = try await second.value
        #expect(retried.outcome == .started && retried.processIds.count == 1)
        #expect(fixture.publisher.published[1].properties.messageID == fixture.publisher.published[0].properties.messageID)
    }

    @Test func concurrentCallsEachGetTheirOwnRun() async throws {
        let fixture = try await Fixture()
        let target = try await webhookTarget(fixture)
        let calls = (0..<20).map { WebhookCall(messageID: "msg_c\($0)", body: Array("{}".utf8)) }
        let answering = Task {
            // Confirms what is published, as a broker would.
            var confirmed = 0
            while confirmed < calls.count {
                let published = fixture.publisher.published
                for message in published[confirmed...] { message.onConfirm(.success(())) }
                confirmed = published.count
                await Task.yield()
            }
        }
        let receipts = try await withThrowingTaskGroup(of: WebhookReceipt.self) { group in
            for call in calls { group.addTask { try await fixture.service.receiveWebhook(call, for: target) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        await answering.value
        #expect(receipts.allSatisfy { $0.outcome == .started && $0.processIds.count == 1 })
        #expect(Set(receipts.flatMap(\.processIds)).count == calls.count, "one process per call")
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest()).items.count == calls.count)
    }

    // MARK: The broker away

    /// Confirms whatever is published, as a broker would, until cancelled.
    func confirmingAll(_ publisher: HeldPublisher) -> Task<Void, Never> {
        Task {
            var confirmed = 0
            while !Task.isCancelled {
                let published = publisher.published
                for message in published[confirmed...] { message.onConfirm(.success(())) }
                confirmed = published.count
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    @Test func whileTheBrokerIsAwayARunIsRefusedAfterItsWaitWithNothingRecordedOrQueued() async throws {
        let fixture = try await Fixture(brokerWait: .milliseconds(300))
        fixture.publisher.reachability = .unreachable(reason: "connection refused")
        let started = ContinuousClock.now
        let refused = await #expect(throws: AutomationError.self) {
            try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-away", as: fixture.caller)
        }
        #expect(refused?.code == .unavailable)
        #expect(refused?.message.contains("broker is unreachable (connection refused)") == true, "names why: \(String(describing: refused))")
        #expect(ContinuousClock.now - started >= .milliseconds(300), "it waited for the broker first")
        #expect(fixture.publisher.published.isEmpty, "nothing queued for the broker")
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest()).items.isEmpty, "nothing recorded")

        // Back: the same key runs now, as a first run (its key was never claimed).
        fixture.publisher.reachability = .reachable
        let confirming = confirmingAll(fixture.publisher)
        defer { confirming.cancel() }
        let ran = try await fixture.service.triggerManually(.id(fixture.action.id), idempotencyKey: "k-away", as: fixture.caller)
        #expect(!ran.replayed && ran.processIds.count == 1)
    }

    @Test func aRunWaitingForTheBrokerGoesOnWhenItComesBack() async throws {
        let fixture = try await Fixture(brokerWait: .seconds(30))
        fixture.publisher.reachability = .unreachable(reason: "reconnecting")
        let confirming = confirmingAll(fixture.publisher)
        defer { confirming.cancel() }
        let running = Task { try await fixture.service.triggerManually(.id(fixture.action.id), as: fixture.caller) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture.publisher.published.isEmpty, "held at the gate while the broker is away")
        fixture.publisher.reachability = .reachable
        let ran = try await running.value
        #expect(ran.processIds.count == 1 && fixture.publisher.published.count == 1)
    }

    @Test func pastTheWaitingLimitAWebhookCallIsRefusedAtOnceAndItsRetryRuns() async throws {
        let fixture = try await Fixture(brokerWait: .seconds(30), maximumWaiting: 0)
        let target = try await webhookTarget(fixture)
        fixture.publisher.reachability = .unreachable(reason: "reconnecting")
        let call = WebhookCall(messageID: "msg_away", body: Array("{}".utf8))
        let started = ContinuousClock.now
        let refused = await #expect(throws: AutomationError.self) { try await fixture.service.receiveWebhook(call, for: target) }
        #expect(refused?.code == .unavailable && refused?.message.contains("0 requests already wait") == true)
        #expect(ContinuousClock.now - started < .seconds(10), "refused without waiting its 30 s")
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest()).items.isEmpty)

        fixture.publisher.reachability = .reachable
        let confirming = confirmingAll(fixture.publisher)
        defer { confirming.cancel() }
        let retried = try await fixture.service.receiveWebhook(call, for: target)
        #expect(retried.outcome == .started && retried.processIds.count == 1)
    }
}
