import Automation
import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// The scheduler under a leadership the test gives and takes (``SchedulerLeadershipState``), on
/// the timing tests' clock, store and publisher: nothing fires while another replica leads, what
/// fell due meanwhile is decided by the missed-run policy on gaining the lead, and firing stops
/// when the lead is lost.
@Suite("Scheduler leadership on a test clock")
struct SchedulerLeadershipTests {
    typealias Timing = SchedulerTimingTests
    static let bound = SchedulerTimingTests.bound
    static func at(_ text: String) -> Date { SchedulerTimingTests.at(text) }

    @Test func firesOnlyWhileLeadingAndDecidesWhatFellDueByThePolicyOnGainingTheLead() async throws {
        let leadership = SchedulerLeadershipState()
        let fixture = try await Timing.Fixture(created: Self.at("10:00:30"), policy: .fireOnce, grace: 5, leadership: leadership)
        let running = Task { try await fixture.scheduler.run() }
        defer { running.cancel() }

        // A follower: loads nothing, fires nothing, records nothing.
        for minute in 1...2 {
            fixture.clock.set(Self.at(String(format: "10:%02d:00", minute)))
            try await Task.sleep(for: .milliseconds(50))
        }
        fixture.clock.set(Self.at("10:02:10"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.isEmpty, "nothing fires while another replica leads")
        #expect(try await fixture.history().isEmpty)
        #expect(fixture.scheduler.trackedSchedules == 0 && !fixture.scheduler.isLoaded)

        // Leads: 10:01 and 10:02 are past the grace; fireOnce runs the latest, records 10:01 missed.
        leadership.gain()
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        #expect(fixture.firedOccurrences(among: Timing.minutes) == [Self.at("10:02:00")])
        #expect(try await fixture.history().contains { $0.outcome == .skipped }, "10:01 recorded missed")
        #expect(await fixture.sleeps(toPrepare: Self.at("10:03:00")))

        // Loses: the queues are dropped at once and nothing more fires.
        leadership.lose(reason: "test: another replica took the lock")
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.trackedSchedules == 0 && !fixture.scheduler.isLoaded })
        #expect(
            try await fixture.store.lastFiredOccurrences()[fixture.schedule.id] == Self.at("10:02:00"),
            "what fired in the term is stored when it ends, so the next leader does not fire it again")
        for minute in 3...5 {
            fixture.clock.set(Self.at(String(format: "10:%02d:00", minute)))
            try await Task.sleep(for: .milliseconds(50))
        }
        fixture.clock.set(Self.at("10:05:10"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.count == 1, "nothing fires after the lead is lost")

        // Leads again: reloaded from the store; 10:03 … 10:05 fell due, the latest fires.
        leadership.gain()
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 2 })
        #expect(fixture.firedOccurrences(among: Timing.minutes) == [Self.at("10:02:00"), Self.at("10:05:00")])
        #expect(fixture.scheduler.trackedSchedules == 1)
        let skipped = try await fixture.history().filter { $0.outcome == .skipped }
        #expect(skipped.count >= 2, "10:01, and 10:03–10:04 recorded missed: \(skipped.map(\.errorMessage))")
        #expect(try await fixture.history().filter { $0.outcome == .pending }.count == 2, "one history row per fired occurrence")
    }

    @Test func delayedRunsWaitForTheLeadAndAreLoadedFromTheStoreWhenItComes() async throws {
        let leadership = SchedulerLeadershipState()
        let fixture = try await Timing.Fixture(created: Self.at("10:00:00"), leadership: leadership)
        let service = AutomationService(store: fixture.store, clock: fixture.clock, observer: fixture.scheduler)
        let caller = Caller(tenantId: .default, role: .admin)
        let running = Task { try await fixture.scheduler.run() }
        defer { running.cancel() }

        // Stored while following: not queued here (the leader fires it), not fired.
        _ = try await service.scheduleRun(ScheduleRunRequest(delaySeconds: 10), of: .id(fixture.action.id), as: caller)
        #expect(fixture.scheduler.queuedDelayedRuns == 0)
        fixture.clock.set(Self.at("10:00:20"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.isEmpty)

        leadership.gain()
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 }, "fired late, once leading")
        #expect(try await eventually(timeout: Self.bound) { try await fixture.store.pendingDelayedRuns().isEmpty })

        // Stored while leading: queued and fired at its instant; after a loss it waits again.
        leadership.lose(reason: "test")
        #expect(await eventually(timeout: Self.bound) { !fixture.scheduler.isLoaded })
        _ = try await service.scheduleRun(ScheduleRunRequest(delaySeconds: 10), of: .id(fixture.action.id), as: caller)
        fixture.clock.set(Self.at("10:00:40"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.publisher.published.count == 1)
        leadership.gain()
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 2 })
    }
}
