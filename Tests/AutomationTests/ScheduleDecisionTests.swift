import Cron
import Foundation
import Testing

@testable import Automation

@Suite("Missed runs: what the scheduler does about a schedule at an instant")
struct ScheduleDecisionTests {
    /// Every day at 09:00 UTC.
    let daily = try! CronSchedule(parsing: "0 9 * * *", timeZoneIdentifier: "UTC")
    /// Every second.
    let everySecond = try! CronSchedule(parsing: "* * * * * *", timeZoneIdentifier: "UTC")

    func decide(
        _ schedule: CronSchedule, _ policy: MissedRunPolicy = .fireOnce, firstPending: String?, lastFired: String? = nil,
        now: String, grace: TimeInterval = 60
    ) -> ScheduleDecision {
        ScheduleDecision.decide(
            schedule, policy: policy, firstPending: firstPending.map { instant($0) }, lastFired: lastFired.map { instant($0) },
            now: instant(now), grace: grace)
    }

    @Test("before the first pending occurrence it waits for it")
    func waits() {
        #expect(decide(daily, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T08:59:59Z")
            == .wait(until: instant("2026-01-06T09:00:00Z")))
    }

    @Test("one occurrence reached on time, or a little late, fires")
    func firesOnTime() {
        #expect(decide(daily, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:00Z")
            == .fire(occurrence: instant("2026-01-06T09:00:00Z"), skipped: nil))
        #expect(decide(daily, .skip, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:30Z")
            == .fire(occurrence: instant("2026-01-06T09:00:00Z"), skipped: nil), "late within the grace is not missed")
    }

    @Test("fireOnce after downtime: one run for the latest, the earlier ones recorded as skipped")
    func fireOnce() {
        let decision = decide(daily, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-09T12:00:00Z")
        #expect(decision == .fire(
            occurrence: instant("2026-01-09T09:00:00Z"),
            skipped: MissedOccurrences(first: instant("2026-01-06T09:00:00Z"), last: instant("2026-01-08T09:00:00Z"), count: 3)))
    }

    @Test("fireOnce with a single missed occurrence long ago fires it and skips nothing")
    func fireOnceSingle() {
        #expect(decide(daily, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T15:00:00Z")
            == .fire(occurrence: instant("2026-01-06T09:00:00Z"), skipped: nil))
    }

    @Test("skip after downtime: nothing fires, every missed occurrence is recorded")
    func skip() {
        let decision = decide(daily, .skip, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-09T12:00:00Z")
        #expect(decision == .skip(
            MissedOccurrences(first: instant("2026-01-06T09:00:00Z"), last: instant("2026-01-09T09:00:00Z"), count: 4)))
    }

    @Test("a stalled scheduler catches up: occurrences within the grace fire one by one, older ones are missed")
    func catchUp() {
        // Ten seconds behind with a grace of five: 09:00:00…09:00:04 are missed, the rest are late.
        let decision = decide(everySecond, .skip, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:10Z", grace: 5)
        #expect(decision == .skip(
            MissedOccurrences(first: instant("2026-01-06T09:00:00Z"), last: instant("2026-01-06T09:00:04Z"), count: 5)))
        // fireOnce does the same when newer occurrences are due: they stand for the missed ones.
        let once = decide(everySecond, .fireOnce, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:10Z", grace: 5)
        #expect(once == decision)
        // The next round starts after the missed ones: 09:00:05 is late, not missed, and fires.
        #expect(decide(everySecond, .skip, firstPending: "2026-01-06T09:00:05Z", now: "2026-01-06T09:00:10Z", grace: 5)
            == .fire(occurrence: instant("2026-01-06T09:00:05Z"), skipped: nil))
        // Within the grace nothing is skipped, however many are due.
        #expect(decide(everySecond, .skip, firstPending: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:03Z", grace: 60)
            == .fire(occurrence: instant("2026-01-06T09:00:00Z"), skipped: nil))
    }

    @Test("an occurrence at or before the last fired one never fires again")
    func neverTwice() {
        // The stored next occurrence is stale (an API write raced the scheduler): lastFired wins.
        #expect(decide(daily, firstPending: "2026-01-06T09:00:00Z", lastFired: "2026-01-06T09:00:00Z", now: "2026-01-06T09:00:05Z")
            == .wait(until: instant("2026-01-07T09:00:00Z")))
    }

    @Test("a first pending instant that is not an occurrence resumes from now without missed runs")
    func notAnOccurrence() {
        #expect(decide(daily, firstPending: "2026-01-06T09:30:00Z", now: "2026-01-06T09:45:00Z")
            == .wait(until: instant("2026-01-07T09:00:00Z")))
    }

    @Test("counting stops at the limit and says so")
    func countLimit() throws {
        // Half a second past the latest occurrence with a grace of 0.1 s: all of them are missed.
        let decision = ScheduleDecision.decide(
            everySecond, policy: .skip, firstPending: instant("2026-01-01T00:00:00Z"), lastFired: nil,
            now: instant("2026-01-02T00:00:00Z").addingTimeInterval(0.5), grace: 0.1)
        guard case .skip(let missed) = decision else {
            Issue.record("expected skip, got \(decision)")
            return
        }
        #expect(missed.count == ScheduleDecision.countLimit)
        #expect(!missed.countIsExact)
        #expect(missed.last == instant("2026-01-02T00:00:00Z"))
        #expect(missed.explanation(policy: .skip, firedInstead: nil).contains("at least 10000 occurrences"))
    }

    @Test("the skipped entries' explanation names the span, the policy and what ran instead")
    func explanation() {
        let missed = MissedOccurrences(first: instant("2026-01-06T09:00:00Z"), last: instant("2026-01-08T09:00:00Z"), count: 3)
        let text = missed.explanation(policy: .fireOnce, firedInstead: instant("2026-01-09T09:00:00Z"))
        #expect(text.contains("3 occurrences from 2026-01-06T09:00:00Z to 2026-01-08T09:00:00Z"))
        #expect(text.contains("missedRunPolicy fireOnce"))
        #expect(text.contains("2026-01-09T09:00:00Z"))
    }

    @Test("skipped history: one Skipped entry per item, keyed by the last missed occurrence, never a command")
    func skippedEntries() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let schedule = ScheduleID.random()
        let missed = MissedOccurrences(first: instant("2026-01-06T09:00:00Z"), last: instant("2026-01-08T09:00:00Z"), count: 3)
        let entries = CommandPlanner().skipped(action, schedule: schedule, missed: missed, explanation: "why", at: seedNow)
        #expect(entries.count == action.actions.count)
        #expect(entries.allSatisfy { $0.outcome == .skipped && $0.errorMessage == "why" && $0.dateCompleted == seedNow })
        #expect(entries.allSatisfy { $0.sourceEventId == Event.scheduleEventID(schedule, occurrence: missed.last) })
        #expect(entries.allSatisfy { $0.triggerType == .schedule && $0.triggerId == ExecutionSourceID(schedule) })
        let stored = try await fixture.store.appendHistory(entries + entries)
        #expect(Set(stored.map(\.id)).count == entries.count, "recording them twice stores them once")
    }
}
