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
    /// Confirms every message at once, refusing the first `refusals`. Reachable unless told.
    final class AnsweringPublisher: PipelinePublisher {
        private let state: Mutex<(refusals: Int, published: [AMQPOutboundMessage])>
        private let broker = Mutex(BrokerReachability.reachable)
        init(refusals: Int = 0) { state = Mutex((refusals, [])) }
        var published: [AMQPOutboundMessage] { state.withLock { $0.published } }
        var reachability: BrokerReachability {
            get { broker.withLock { $0 } }
            set { broker.withLock { $0 = newValue } }
        }

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
        let store: InMemoryAutomationStore
        let publisher: AnsweringPublisher
        let scheduler: SchedulerService
        let action: AutomatedAction
        var schedule: CronScheduleDefinition { action.schedules[0] }

        init(
            created: Date, cron: String = "0 * * * * *", policy: MissedRunPolicy = .fireOnce, grace: TimeInterval = 60, refusals: Int = 0,
            schedule request: AddScheduleRequest? = nil, store: InMemoryAutomationStore = InMemoryAutomationStore(),
            leadership: any SchedulerLeadership = SoleSchedulerLeadership()
        ) async throws {
            self.store = store
            clock = ManualSchedulerClock(created)
            publisher = AnsweringPublisher(refusals: refusals)
            let service = AutomationService(store: store, clock: clock, limits: AutomationService.Limits(missedRunGrace: grace))
            _ = try await service.bootstrap()
            let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
                [{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}]
                """#.utf8))
            let caller = Caller(tenantId: .default, role: .admin)
            if let existing = try await store.action(named: "timed", namespace: "production", tenant: .default) {
                action = existing
            } else {
                action = try await service.createAction(
                    CreateActionRequest(
                        name: "timed", actions: items,
                        schedules: [request ?? AddScheduleRequest(name: "s", cron: cron, missedRunPolicy: policy)]),
                    namespace: "production", as: caller
                ).action
            }
            var logger = Logger(label: "scheduler-timing-tests")
            logger.logLevel = .critical
            let runPath = RunPath(
                store: store, clock: clock, configuration: RunPath.Configuration(names: BrokerNames()), logger: logger)
            scheduler = SchedulerService(
                store: store, runPath: runPath, publisher: publisher, clock: clock,
                configuration: SchedulerService.Configuration(
                    missedRunGrace: grace, preparationLead: .milliseconds(Int(SchedulerTimingTests.lead * 1000))),
                leadership: leadership, logger: logger)
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
    static let bound = Duration.seconds(120)

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

    @Test func whileTheBrokerIsAwayNothingFiresAndWhatFellDueIsDecidedByThePolicyWhenItIsBack() async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"), policy: .fireOnce, grace: 5)
        fixture.publisher.reachability = .unreachable(reason: "connection refused")
        let running = Task { try await fixture.scheduler.run() }
        defer { running.cancel() }
        for minute in 1...5 {
            fixture.clock.set(Self.at(String(format: "10:%02d:00", minute)))
            try await Task.sleep(for: .milliseconds(50))
        }
        fixture.clock.set(Self.at("10:05:10"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.isEmpty, "nothing published while the broker is away")
        #expect(try await fixture.history().isEmpty, "nothing recorded either")

        fixture.publisher.reachability = .reachable
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        #expect(fixture.firedOccurrences(among: Self.minutes) == [Self.at("10:05:00")], "the latest missed one, once")
        #expect(try await fixture.history().contains { $0.outcome == .skipped }, "the others recorded missed")
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
        try #require(ids.count == 2)
        #expect(ids[0] == ids[1], "the same command again")
        #expect(try await fixture.history().count == 1, "one history row for the occurrence")
        // The confirmed progress is stored by the progress flush, which sleeps on the same clock:
        // move it on in steps until the flush ran.
        #expect(try await eventually(timeout: Self.bound) {
            fixture.clock.advance(by: 0.3)
            return try await fixture.store.lastFiredOccurrences()[fixture.schedule.id].map { $0 >= Self.at("10:01:00") } ?? false
        })
    }

    @Test func aOneTimeScheduleFiresOnceAndNotAgainAfterARestart() async throws {
        let instant = Self.at("10:01:00")
        let request = AddScheduleRequest(name: "once", at: "2026-01-05T11:01:00+01:00")
        let fixture = try await Fixture(created: Self.at("10:00:30"), schedule: request)
        #expect(fixture.schedule.nextOccurrence == instant)
        let running = try await fixture.start(preparing: instant)
        fixture.clock.set(instant)
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        #expect(fixture.firedOccurrences(among: [instant]) == [instant])
        #expect(try await eventually(timeout: Self.bound) {
            fixture.clock.advance(by: 0.3)
            return try await fixture.store.action(id: fixture.action.id, tenant: .default)?.schedules.first?.firedAt == instant
        })
        let stored = try #require(try await fixture.store.action(id: fixture.action.id, tenant: .default))
        #expect(stored.schedules[0].nextOccurrence == nil && stored.nextScheduledRunAt == nil)
        fixture.clock.set(Self.at("10:05:00"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.count == 1, "never again")
        running.cancel()
        _ = try? await running.value

        // Started again over the same store: tracked, never due.
        let restarted = try await Fixture(created: Self.at("10:06:00"), schedule: request, store: fixture.store)
        let rerun = Task { try await restarted.scheduler.run() }
        defer { rerun.cancel() }
        #expect(await eventually(timeout: Self.bound) { restarted.scheduler.trackedSchedules == 1 })
        restarted.clock.set(Self.at("11:00:00"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(restarted.publisher.published.isEmpty)
        #expect(try await restarted.history().count == 1)
    }

    @Test(arguments: [MissedRunPolicy.fireOnce, .skip])
    func aOneTimeScheduleMissedWhileDownFollowsItsPolicy(_ policy: MissedRunPolicy) async throws {
        // Added at 10:00:30 for 10:01:00; the scheduler only starts at 10:05:00, past the grace.
        let request = AddScheduleRequest(name: "once", at: "2026-01-05T10:01:00Z", missedRunPolicy: policy)
        let fixture = try await Fixture(created: Self.at("10:00:30"), schedule: request)
        fixture.clock.set(Self.at("10:05:00"))
        let running = Task { try await fixture.scheduler.run() }
        defer { running.cancel() }
        #expect(try await eventually(timeout: Self.bound) { try await !fixture.history().isEmpty })
        if policy == .fireOnce { #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 }) }
        try await Task.sleep(for: .milliseconds(200))
        let history = try await fixture.history()
        switch policy {
        case .fireOnce:
            #expect(fixture.publisher.published.count == 1, "fired once, late")
            #expect(history.map(\.outcome) == [.pending] && history[0].dateStarted == Self.at("10:05:00"))
        case .skip:
            #expect(fixture.publisher.published.isEmpty)
            #expect(history.map(\.outcome) == [.skipped], "\(history)")
        }
    }

    @Test func aOneTimeInstantInThePastIsRefusedBeyondTheGraceAndFiresAtOnceWithinIt() async throws {
        let fixture = try await Fixture(created: Self.at("10:00:30"))
        let service = AutomationService(store: fixture.store, clock: fixture.clock, limits: AutomationService.Limits(missedRunGrace: 60))
        let caller = Caller(tenantId: .default, role: .admin)
        let refused = await #expect(throws: AutomationError.self) {
            try await service.addSchedule(AddScheduleRequest(name: "old", at: "2026-01-05T09:59:00Z"), to: .id(fixture.action.id), as: caller)
        }
        #expect(refused?.code == .limitExceeded && refused?.code.httpStatus == 422 && refused?.field == "at", "\(String(describing: refused))")
        #expect(refused?.message.contains("at most 55 s back") == true)
        let recent = try await service.addSchedule(AddScheduleRequest(name: "recent", at: "2026-01-05T10:00:00Z"), to: .id(fixture.action.id), as: caller)
        #expect(recent.schedules.last?.nextOccurrence == Self.at("10:00:00"), "within the grace: due at once")

        // Disabled before its instant and enabled after the grace: refused, not silently never firing.
        let later = try await service.addSchedule(AddScheduleRequest(name: "later", at: "2026-01-05T10:01:00Z"), to: .id(fixture.action.id), as: caller)
        let laterId = try #require(later.schedules.last?.id)
        _ = try await service.disableSchedule(laterId, of: .id(fixture.action.id), as: caller)
        fixture.clock.set(Self.at("10:03:00"))
        let reenabled = await #expect(throws: AutomationError.self) {
            try await service.enableSchedule(laterId, of: .id(fixture.action.id), as: caller)
        }
        #expect(reenabled?.code.httpStatus == 422 && reenabled?.message.contains("passed while it was disabled") == true)
    }

    @Test func aThousandDelayedRunsPendingAcrossARestartAllFireOnceWithTheSameIds() async throws {
        // The first scheduler's publishes are all refused (as if it crashed before the confirms):
        // the runs are claimed and recorded, not dispatched.
        let first = try await Fixture(created: Self.at("10:00:00"), refusals: 1000)
        let service = AutomationService(store: first.store, clock: first.clock)
        let caller = Caller(tenantId: .default, role: .admin)
        var ids: Set<DelayedRunID> = []
        for index in 0..<1000 {
            let run = try await service.scheduleRun(
                ScheduleRunRequest(delaySeconds: 30, payload: ["n": .int(index)]), of: .id(first.action.id), as: caller)
            ids.insert(run.run.id)
        }
        let running = Task { try await first.scheduler.run() }
        #expect(await eventually(timeout: Self.bound) { first.scheduler.queuedDelayedRuns == 1000 })
        first.clock.set(Self.at("10:00:30"))
        #expect(await eventually(timeout: Self.bound) { first.publisher.published.count == 1000 })
        running.cancel()
        _ = try? await running.value
        #expect(try await first.store.pendingDelayedRuns().count == 1000, "none dispatched")
        let refusedIds = Set(first.publisher.published.map(\.properties.messageID))

        // Started again: every run fires once more, with the same command ids; history keeps one row each.
        let restarted = try await Fixture(created: Self.at("10:00:40"), store: first.store)
        let rerun = Task { try await restarted.scheduler.run() }
        defer { rerun.cancel() }
        #expect(await eventually(timeout: Self.bound) { restarted.publisher.published.count == 1000 })
        #expect(Set(restarted.publisher.published.map(\.properties.messageID)) == refusedIds)
        #expect(try await eventually(timeout: Self.bound) { try await restarted.store.pendingDelayedRuns().isEmpty })
        restarted.clock.set(Self.at("10:00:55"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(restarted.publisher.published.count == 1000, "exactly once after the restart")
        let history = try await restarted.store.history(actionId: restarted.action.id, page: PageRequest(limit: 1000)).items
        #expect(history.count == 1000 && Set(history.compactMap(\.triggerId)).count == 1000)
        #expect(Set(history.compactMap(\.triggerId).map(\.rawValue)) == Set(ids.map(\.rawValue)))
    }
}
