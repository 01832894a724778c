/// Body of `POST /namespaces/{ns}/automated-actions` (seed 000):
/// `{"name", "description", "actions": [...]}`.
///
/// `schedules` and `messageTriggers` may also be given, to create a complete action in one call;
/// errors in them name the field as `schedules[0].hour` or `messageTriggers[0].eventFilter`.
public struct CreateActionRequest: Hashable, Sendable, Codable {
    public var name: String
    public var description: String?
    public var actions: [ActionItem]
    /// `active` unless given.
    public var status: ActionStatus?
    public var schedules: [AddScheduleRequest]?
    public var messageTriggers: [AddTriggerRequest]?

    public init(
        name: String,
        description: String? = nil,
        actions: [ActionItem],
        status: ActionStatus? = nil,
        schedules: [AddScheduleRequest]? = nil,
        messageTriggers: [AddTriggerRequest]? = nil
    ) {
        self.name = name
        self.description = description
        self.actions = actions
        self.status = status
        self.schedules = schedules
        self.messageTriggers = messageTriggers
    }
}

/// Body of `PUT …/automated-actions/…`: the fields to change; absent fields keep their value.
/// Schedules and triggers are changed through their own calls.
public struct UpdateActionRequest: Hashable, Sendable, Codable {
    public var name: String?
    public var description: String?
    public var actions: [ActionItem]?
    public var status: ActionStatus?

    public init(name: String? = nil, description: String? = nil, actions: [ActionItem]? = nil, status: ActionStatus? = nil) {
        self.name = name
        self.description = description
        self.actions = actions
        self.status = status
    }
}
