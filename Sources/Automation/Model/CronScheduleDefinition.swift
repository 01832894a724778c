import Cron
import Foundation

/// A time-based trigger of an action: a cron schedule in an IANA time zone, or a one-time one.
///
/// Written field by field as in the seed (`minute: "0", hour: "9"`; missing fields are `*`,
/// a missing `second` is 0), as one `cron` expression (`"0 9 * * *"`, `"@daily"`,
/// `"@every 5m"`), or as `at`, one instant (`"2026-12-24T09:00:00Z"`, or a local date-time read in
/// `timeZone`); exactly one of the three forms is used. An action has at most five.
///
/// In the per-field form (no `cron`, no `at`) the five classic fields are never nil: every initializer
/// fills an omitted one with `"*"`, so it is stored and returned as `"*"` as in seed 000 — rows
/// written before that rule included, since the stores read through these initializers.
/// `second` stays nil unless given: it is returned only when it was given.
///
/// JSON (seed 000): `{"id", "name", "isEnabled", "minute", "hour", "dayOfMonth", "month",
/// "dayOfWeek", "nextOccurrence"}` plus `second`, `cron`, `timeZone`, `missedRunPolicy` and
/// `dateCreated`, and `at` and `firedAt` for one-time schedules. Absent fields are omitted (the
/// five classic fields only in the `cron` and `at` forms); `nextOccurrence` is always written
/// (null when the schedule is disabled, or a one-time schedule fired).
public struct CronScheduleDefinition: Hashable, Sendable, Codable, Identifiable {
    public var id: ScheduleID
    public var name: String
    public var isEnabled: Bool
    public var second: String?
    public var minute: String?
    public var hour: String?
    public var dayOfMonth: String?
    public var month: String?
    public var dayOfWeek: String?
    /// The whole expression, when the schedule is not given field by field.
    public var cron: String?
    /// The one instant of a one-time schedule, as given (RFC 3339, or local in `timeZone`).
    public var at: String?
    /// The instant a one-time schedule fired for, once its run was confirmed; nil before, and for
    /// other schedules.
    public var firedAt: Date?
    /// IANA time zone the wall clock is read in; `UTC` by default.
    public var timeZone: String
    /// What the scheduler does about occurrences missed while Signalbox was down.
    public var missedRunPolicy: MissedRunPolicy
    /// The next instant this schedule fires; nil when disabled (or when it never fires again).
    public var nextOccurrence: Date?
    /// When the schedule was added: the anchor `@every` intervals count from.
    public var dateCreated: Date

    public init(
        id: ScheduleID = .random(),
        name: String,
        isEnabled: Bool = true,
        second: String? = nil,
        minute: String? = nil,
        hour: String? = nil,
        dayOfMonth: String? = nil,
        month: String? = nil,
        dayOfWeek: String? = nil,
        cron: String? = nil,
        at: String? = nil,
        firedAt: Date? = nil,
        timeZone: String = "UTC",
        missedRunPolicy: MissedRunPolicy = .fireOnce,
        nextOccurrence: Date? = nil,
        dateCreated: Date
    ) {
        self.id = id
        self.name = name
        self.isEnabled = isEnabled
        self.second = second
        let whole = cron != nil || at != nil
        self.minute = Self.field(minute, whole: whole)
        self.hour = Self.field(hour, whole: whole)
        self.dayOfMonth = Self.field(dayOfMonth, whole: whole)
        self.month = Self.field(month, whole: whole)
        self.dayOfWeek = Self.field(dayOfWeek, whole: whole)
        self.cron = cron
        self.at = at
        self.firedAt = firedAt
        self.timeZone = timeZone
        self.missedRunPolicy = missedRunPolicy
        self.nextOccurrence = nextOccurrence
        self.dateCreated = dateCreated
    }

    /// A classic field of the per-field form: `"*"` when omitted. Left alone in the `cron` and
    /// `at` forms (`whole`).
    private static func field(_ text: String?, whole: Bool) -> String? {
        whole ? text : text ?? "*"
    }

