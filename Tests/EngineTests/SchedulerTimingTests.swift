import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import SignalboxTestSupport
import Synchronization
import Testing

/// The scheduler's timing on a clock the test moves, with an in-memory store and a publisher that
/// answers at once: when an occurrence fires, what happens when it is late or missed, and how a
/// refused run is retried. No broker, no waiting for real seconds.
@Suite("Scheduler timing on a test clock")
struct SchedulerTimingTests {
    /// Confirms every message at once, refusing the first `refusals`.
    final class AnsweringPublisher: PipelinePublisher {
        private let state: Mutex<(refusals: Int, published: [AMQPOutboundMessage])>
        init(refusals: Int = 0) { state = Mutex((refusals, [])) }
        var published: [AMQPOutboundMessage] { state.withLock { $0.published } }

        func publish(_ messages: [AMQPOutboundMessage]) {
            for message in messages {
                let refuse = state.withLock { state in
                    state.published.append(message)
                    defer { state.refusals -= 1 }
                    return state.refusals > 0
                }
                message.onConfirm(refuse ? .failure(AMQPError(.publishNacked, context: "test", reason: "nack")) : .success(()))
            }
        }
    }

    static func at(_ text: String) -> Date { try! Date("2026-01-05T\(text)Z", strategy: .iso8601) }

    /// A scheduler over an action with one schedule, made at `created` on `clock`; not started.
    struct Fixture {
        let clock: ManualSchedulerClock
        let store = InMemoryAutomationStore()
        let publisher: AnsweringPublisher
        let scheduler: SchedulerService
        let action: AutomatedAction
        var schedule: CronScheduleDefinition { action.schedules[0] }

