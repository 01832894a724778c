import Foundation

/// A parsed, validated cron expression: what to match, independent of any time zone.
///
/// Parsing happens once, when a schedule is defined, so every error surfaces there with the
/// field, value and allowed range; evaluation (`CronSchedule`) then never fails. An expression that
/// can never fire (`0 0 30 2 *`) is valid (CRON.md): it has no occurrences, and ``neverFires``
/// says so, for callers that refuse such schedules (the API does, `cron next` does not).
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        /// A calendar expression (5 or 6 fields, a descriptor, or the per-field form).
        case calendar(CronPattern)
        /// `@every`: runs every so many seconds of real time, ignoring the time zone.
        case interval(seconds: Int64)
        /// A one-time schedule: this instant (Unix seconds) and no other.
        case once(seconds: Int64)
    }

    let kind: Kind

    /// The expression as written (trimmed), for display and logs.
    public let source: String

    /// Parses 5 fields (`minute hour day-of-month month day-of-week`), 6 fields (seconds first),
    /// a descriptor (`@daily` …) or `@every 1h30m`.
    public init(parsing text: String) throws(CronError) {
        self = try CronExpressionParser.parse(text)
    }

    /// Builds the expression from the per-field form; missing fields are `*`, a missing second is 0.
    public init(fields: CronFields) throws(CronError) {
        self = try CronExpressionParser.parse(fields: fields)
    }

    init(kind: Kind, source: String) {
        self.kind = kind
        self.source = source
    }

    public var description: String { source }

    /// True when no date matches (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`): the schedule has no
    /// occurrences at all. `@every` always fires.
    public var neverFires: Bool {
        if case .calendar(let pattern) = kind { return !pattern.firesOnSomeDay }
        return false
    }

    /// The one instant of a one-time schedule (``CronSchedule/init(at:timeZoneIdentifier:)``).
    public var onlyInstant: Date? {
        if case .once(let seconds) = kind { return Date(timeIntervalSince1970: Double(seconds)) }
        return nil
    }

    /// The `@every` period, or nil for calendar expressions.
    public var interval: Duration? {
        if case .interval(let seconds) = kind { return .seconds(seconds) }
        return nil
    }

    /// True when the minute and hour fields are both fixed (neither starts with `*`).
    ///
    /// Such a schedule fires once per matching wall time across DST changes: at the first pass
    /// of a repeated hour, and at the instant of the jump for a skipped one. `@every` is never
    /// fixed-time.
    public var isFixedTime: Bool {
        if case .calendar(let pattern) = kind { return !pattern.isWildcard }
        return false
    }
}
