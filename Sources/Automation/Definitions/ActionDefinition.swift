/// One action as written in a definitions file (`signalbox apply`, `serve --definitions`) and as
/// `signalbox export` writes it: the body of `POST /namespaces/{ns}/automated-actions` plus
/// `namespace` and `webhooks`. An action is identified by namespace and name; its schedules,
/// message triggers and webhooks by their names within it (a changed one keeps its id, so a
/// webhook keeps its URL and secret).
///
/// JSON/YAML: `{"name", "namespace", "description", "status", "actions", "schedules",
/// "messageTriggers", "webhooks", "retryPolicy", "notification", "pauseAfterConsecutiveFailures",
/// "execution"}`;
/// see `docs/definitions-as-code.md` and `docs/definitions.schema.json`.
public struct ActionDefinition: Hashable, Sendable, Codable {
    public var name: String
    /// Nil: the apply request's `namespace`.
    public var namespace: NamespaceName?
    public var description: String?
    /// Nil: `active` when created, left as it is on update (a pause by an operator or after
    /// failures stays).
    public var status: ActionStatus?
    /// The items, run in order.
    public var actions: [ActionItem]
    public var schedules: [AddScheduleRequest]?
    public var messageTriggers: [AddTriggerRequest]?
    public var webhooks: [AddWebhookRequest]?
    public var retryPolicy: RetryPolicy?
    public var notification: NotificationSettings?
    public var pauseAfterConsecutiveFailures: Int?
    /// `parallel` (nil) or `sequential`.
    public var execution: ActionExecution?
    /// The file the definition came from, relative to the definitions directory: set by the
    /// directory loader of `serve`, never read from or written to JSON.
    public var definedIn: String?

    public init(
        name: String, namespace: NamespaceName? = nil, description: String? = nil, status: ActionStatus? = nil,
        actions: [ActionItem], schedules: [AddScheduleRequest]? = nil, messageTriggers: [AddTriggerRequest]? = nil,
        webhooks: [AddWebhookRequest]? = nil, policies: FailurePolicies = FailurePolicies(), definedIn: String? = nil,
        execution: ActionExecution? = nil
    ) {
        self.execution = execution
        self.name = name
        self.namespace = namespace
        self.description = description
        self.status = status
        self.actions = actions
        self.schedules = schedules
        self.messageTriggers = messageTriggers
        self.webhooks = webhooks
        self.retryPolicy = policies.retryPolicy
        self.notification = policies.notification
        self.pauseAfterConsecutiveFailures = policies.pauseAfterConsecutiveFailures
        self.definedIn = definedIn
    }

    /// The members a definition may have, for the loaders' unknown-key check.
    public static let memberNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, namespace, description, status, actions, schedules, messageTriggers, webhooks
        case retryPolicy, notification, pauseAfterConsecutiveFailures, execution
    }

    public var policies: FailurePolicies {
        FailurePolicies(retryPolicy: retryPolicy, notification: notification, pauseAfterConsecutiveFailures: pauseAfterConsecutiveFailures)
    }
}

extension ActionDefinition {
    /// The definition of a stored action, as `export` writes it: defaults left out, children in
    /// their stored order. Applying it changes nothing.
    public init(exporting action: AutomatedAction) {
        self.init(
            name: action.name, namespace: action.namespace, description: action.description, status: action.status,
            actions: action.actions,
            schedules: action.schedules.isEmpty ? nil : action.schedules.map(AddScheduleRequest.init(exporting:)),
            messageTriggers: action.messageTriggers.isEmpty ? nil : action.messageTriggers.map(AddTriggerRequest.init(exporting:)),
            webhooks: action.webhooks.isEmpty ? nil : action.webhooks.map(AddWebhookRequest.init(exporting:)),
            policies: action.policies, execution: action.execution == .parallel ? nil : action.execution)
    }
}

extension AddScheduleRequest {
    /// A stored schedule as a request, defaults left out (`isEnabled: true`, `timeZone: UTC`,
    /// `missedRunPolicy: fireOnce`).
    public init(exporting schedule: CronScheduleDefinition) {
        self.init(
            name: schedule.name, isEnabled: schedule.isEnabled ? nil : false, second: schedule.second, minute: schedule.minute,
            hour: schedule.hour, dayOfMonth: schedule.dayOfMonth, month: schedule.month, dayOfWeek: schedule.dayOfWeek,
            cron: schedule.cron, at: schedule.at, timeZone: schedule.timeZone == "UTC" ? nil : schedule.timeZone,
            missedRunPolicy: schedule.missedRunPolicy == .fireOnce ? nil : schedule.missedRunPolicy)
    }

    /// This request with every default written out the way the store keeps it (omitted classic
    /// fields of the per-field form as `*`), so that two requests for the same schedule compare equal.
    public var normalized: AddScheduleRequest {
        var copy = self
        copy.isEnabled = isEnabled ?? true
        copy.timeZone = timeZone ?? "UTC"
        copy.missedRunPolicy = missedRunPolicy ?? .fireOnce
        if cron == nil && at == nil {
            copy.minute = minute ?? "*"
            copy.hour = hour ?? "*"
            copy.dayOfMonth = dayOfMonth ?? "*"
            copy.month = month ?? "*"
            copy.dayOfWeek = dayOfWeek ?? "*"
        }
        return copy
    }
}

extension AddTriggerRequest {
    /// A stored message trigger as a request, `isEnabled: true` left out.
    public init(exporting trigger: MessageTrigger) {
        self.init(
            name: trigger.name, isEnabled: trigger.isEnabled ? nil : false, triggerType: trigger.triggerType,
            eventFilter: trigger.eventFilter, delay: trigger.delay, cancels: trigger.cancels)
    }

    /// With `isEnabled` written out.
    public var normalized: AddTriggerRequest {
        var copy = self
        copy.isEnabled = isEnabled ?? true
        return copy
    }
}

extension AddWebhookRequest {
    /// A stored webhook as a request (without its secret, which no file holds), defaults left out.
    public init(exporting webhook: WebhookTrigger) {
        self.init(
            name: webhook.name, isEnabled: webhook.isEnabled ? nil : false, filter: webhook.filter,
            allowSecretParameter: webhook.allowSecretParameter ? true : nil,
            rateLimit: webhook.rateLimit == WebhookRateLimit() ? nil : webhook.rateLimit, delay: webhook.delay,
            cancels: webhook.cancels)
    }

    /// With `isEnabled`, `allowSecretParameter` and `rateLimit` written out.
    public var normalized: AddWebhookRequest {
        var copy = self
        copy.isEnabled = isEnabled ?? true
        copy.allowSecretParameter = allowSecretParameter ?? false
        copy.rateLimit = rateLimit ?? WebhookRateLimit()
        return copy
    }
}
