import Automation
@testable import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// Changes another replica commits to the shared store, of which this scheduler is not told by
/// its own service: schedules are found by the definitions-version poll, delayed runs by a
/// resynchronisation, and a delayed run announced again after it was handed out for firing is
/// not fired twice.
@Suite("Scheduler and changes made elsewhere")
struct SchedulerChangesElsewhereTests {
    typealias Timing = SchedulerTimingTests
    static let bound = SchedulerTimingTests.bound
    static func at(_ text: String) -> Date { SchedulerTimingTests.at(text) }
    static let caller = Caller(tenantId: .default, role: .admin)

    @Test func schedulesChangedThroughAnotherServiceAreTrackedByTheVersionPoll() async throws {
        let fixture = try await Timing.Fixture(created: Self.at("10:00:30"))
        // Another replica: the same store, a service that tells this scheduler nothing.
        let elsewhere = AutomationService(store: fixture.store, clock: fixture.clock)
        let running = try await fixture.start(preparing: Self.at("10:01:00"))
        defer { running.cancel() }
        #expect(fixture.scheduler.trackedSchedules == 1)

        let other = try await elsewhere.createAction(
            CreateActionRequest(name: "elsewhere", actions: fixture.action.actions, schedules: [AddScheduleRequest(name: "e", cron: "30 * * * * *")]),
            namespace: "production", as: Self.caller
        ).action
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.trackedSchedules == 2 }, "a new action's schedule")
        _ = try await elsewhere.addSchedule(AddScheduleRequest(name: "s2", cron: "15 * * * * *"), to: .id(fixture.action.id), as: Self.caller)
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.trackedSchedules == 3 }, "a schedule added to a tracked action")
        _ = try await elsewhere.pauseAction(.id(other.id), as: Self.caller)
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.trackedSchedules == 2 }, "a paused action's schedule")

        // What is tracked fires, and only that: s at 10:01:00, the added s2 at 10:01:15; the
        // paused action's 10:01:30 does not.
        for (instant, published) in [("10:01:01", 1), ("10:01:16", 2)] {
            fixture.clock.set(Self.at(instant))
            let reached = await eventually(timeout: Self.bound) { fixture.publisher.published.count == published }
            let history = try await fixture.history().map { "\(String(describing: $0.triggerId)) \($0.outcome) \($0.errorMessage ?? "")" }
            #expect(reached, "by \(instant): \(fixture.publisher.published.count) published; history \(history)")
        }
        fixture.clock.set(Self.at("10:01:31"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(fixture.publisher.published.count == 2)
    }

    @Test func delayedRunsStoredElsewhereAreQueuedOnResynchronisationAndNeverTwice() async throws {
        let fixture = try await Timing.Fixture(created: Self.at("10:00:00"), cron: "0 0 0 1 1 *")
        let elsewhere = AutomationService(store: fixture.store, clock: fixture.clock)
        let running = Task { try await fixture.scheduler.run() }
        defer { running.cancel() }
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.isLoaded })

        // Stored by another replica: not heard until the feed resynchronises (or announces it).
        let (run, _) = try await elsewhere.scheduleRun(ScheduleRunRequest(delaySeconds: 10), of: .id(fixture.action.id), as: Self.caller)
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture.scheduler.queuedDelayedRuns == 0)
        fixture.scheduler.resynchronize()
        #expect(await eventually(timeout: Self.bound) { fixture.scheduler.queuedDelayedRuns == 1 })

        // Fired once; announced again afterwards (a late echo), it is not queued or fired again.
        let due = run.due
        fixture.scheduler.delayedRunScheduled(due)
        #expect(fixture.scheduler.queuedDelayedRuns == 1, "queued once, however often announced")
        fixture.clock.set(Self.at("10:00:11"))
        #expect(await eventually(timeout: Self.bound) { fixture.publisher.published.count == 1 })
        fixture.scheduler.delayedRunScheduled(due)
        fixture.scheduler.resynchronize()
        fixture.clock.set(Self.at("10:00:30"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(fixture.scheduler.queuedDelayedRuns == 0)
        #expect(fixture.publisher.published.count == 1, "a delayed run announced after it was handed out fires once")
    }

    /// The case a store's claim cannot catch: announced while it is handed out (claimed, its
    /// commands not yet confirmed), a run queued again would be claimed and published again.
    @Test func aRunHandedOutIsNotQueuedAgainWhenAnnouncedButIsWhenRequeued() {
        var queue = DelayedRunQueue()
        let run = DelayedRunDue(id: .random(), actionId: .random(), tenantId: .default, dueAt: Self.at("10:00:10"))
        queue.insertAnnounced(run)
        queue.insertAnnounced(run)
        #expect(queue.count == 1)
        #expect(queue.popDue(at: Self.at("10:00:10")).map(\.id) == [run.id])
        queue.insertAnnounced(run)
        #expect(queue.count == 0, "the late announcement of a run being fired")
        // Its firing failed: the scheduler puts it back itself.
        queue.insert(run)
        #expect(queue.popDue(at: Self.at("10:00:11")).map(\.id) == [run.id])
        // Forgotten once it is long settled.
        _ = queue.popDue(at: Self.at("10:00:11").addingTimeInterval(DelayedRunQueue.handedOutMemory + 1))
        queue.insertAnnounced(run)
        #expect(queue.count == 1)
    }
}
