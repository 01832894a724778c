/// The per-field form of a schedule, as stored by the automation API (seed schema):
/// `{"minute": "0", "hour": "9", "dayOfMonth": "*", "month": "*", "dayOfWeek": "*"}`.
///
/// Each property holds one field's text in the usual cron syntax. A missing field means `*`,
/// except `second`, which defaults to `0` so a five-field schedule keeps firing once a minute at
/// most. `timeZone` is an IANA identifier and defaults to UTC.
public struct CronFields: Hashable, Sendable, Codable {
    public var second: String?
    public var minute: String?
    public var hour: String?
    public var dayOfMonth: String?
    public var month: String?
    public var dayOfWeek: String?
    public var timeZone: String?

    public init(
        second: String? = nil,
        minute: String? = nil,
        hour: String? = nil,
        dayOfMonth: String? = nil,
        month: String? = nil,
        dayOfWeek: String? = nil,
        timeZone: String? = nil
    ) {
        self.second = second
        self.minute = minute
        self.hour = hour
        self.dayOfMonth = dayOfMonth
        self.month = month
        self.dayOfWeek = dayOfWeek
        self.timeZone = timeZone
    }
}