    /// The per-field form as the `Cron` module takes it (ignores `cron`).
    public var fields: CronFields {
        CronFields(
            second: second, minute: minute, hour: hour, dayOfMonth: dayOfMonth, month: month,
            dayOfWeek: dayOfWeek, timeZone: timeZone)
    }

    /// The expression as one line (`0 9 * * *` or `0 0 9 * * *`), for display.
    public var expressionText: String {
        if let at { return "at \(at)" }
        if let cron { return cron }
        let five = [minute, hour, dayOfMonth, month, dayOfWeek].map { $0 ?? "*" }
        return ((second.map { [$0] } ?? []) + five).joined(separator: " ")
    }

    /// Builds the evaluable schedule; fails as at creation (an unknown zone, say, if tzdata was
    /// removed since).
    public func makeSchedule() throws(CronError) -> CronSchedule {
        if let at {
            return try CronSchedule(at: at, timeZoneIdentifier: timeZone)
        }
        if let cron {
            return try CronSchedule(parsing: cron, timeZoneIdentifier: timeZone, anchor: dateCreated)
        }
        return try CronSchedule(fields: fields, anchor: dateCreated)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, isEnabled, second, minute, hour, dayOfMonth, month, dayOfWeek, cron, at, firedAt
        case timeZone, missedRunPolicy, nextOccurrence, dateCreated
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ScheduleID.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        isEnabled = try c.decodeIfPresent(Bool.self, forKey: .isEnabled) ?? true
        second = try c.decodeIfPresent(String.self, forKey: .second)
        cron = try c.decodeIfPresent(String.self, forKey: .cron)
        at = try c.decodeIfPresent(String.self, forKey: .at)
        firedAt = try c.decodeIfPresent(Date.self, forKey: .firedAt)
        let whole = cron != nil || at != nil
        minute = Self.field(try c.decodeIfPresent(String.self, forKey: .minute), whole: whole)
        hour = Self.field(try c.decodeIfPresent(String.self, forKey: .hour), whole: whole)
        dayOfMonth = Self.field(try c.decodeIfPresent(String.self, forKey: .dayOfMonth), whole: whole)
        month = Self.field(try c.decodeIfPresent(String.self, forKey: .month), whole: whole)
        dayOfWeek = Self.field(try c.decodeIfPresent(String.self, forKey: .dayOfWeek), whole: whole)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        missedRunPolicy = try c.decodeIfPresent(MissedRunPolicy.self, forKey: .missedRunPolicy) ?? .fireOnce
        nextOccurrence = try c.decodeIfPresent(Date.self, forKey: .nextOccurrence)
        dateCreated = try c.decodeIfPresent(Date.self, forKey: .dateCreated) ?? Date(timeIntervalSince1970: 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(isEnabled, forKey: .isEnabled)
        try c.encodeIfPresent(second, forKey: .second)
        try c.encodeIfPresent(minute, forKey: .minute)
        try c.encodeIfPresent(hour, forKey: .hour)
        try c.encodeIfPresent(dayOfMonth, forKey: .dayOfMonth)
        try c.encodeIfPresent(month, forKey: .month)
        try c.encodeIfPresent(dayOfWeek, forKey: .dayOfWeek)
        try c.encodeIfPresent(cron, forKey: .cron)
        try c.encodeIfPresent(at, forKey: .at)
        if at != nil { try c.encode(firedAt, forKey: .firedAt) }
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(missedRunPolicy, forKey: .missedRunPolicy)
        try c.encode(nextOccurrence, forKey: .nextOccurrence)
        try c.encode(dateCreated, forKey: .dateCreated)
    }
}

/// What happens to occurrences that passed while the scheduler was not running.
public enum MissedRunPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Run once for all of them when the scheduler comes back (the default), then resume.
    case fireOnce
    /// Drop them and wait for the next occurrence.
    case skip
}
