import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import Synchronization
import SignalboxTestSupport
import Testing

/// `EventPipeline` with in-memory fakes: when deliveries are settled, and how.
@Suite("Event pipeline, in memory")
struct EventPipelineTests {
    final class FakeDelivery: PipelineDelivery {
        let body: [UInt8]
        let messageID: String?
        let routingKey: String
        private let settled = Mutex<[PipelineSettlement]>([])
        var settlements: [PipelineSettlement] { settled.withLock { $0 } }

        init(_ body: String, id: String?, routingKey: String = "AppProcessUpdated") {
            self.body = Array(body.utf8)
            self.messageID = id
            self.routingKey = routingKey
        }

        func settle(_ settlement: PipelineSettlement) { settled.withLock { $0.append(settlement) } }
    }

    /// Keeps each hand-off; the test confirms or refuses the messages.
    final class FakePublisher: PipelinePublisher {
        private let batches = Mutex<[[AMQPOutboundMessage]]>([])
        var handOffs: [[AMQPOutboundMessage]] { batches.withLock { $0 } }
        func publish(_ messages: [AMQPOutboundMessage]) { batches.withLock { $0.append(messages) } }
    }

    struct Fixture {
        let store = InMemoryAutomationStore()
        let names = BrokerNames(commandsExchange: "cmd", deadLetterExchange: "dlx")
        let pipeline: EventPipeline
        let action: AutomatedAction