        init(created: Date, cron: String = "0 * * * * *", policy: MissedRunPolicy = .fireOnce, grace: TimeInterval = 60, refusals: Int = 0) async throws {
            clock = ManualSchedulerClock(created)
            publisher = AnsweringPublisher(refusals: refusals)
            let service = AutomationService(store: store, clock: clock)
            _ = try await service.bootstrap()
            let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
                [{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}]
                """#.utf8))
            action = try await service.createAction(
                CreateActionRequest(
                    name: "timed", actions: items,
                    schedules: [AddScheduleRequest(name: "s", cron: cron, missedRunPolicy: policy)]),
                namespace: "production", as: Caller(tenantId: .default, role: .admin)
            ).action
            var logger = Logger(label: "scheduler-timing-tests")
            logger.logLevel = .critical
            let runPath = RunPath(
                store: store, clock: clock, configuration: RunPath.Configuration(names: BrokerNames()), logger: logger)
            scheduler = SchedulerService(
                store: store, runPath: runPath, publisher: publisher, clock: clock,
                configuration: SchedulerService.Configuration(
                    missedRunGrace: grace, preparationLead: .milliseconds(Int(SchedulerTimingTests.lead * 1000))),
                logger: logger)
        }

        /// The scheduled instants of the commands published so far, from their message ids.
        func firedOccurrences(among candidates: [Date]) -> [Date] {
            let planner = CommandPlanner()
            let ids = publisher.published.map(\.properties.messageID)
            return ids.compactMap { id in
                candidates.first { occurrence in
                    let eventId = Event.scheduleEventID(schedule.id, occurrence: occurrence)
                    return planner.commandID(
                        eventId: eventId, cause: .schedule(schedule.id, occurrence: occurrence), itemIndex: 0
                    ).description == id
                }
            }
        }

        /// Runs the scheduler until the test ends; waits until it sleeps until it prepares `instant`.
        func start(preparing instant: Date) async throws -> Task<Void, any Error> {
            let task = Task { try await scheduler.run() }
            #expect(await sleeps(toPrepare: instant))
            return task
        }

        /// Whether the scheduler comes to sleep until the lead before `instant`.
        func sleeps(toPrepare instant: Date) async -> Bool {
            let deadline = instant.addingTimeInterval(-SchedulerTimingTests.lead)
            let reached = await eventually(timeout: SchedulerTimingTests.bound) { clock.deadlines.contains(deadline) }
            if !reached { Issue.record("not sleeping until \(deadline): \(clock.deadlines)") }
            return reached
        }

        func history() async throws -> [ExecutionHistoryEntry] {
            try await store.history(actionId: action.id, page: PageRequest(limit: 100)).items
        }
    }

    /// How long a wait for the scheduler to reach a state may take: generous, because every test
    /// of the run shares two cooperative threads, some with CPU-heavy work.
    static let bound = Duration.seconds(60)

    static let minutes = (0...10).map { at(String(format: "10:%02d:00", $0)) }
    /// How long before an instant its runs are prepared.
    static let lead: TimeInterval = 0.5

    @Test func anOccurrenceIsRecordedAheadAndPublishedAtItsInstantNotBefore() async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"))
        let running = try await fixture.start(preparing: Self.at("10:01:00"))
        defer { running.cancel() }
        fixture.clock.set(Self.at("10:00:59"))
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture.publisher.published.isEmpty, "nothing is prepared a second early")
        #expect(try await fixture.history().isEmpty)

        // Within the lead: recorded, dated at its instant, and waiting for it to publish.
        fixture.clock.set(Self.at("10:00:59").addingTimeInterval(0.5))
        #expect(try await eventually(timeout: Self.bound) { try await fixture.history().count == 1 })
        #expect(try await fixture.history().first?.dateStarted == Self.at("10:01:00"))
        #expect(await eventually(timeout: Self.bound) { fixture.clock.deadlines.contains(Self.at("10:01:00")) })
        fixture.clock.set(Self.at("10:00:59").addingTimeInterval(0.9))
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture.publisher.published.isEmpty, "nothing is published before its instant")

        fixture.clock.set(Self.at("10:01:00"))
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        #expect(fixture.firedOccurrences(among: Self.minutes) == [Self.at("10:01:00")])
        // Fired and confirmed: it sleeps until it prepares the next one.
        #expect(await fixture.sleeps(toPrepare: Self.at("10:02:00")))
        fixture.clock.set(Self.at("10:02:00"))
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 2 })
        #expect(fixture.firedOccurrences(among: Self.minutes) == [Self.at("10:01:00"), Self.at("10:02:00")])
    }

    @Test func aLateOccurrenceWithinTheGraceFiresAtOnceAndIsNotMissed() async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"), grace: 60)
        fixture.clock.set(Self.at("10:01:40"))  // 40 s late: the scheduler was busy, not down
        let running = try await fixture.start(preparing: Self.at("10:02:00"))
        defer { running.cancel() }
        #expect(fixture.firedOccurrences(among: Self.minutes) == [Self.at("10:01:00")])
        #expect(try await fixture.history().allSatisfy { $0.outcome == .pending })
    }

    @Test(arguments: [MissedRunPolicy.fireOnce, .skip])
    func missedOccurrencesFollowThePolicyAndAreRecordedSkipped(_ policy: MissedRunPolicy) async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"), policy: policy, grace: 5)
        fixture.clock.set(Self.at("10:05:10"))  // down from 10:00:30: 10:01 … 10:05 are older than the grace
        let running = try await fixture.start(preparing: Self.at("10:06:00"))
        defer { running.cancel() }
        let history = try await fixture.history()
        let skipped = try #require(history.first { $0.outcome == .skipped })
        switch policy {
        case .fireOnce:
            #expect(fixture.firedOccurrences(among: Self.minutes) == [Self.at("10:05:00")], "the latest missed one, once")
            #expect(history.filter { $0.outcome == .pending }.count == 1)
        case .skip:
            #expect(fixture.publisher.published.isEmpty)
            #expect(!history.contains { $0.outcome == .pending })
        }
        #expect(skipped.errorMessage?.isEmpty == false, "says which occurrences were missed")
    }

    @Test func aRefusedRunIsRetriedAfterABackoffWithTheSameIds() async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"), refusals: 1)
        let running = try await fixture.start(preparing: Self.at("10:01:00"))
        defer { running.cancel() }
        fixture.clock.set(Self.at("10:01:00"))
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        // Refused (nack): due again one second later, not at the next occurrence.
        #expect(await fixture.sleeps(toPrepare: Self.at("10:01:01")))
        #expect(try await fixture.store.lastFiredOccurrences()[fixture.schedule.id] == nil)

        fixture.clock.set(Self.at("10:01:01"))
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 2 })
        let ids = fixture.publisher.published.map(\.properties.messageID)
        #expect(ids[0] == ids[1], "the same command again")
        #expect(try await fixture.history().count == 1, "one history row for the occurrence")
        // The confirmed progress is stored by the progress flush, which sleeps on the same clock:
        // move it on in steps until the flush ran.
        #expect(try await eventually(timeout: Self.bound) {
            fixture.clock.advance(by: 0.3)
            return try await fixture.store.lastFiredOccurrences()[fixture.schedule.id].map { $0 >= Self.at("10:01:00") } ?? false
        })
    }
}
