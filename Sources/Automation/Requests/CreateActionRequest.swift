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
    public var retryPolicy: RetryPolicy?
    public var notification: NotificationSettings?
    public var pauseAfterConsecutiveFailures: Int?
    /// `parallel` unless given.
    public var execution: ActionExecution?

    public init(
        name: String,
        description: String? = nil,
        actions: [ActionItem],
        status: ActionStatus? = nil,
        schedules: [AddScheduleRequest]? = nil,
        messageTriggers: [AddTriggerRequest]? = nil,
        policies: FailurePolicies = FailurePolicies(),
        execution: ActionExecution? = nil
    ) {
        self.execution = execution
        self.retryPolicy = policies.retryPolicy
        self.notification = policies.notification
        self.pauseAfterConsecutiveFailures = policies.pauseAfterConsecutiveFailures
        self.name = name
        self.description = description
        self.actions = actions
        self.status = status
        self.schedules = schedules
        self.messageTriggers = messageTriggers
    }
}

extension CreateActionRequest {
    public var policies: FailurePolicies {
        FailurePolicies(retryPolicy: retryPolicy, notification: notification, pauseAfterConsecutiveFailures: pauseAfterConsecutiveFailures)
    }
}

/// Body of `PUT …/automated-actions/…`: the fields to change; absent fields keep their value.
/// `retryPolicy`, `notification` and `pauseAfterConsecutiveFailures` given as `null` are removed.
/// Schedules and triggers are changed through their own calls.
public struct UpdateActionRequest: Hashable, Sendable, Codable {
    public var name: String?
    public var description: String?
    public var actions: [ActionItem]?
    public var status: ActionStatus?
    /// Seed 000's switch: true is `status: active`, false `status: paused`.
    public var isEnabled: Bool?
    /// nil: unchanged; `.some(nil)`: removed.
    public var retryPolicy: RetryPolicy??
    public var notification: NotificationSettings??
    public var pauseAfterConsecutiveFailures: Int??
    /// `parallel` or `sequential`; nil: unchanged.
    public var execution: ActionExecution?

    public init(
        name: String? = nil, description: String? = nil, actions: [ActionItem]? = nil, status: ActionStatus? = nil,
        retryPolicy: RetryPolicy?? = nil, notification: NotificationSettings?? = nil, pauseAfterConsecutiveFailures: Int?? = nil,
        isEnabled: Bool? = nil, execution: ActionExecution? = nil
    ) {
        self.execution = execution
        self.isEnabled = isEnabled
        self.name = name
        self.description = description
        self.actions = actions
        self.status = status
        self.retryPolicy = retryPolicy
        self.notification = notification
        self.pauseAfterConsecutiveFailures = pauseAfterConsecutiveFailures
    }

    enum CodingKeys: String, CodingKey {
        case name, description, actions, status, isEnabled, retryPolicy, notification, pauseAfterConsecutiveFailures, execution
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        actions = try c.decodeIfPresent([ActionItem].self, forKey: .actions)
        status = try c.decodeIfPresent(ActionStatus.self, forKey: .status)
        isEnabled = try c.decodeIfPresent(Bool.self, forKey: .isEnabled)
        retryPolicy = try Self.presentOrNull(c, .retryPolicy)
        notification = try Self.presentOrNull(c, .notification)
        pauseAfterConsecutiveFailures = try Self.presentOrNull(c, .pauseAfterConsecutiveFailures)
        execution = try c.decodeIfPresent(ActionExecution.self, forKey: .execution)
    }

    /// Absent → nil; `null` → `.some(nil)`; a value → `.some(value)`.
    private static func presentOrNull<T: Decodable>(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> T?? {
        guard c.contains(key) else { return nil }
        if try c.decodeNil(forKey: key) { return .some(nil) }
        return .some(try c.decode(T.self, forKey: key))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(actions, forKey: .actions)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(isEnabled, forKey: .isEnabled)
        if let retryPolicy { try c.encode(retryPolicy, forKey: .retryPolicy) }
        if let notification { try c.encode(notification, forKey: .notification) }
        if let pauseAfterConsecutiveFailures { try c.encode(pauseAfterConsecutiveFailures, forKey: .pauseAfterConsecutiveFailures) }
        try c.encodeIfPresent(execution, forKey: .execution)
    }
}