        /// `hostileFilter`: a second action whose trigger has this filter, and the pipeline's
        /// filter work budget `filterWorkBudget`.
        init(items: Int = 2, backoff: StoreBackoff = StoreBackoff(), hostileFilter: String? = nil, filterWorkBudget: Int = 100_000) async throws {
            let service = AutomationService(store: store, clock: ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000)))
            _ = try await service.bootstrap()
            let item = #"{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}"#
            let items = try AutomationJSON.decoder().decode(
                [ActionItem].self, from: Data("[\(Array(repeating: item, count: items).joined(separator: ","))]".utf8))
            action = try await service.createAction(
                CreateActionRequest(
                    name: "a", actions: items,
                    messageTriggers: [AddTriggerRequest(name: "t", triggerType: .appProcessUpdated, eventFilter: "$.item.status == 'Finished'")]),
                namespace: "production", as: Caller(tenantId: .default, role: .admin)
            ).action
            if let hostileFilter {
                _ = try await service.createAction(
                    CreateActionRequest(
                        name: "b", actions: items,
                        messageTriggers: [AddTriggerRequest(name: "hostile", triggerType: .appProcessUpdated, eventFilter: hostileFilter)]),
                    namespace: "production", as: Caller(tenantId: .default, role: .admin))
            }
            let triggers = TriggerIndexProvider(store: store)
            try await triggers.refresh()
            var logger = Logger(label: "engine-tests")
            logger.logLevel = .error
            pipeline = EventPipeline(
                store: store, triggers: triggers, clock: ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000)),
                configuration: .init(names: names, storeBackoff: backoff, filterWorkBudget: filterWorkBudget), logger: logger)
        }
    }

    static let finished = #"{"tenantId":"default","item":{"id":"x","status":"Finished"}}"#
    static let running = #"{"tenantId":"default","item":{"id":"x","status":"Running"}}"#
    static let ok: Result<Void, AMQPError> = .success(())
    static let refused: Result<Void, AMQPError> = .failure(AMQPError(.publishNacked, context: "test", reason: "nack"))
    static let unroutable: Result<Void, AMQPError> = .failure(AMQPError(.publishReturned, context: "test", reason: "312 NO_ROUTE"))

    @Test func ackWaitsForEveryCommandOfTheDeliveryAndOneHandOffCarriesTheBatch() async throws {
        let fixture = try await Fixture(items: 2)
        let matched = FakeDelivery(Self.finished, id: "e1")
        let unmatched = FakeDelivery(Self.running, id: "e2")
        let unknown = FakeDelivery("{}", id: "e3", routingKey: "Other")
        let publisher = FakePublisher()
        let report = await fixture.pipeline.process([matched, unmatched, unknown], publisher: publisher)
        #expect(report.commands == 2 && report.historyRows == 2 && report.unknownType == 1)
        #expect(publisher.handOffs.count == 1)
        let messages = try #require(publisher.handOffs.first)
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0.exchange == "cmd" && $0.mandatory && $0.properties.persistent })
        #expect(unmatched.settlements == [.ack] && unknown.settlements == [.ack])
        #expect(matched.settlements.isEmpty)
        messages[0].onConfirm(Self.ok)
        #expect(matched.settlements.isEmpty, "one command is still unconfirmed")
        messages[1].onConfirm(Self.ok)
        #expect(matched.settlements == [.ack])
        #expect(fixture.pipeline.counters.inFlight == 0)
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest(limit: 10)).items.count == 2)
    }

    @Test("a trigger over the filter work budget does not match and is counted; the event still matches the others")
    func aTriggerOverTheFilterBudgetIsCountedAndTheOthersStillMatch() async throws {
        let fixture = try await Fixture(items: 2, hostileFilter: "count($..*) > 0", filterWorkBudget: 50)
        let wide = #"{"tenantId":"default","item":{"id":"x","status":"Finished","list":[\#((0..<100).map(String.init).joined(separator: ","))]}}"#
        let delivery = FakeDelivery(wide, id: "e1")
        let publisher = FakePublisher()
        let report = await fixture.pipeline.process([delivery], publisher: publisher)
        #expect(report.overBudget == 1)
        #expect(report.matched == 1 && report.commands == 2, "the plain trigger still matched and planned its items")
        #expect(fixture.pipeline.counters.snapshot.filterBudgetExceeded == 1)
        for message in try #require(publisher.handOffs.first) { message.onConfirm(Self.ok) }
        #expect(delivery.settlements == [.ack])

        // Within budget the same trigger matches too.
        let narrow = FakeDelivery(Self.finished, id: "e2")
        let second = await fixture.pipeline.process([narrow], publisher: publisher)
        #expect(second.overBudget == 0 && second.matched == 2)
    }

    @Test func aRefusedCommandRequeuesTheDeliveryAndTheReplanIsIdentical() async throws {
        let fixture = try await Fixture(items: 2)
        let first = FakeDelivery(Self.finished, id: "e1")
        let publisher = FakePublisher()
        await fixture.pipeline.process([first], publisher: publisher)
        let messages = try #require(publisher.handOffs.first)
        messages[0].onConfirm(Self.refused)
        messages[1].onConfirm(Self.ok)
        #expect(first.settlements == [.requeue])

        let again = FakeDelivery(Self.finished, id: "e1")
        await fixture.pipeline.process([again], publisher: publisher)
        let replanned = try #require(publisher.handOffs.last)
        #expect(replanned.map(\.properties.messageID) == messages.map(\.properties.messageID))
        #expect(replanned.map(\.body) == messages.map(\.body))
        for message in replanned { message.onConfirm(Self.ok) }
        #expect(again.settlements == [.ack])
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest(limit: 10)).items.count == 2)
    }

    @Test func anUnroutableCommandIsRecordedFailedAndItsEventAcked() async throws {
        let fixture = try await Fixture(items: 2)
        let delivery = FakeDelivery(Self.finished, id: "e1")
        let publisher = FakePublisher()
        await fixture.pipeline.process([delivery], publisher: publisher)
        let messages = try #require(publisher.handOffs.first)
        messages[0].onConfirm(Self.unroutable)
        messages[1].onConfirm(Self.ok)
        // The close is a write of its own, after the confirms: the ack waits for it.
        #expect(await eventually { delivery.settlements == [.ack] })
        let entries = try await fixture.store.history(actionId: fixture.action.id, page: PageRequest(limit: 10)).items
        let failed = try #require(entries.first { $0.itemIndex == 0 })
        #expect(failed.outcome == .failed && failed.errorMessage?.hasPrefix("unroutable") == true)
        #expect(entries.first { $0.itemIndex == 1 }?.outcome == .pending)
    }

    @Test func aStoreThatCannotWriteHoldsTheBatchUnackedAndResumesByItself() async throws {
        let fixture = try await Fixture(items: 1, backoff: StoreBackoff(initial: .milliseconds(5), maximum: .milliseconds(20)))
        let ours = CommandPlanner.processID(for: CommandID(rawValue: UUID()))
        let theirs = ProcessID(rawValue: UUID())  // version 4: no lookup
        #expect(CommandPlanner.mayHaveStarted(ours) && !CommandPlanner.mayHaveStarted(theirs))
        func ended(_ process: ProcessID, id: String) -> FakeDelivery {
            FakeDelivery(#"{"tenantId":"default","item":{"id":"\#(process)","status":"Error"}}"#, id: id)
        }
        // A batch that writes nothing needs no store: settled while the store is down.
        await fixture.store.failCalls(with: AutomationError.unavailable("database down"))
        let foreign = ended(theirs, id: "e-foreign")
        await fixture.pipeline.process([foreign], publisher: FakePublisher())
        #expect(foreign.settlements == [.ack])

        let own = ended(ours, id: "e-own")
        let matched = FakeDelivery(Self.finished, id: "e-match")
        let publisher = FakePublisher()
        let processing = Task { await fixture.pipeline.process([own, matched], publisher: publisher) }
        #expect(await eventually { (fixture.pipeline.runPath.health.failure?.attempts ?? 0) >= 3 })
        #expect(own.settlements.isEmpty && matched.settlements.isEmpty, "held, neither acked nor requeued")
        #expect(publisher.handOffs.isEmpty)
        #expect(fixture.pipeline.runPath.health.failure?.error.contains("database down") == true)

        await fixture.store.failCalls(with: nil)
        let report = await processing.value
        #expect(report.requeued == 0 && report.historyRows == 1)
        #expect(fixture.pipeline.runPath.health.failure == nil)
        #expect(own.settlements == [.ack], "its completion closed nothing, but it was read")
        for message in try #require(publisher.handOffs.first) { message.onConfirm(Self.ok) }
        #expect(matched.settlements == [.ack])
    }

    @Test func anActionDeletedUnderTheBatchDropsItsRunsAndTheRestGoesOn() async throws {
        let fixture = try await Fixture(items: 1)
        // A second action with the same trigger, deleted after the index was built.
        let service = AutomationService(store: fixture.store, clock: ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000)))
        let item = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(
            #"[{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}]"#.utf8))
        let doomed = try await service.createAction(
            CreateActionRequest(
                name: "doomed", actions: item,
                messageTriggers: [AddTriggerRequest(name: "t", triggerType: .appProcessUpdated, eventFilter: "$.item.status == 'Finished'")]),
            namespace: "production", as: Caller(tenantId: .default, role: .admin)
        ).action
        let triggers = TriggerIndexProvider(store: fixture.store)
        try await triggers.refresh()
        var logger = Logger(label: "engine-tests")
        logger.logLevel = .critical
        let pipeline = EventPipeline(
            store: fixture.store, triggers: triggers, clock: ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000)),
            configuration: .init(names: fixture.names), logger: logger)
        #expect(try await fixture.store.deleteAction(id: doomed.id, tenant: .default))

        let delivery = FakeDelivery(Self.finished, id: "e1")
        let publisher = FakePublisher()
        let report = await pipeline.process([delivery], publisher: publisher)
        #expect(report.matched == 2 && report.requeued == 0 && report.historyRows == 1)
        let messages = try #require(publisher.handOffs.first)
        #expect(messages.count == 1, "only the command of the action that still exists")
        messages[0].onConfirm(Self.ok)
        #expect(delivery.settlements == [.ack])
        #expect(try await fixture.store.history(actionId: fixture.action.id, page: PageRequest(limit: 10)).items.count == 1)
    }

    @Test func poisonIsAckedOnlyOnceItsDeadLetterCopyIsConfirmed() async throws {
        let fixture = try await Fixture(items: 1)
        let poison = FakeDelivery("{\"a\": tru", id: "p1")
        let lost = FakeDelivery("[]", id: "p2")
        let publisher = FakePublisher()
        let report = await fixture.pipeline.process([poison, lost], publisher: publisher)
        #expect(report.poison == 2)
        let messages = try #require(publisher.handOffs.first)
        #expect(messages.map(\.exchange) == ["dlx", "dlx"])
        #expect(messages[0].properties.headers["x-signalbox-stage"] == "parse")
        #expect(messages[1].properties.headers["x-signalbox-stage"] == "event")
        #expect(poison.settlements.isEmpty)
        messages[0].onConfirm(Self.ok)
        messages[1].onConfirm(Self.refused)
        #expect(poison.settlements == [.ack])
        #expect(lost.settlements == [.requeue], "a dead-letter copy that was not confirmed keeps the original")
        #expect(fixture.pipeline.counters.snapshot.deadLettered == 1)
    }
}
