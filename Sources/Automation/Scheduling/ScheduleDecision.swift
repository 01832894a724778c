import Cron
import Foundation

/// What the scheduler does about one schedule at an instant: the missed-run rules of issue 6 in
/// one pure function, so they are tested without clocks or brokers.
///
/// ## Rules
/// The schedule's *pending* occurrences are those at or after its stored `nextOccurrence` (the
/// first one not handled yet), after its last fired occurrence, and not after `now`.
/// - none pending → wait for the first one;
/// - the first pending one is at most `grace` old → fire it: it is late, not missed (a busy or
///   briefly stalled scheduler catches up one occurrence per round, none is lost);
/// - occurrences older than `grace` were **missed** (Signalbox was down):
///   - `fireOnce`: if nothing newer is due, fire the latest missed one and record the earlier
///     ones as skipped; if a newer one is due, record all missed ones as skipped (the newer one
///     fires next round and stands for them);
///   - `skip`: record them all as skipped.
public enum ScheduleDecision: Hashable, Sendable {
    /// Nothing is due before `date` (nil: the schedule never fires again).
    case wait(until: Date?)
    /// Fire `occurrence`; `skipped` are the earlier missed ones to record.
    case fire(occurrence: Date, skipped: MissedOccurrences?)
    /// Fire nothing now; record `skipped`. The first pending occurrence is then the one after
    /// `skipped.last`.
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
        // The first real occurrence at or after `start` (the expression may have changed since
        // `start` was stored).
        guard let pending = start, let first = schedule.next(after: pending.addingTimeInterval(-0.001)) else {
            return .wait(until: nil)
        }
        guard first <= now else { return .wait(until: first) }
        let horizon = now.addingTimeInterval(-grace)
        guard first < horizon else { return .fire(occurrence: first, skipped: nil) }

        // The missed ones: from `first` to the last occurrence older than the grace.
        guard let missed = MissedOccurrences.between(first, andBefore: horizon, in: schedule) else {
            return .fire(occurrence: first, skipped: nil)
        }
        let newerIsDue = schedule.next(after: missed.last).map { $0 <= now } ?? false
        switch policy {
        case .fireOnce where !newerIsDue:
            let earlier = missed.count == 1 ? nil : MissedOccurrences.between(first, andBefore: missed.last, in: schedule)
            return .fire(occurrence: missed.last, skipped: earlier)
        case .fireOnce, .skip:
            return .skip(missed)
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
