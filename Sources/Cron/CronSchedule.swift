import Foundation

/// A cron expression evaluated in an IANA time zone: the occurrences an automation fires at.
///
/// All queries are pure functions of their arguments: the caller passes the instant to search
/// from (its clock is injected, never read here), so a scheduler can be tested with a fake clock
/// and `previous(before:)` can tell what was missed while the service was down.
///
/// Occurrences are whole seconds, strictly after (or before) the instant asked about, strictly
/// increasing, and each matches the expression's wall time in `timeZone`, apart from the
/// spring-forward rule of fixed-time schedules (see `docs/cron.md`).
public struct CronSchedule: Sendable {
    /// What to match.
    public let expression: CronExpression
    /// Where the wall clock is read; `@every` ignores it.
    public let timeZone: TimeZone
    /// The instant `@every` runs count from (`anchor + k·interval`, k ≥ 1); nil for calendar
    /// expressions, which do not need one.
    public let anchor: Date?

    let zone: ZoneTransitions
    /// Known at creation, so a search for a date that does not exist stops at once instead of
    /// running to the year 9999.
    let neverFires: Bool

    /// The zone schedules use when none is given.
    public static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!

    /// Creates a schedule; `anchor` is required for `@every` (usually the creation instant).
    public init(
        _ expression: CronExpression,
        timeZone: TimeZone = CronSchedule.utc,
        anchor: Date? = nil
    )
        throws(CronError)
    {
        if expression.interval != nil {
            guard let anchor, anchor.timeIntervalSince1970.isFinite else {
                throw CronError(
                    .missingAnchor,
                    field: "@every",
                    value: expression.source,
                    allowed: "an anchor instant such as the schedule's creation time"
                )
            }
        }
        self.expression = expression
        self.timeZone = timeZone
        self.anchor = expression.interval == nil ? nil : anchor
        self.zone = ZoneTransitions.shared(for: timeZone)
        self.neverFires = expression.neverFires
    }

    /// Parses `text` and evaluates it in `timeZone`.
    public init(
        parsing text: String,
        timeZone: TimeZone = CronSchedule.utc,
        anchor: Date? = nil
    )
        throws(CronError)
    {
        try self.init(CronExpression(parsing: text), timeZone: timeZone, anchor: anchor)
    }

    /// Parses `text` and evaluates it in the zone named `timeZoneIdentifier` (e.g. `Europe/Berlin`).
    public init(parsing text: String, timeZoneIdentifier: String, anchor: Date? = nil) throws(CronError) {
        let expression = try CronExpression(parsing: text)
        try self.init(expression, timeZone: Self.loadTimeZone(timeZoneIdentifier), anchor: anchor)
    }

    /// Builds the schedule from the per-field form, in its `timeZone` (UTC when absent).
    public init(fields: CronFields, anchor: Date? = nil) throws(CronError) {
        let expression = try CronExpression(fields: fields)
        try self.init(expression, timeZone: Self.loadTimeZone(fields.timeZone ?? "UTC"), anchor: anchor)
    }

    /// Loads an IANA zone, failing loudly: an unknown name, or a machine without tzdata, must not
    /// silently schedule in UTC.
    public static func loadTimeZone(_ identifier: String) throws(CronError) -> TimeZone {
        let allowed = "an IANA time zone identifier such as Europe/Berlin or UTC (is tzdata installed?)"
        let trimmed = identifier.trimmingWhitespace()
        guard !trimmed.isEmpty, let zone = TimeZone(identifier: trimmed) else {
            throw CronError(.unknownTimeZone, field: "timeZone", value: identifier, allowed: allowed)
        }
        return zone
    }

    /// The first occurrence strictly after `date`, or nil if none comes before the year 10000
    /// (at once when the expression ``CronExpression/neverFires``).
    public func next(after date: Date) -> Date? {
        let time = date.timeIntervalSince1970
        guard time.isFinite else { return nil }
        if case .interval(let seconds) = expression.kind, let anchor {
            return Self.nextInterval(after: time, anchor: anchor.timeIntervalSince1970, seconds: seconds)
        }
        if case .once(let seconds) = expression.kind {
            return Double(seconds) > time ? Date(timeIntervalSince1970: Double(seconds)) : nil
        }
        guard time < Double(Self.latestInstant) else { return nil }
        let first = time < Double(Self.earliestInstant) ? Self.earliestInstant : Int64(time.rounded(.down)) + 1
        return nextInstant(from: first).map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// The last occurrence strictly before `date`, or nil if none comes after the year 1.
    public func previous(before date: Date) -> Date? {
        let time = date.timeIntervalSince1970
        guard time.isFinite else { return nil }
        if case .interval(let seconds) = expression.kind, let anchor {
            return Self.previousInterval(before: time, anchor: anchor.timeIntervalSince1970, seconds: seconds)
        }
        if case .once(let seconds) = expression.kind {
            return Double(seconds) < time ? Date(timeIntervalSince1970: Double(seconds)) : nil
        }
        guard time > Double(Self.earliestInstant) else { return nil }
        let last = time > Double(Self.latestInstant) ? Self.latestInstant : Int64(time.rounded(.up)) - 1
        return previousInstant(from: last).map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// The occurrences strictly after `date`, in order, computed lazily.
    public func occurrences(after date: Date) -> CronOccurrences {
        CronOccurrences(schedule: self, start: date, direction: .forward)
    }

    /// The occurrences strictly before `date`, latest first, computed lazily.
    public func occurrences(before date: Date) -> CronOccurrences {
        CronOccurrences(schedule: self, start: date, direction: .backward)
    }

    /// Whether `date` is an occurrence: a convenience for checks, not the scheduler's hot path.
    public func isOccurrence(_ date: Date) -> Bool {
        next(after: date.addingTimeInterval(-1)).map { $0 == date } ?? false
    }

    /// Bounds of the calendar search, years 1 and 9999 in seconds (UTC).
    static let earliestInstant: Int64 = -62_135_596_800
    static let latestInstant: Int64 = 253_402_300_799
}
