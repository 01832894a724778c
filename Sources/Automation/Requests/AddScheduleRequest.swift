/// Body of `POST /automated-actions/by-id/{id}/schedules` (seed 000):
/// `{"name", "isEnabled", "minute", "hour", "dayOfMonth", "month", "dayOfWeek"}`, optionally
/// `second`; or `cron` (a whole expression) instead of the fields; `timeZone` (default UTC) and
/// `missedRunPolicy` (default `fireOnce`).
public struct AddScheduleRequest: Hashable, Sendable, Codable {
    public var name: String
    public var isEnabled: Bool?
    public var second: String?
    public var minute: String?
    public var hour: String?
    public var dayOfMonth: String?
    public var month: String?
    public var dayOfWeek: String?
    public var cron: String?
    /// A one-time schedule's instant: RFC 3339 (`2026-12-24T09:00:00Z`) or local in `timeZone`.
    public var at: String?
    public var timeZone: String?
    public var missedRunPolicy: MissedRunPolicy?

    public init(
        name: String,
        isEnabled: Bool? = nil,
        second: String? = nil,
        minute: String? = nil,
        hour: String? = nil,
        dayOfMonth: String? = nil,
        month: String? = nil,
        dayOfWeek: String? = nil,
        cron: String? = nil,
        at: String? = nil,
        timeZone: String? = nil,
        missedRunPolicy: MissedRunPolicy? = nil
    ) {
        self.name = name
        self.isEnabled = isEnabled
        self.second = second
        self.minute = minute
        self.hour = hour
        self.dayOfMonth = dayOfMonth
        self.month = month
        self.dayOfWeek = dayOfWeek
        self.cron = cron
        self.at = at
        self.timeZone = timeZone
        self.missedRunPolicy = missedRunPolicy
    }

    /// Whether any per-field member is present.
    public var hasFields: Bool {
        [second, minute, hour, dayOfMonth, month, dayOfWeek].contains { $0 != nil }
    }
}

/// Body of `POST /automated-actions/by-id/{id}/message-triggers` (seed 000):
/// `{"name", "isEnabled", "triggerType", "eventFilter"}`.
public struct AddTriggerRequest: Hashable, Sendable, Codable {
    public var name: String
    public var isEnabled: Bool?
    public var triggerType: TriggerType
    public var eventFilter: String
    /// `{"seconds", "keyFromEvent"?}`: a match schedules a delayed run instead of running now.
    public var delay: TriggerDelay?
    /// `{"keyFromEvent"}`: a match cancels the action's scheduled runs with that key.
    public var cancels: TriggerCancellation?

    public init(
        name: String, isEnabled: Bool? = nil, triggerType: TriggerType, eventFilter: String, delay: TriggerDelay? = nil,
        cancels: TriggerCancellation? = nil
    ) {
        self.name = name
        self.isEnabled = isEnabled
        self.triggerType = triggerType
        self.eventFilter = eventFilter
        self.delay = delay
        self.cancels = cancels
    }
}
