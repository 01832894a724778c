import Cron
import Foundation

/// What the scheduler does about one schedule at an instant: the missed-run rules of issue 6 in
/// one pure function, so they are tested without clocks or brokers.
///
/// ## Rules
/// The schedule's *pending* occurrences are those at or after its stored `nextOccurrence` (the
/// first one not handled yet), after its last fired occurrence, and not after `now`.
/// - none pending → wait for the first one;
/// - one pending, reached within `grace` of its instant → fire it (the normal case: the scheduler
///   woke on time, or a little late);
/// - otherwise occurrences were **missed** (Signalbox was down, or stalled longer than `grace`):
///   - `fireOnce`: fire the latest one; the earlier ones, if any, are recorded as skipped;
///   - `skip`: record them all as skipped — except that the latest still fires when it is within
///     `grace` (it is late, not missed).
public enum ScheduleDecision: Hashable, Sendable {
    /// Nothing is due before `date` (nil: the schedule never fires again).
    case wait(until: Date?)
    /// Fire `occurrence`; `skipped` are the earlier missed ones to record.
    case fire(occurrence: Date, skipped: MissedOccurrences?)
    /// Fire nothing; record `skipped`.
    case skip(MissedOccurrences)

    /// Counting missed occurrences stops here (an every-second schedule down for a week).
    public static let countLimit = 10_000

    /// The decision for `schedule` at `now`. `firstPending` is the stored `nextOccurrence`,
    /// `lastFired` the stored last fired occurrence.
    public static func decide(
        _ schedule: CronSchedule, policy: MissedRunPolicy, firstPending: Date?, lastFired: Date?,
        now: Date, grace: TimeInterval
    ) -> ScheduleDecision {
        var start = firstPending
        if let lastFired, start.map({ $0 <= lastFired }) ?? true {
            start = schedule.next(after: lastFired)
        }
        guard let first = start else { return .wait(until: nil) }
        guard first <= now else { return .wait(until: first) }
        // The latest occurrence not after now; `previous(before:)` is strict.
        guard let latest = schedule.previous(before: now.addingTimeInterval(0.001)), latest >= first else {
            // `first` is not an occurrence of this expression (it was changed since): resume
            // from now without inventing missed runs.
            return .wait(until: schedule.next(after: now))
        }
        let late = now.timeIntervalSince(latest) > grace
        if latest == first && !late { return .fire(occurrence: latest, skipped: nil) }

        let earlier = latest == first ? nil : MissedOccurrences.between(first, andBefore: latest, in: schedule)
        switch policy {
        case .fireOnce:
            return .fire(occurrence: latest, skipped: earlier)
        case .skip:
            if !late { return .fire(occurrence: latest, skipped: earlier) }
            let all = MissedOccurrences.between(first, andBefore: latest.addingTimeInterval(0.001), in: schedule)
            return all.map { .skip($0) } ?? .wait(until: schedule.next(after: now))
        }
    }
}

/// A run of consecutive occurrences that were not fired.
public struct MissedOccurrences: Hashable, Sendable {
    public var first: Date
    public var last: Date
    /// How many; a lower bound when ``countIsExact`` is false.
    public var count: Int
    public var countIsExact: Bool

    public init(first: Date, last: Date, count: Int, countIsExact: Bool = true) {
        self.first = first
        self.last = last
        self.count = count
        self.countIsExact = countIsExact
    }

    /// The occurrences from `first` (one itself) to the last one before `end`; nil if none.
    static func between(_ first: Date, andBefore end: Date, in schedule: CronSchedule) -> MissedOccurrences? {
        guard first < end, let last = schedule.previous(before: end), last >= first else { return nil }
        var count = 1
        var date = first
        while date < last, count < ScheduleDecision.countLimit, let next = schedule.next(after: date) {
            date = next
            count += 1
        }
        return MissedOccurrences(first: first, last: last, count: count, countIsExact: date >= last)
    }

    /// Why no command was sent, for the history entry's `errorMessage`.
    public func explanation(policy: MissedRunPolicy, firedInstead: Date?) -> String {
        let counted = countIsExact ? "\(count)" : "at least \(count)"
        let span = count == 1
            ? "occurrence \(first.formatted(.iso8601)) was"
            : "\(counted) occurrences from \(first.formatted(.iso8601)) to \(last.formatted(.iso8601)) were"
        let outcome = firedInstead.map { "ran once, for \($0.formatted(.iso8601)), instead" } ?? "skipped them"
        return "\(span) missed while Signalbox was not running; missedRunPolicy \(policy.rawValue) \(outcome)"
    }
}
