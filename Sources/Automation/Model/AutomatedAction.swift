import Foundation

/// An automated action: an ordered list of items to start, and the schedules and message
/// triggers that start them. The aggregate root of the domain: schedules and triggers belong to
/// exactly one action and are stored with it.
///
/// JSON (seed 000): `id`, `tenantId`, `namespaceId`, `name`, `description`, `status`, `actions`,
/// `schedules`, `messageTriggers` (and `webhooks`, ours), `nextScheduledRunAt`, `totalExecutions`,
/// `consecutiveFailures`, `dateCreated`, `dateUpdated`. Namespaces are identified by name, so
/// `namespaceId` carries the namespace name; `namespace` carries it too, for readability. Null
/// values are written as `null`, as in the seed.
public struct AutomatedAction: Hashable, Sendable, Codable, Identifiable {
    public var id: ActionID
    public var tenantId: TenantID
    public var namespace: NamespaceName
    /// Unique within the namespace; 1–200 characters.
    public var name: String
    public var description: String?
    public var status: ActionStatus
    /// The items, run in order.
    public var actions: [ActionItem]
    public var schedules: [CronScheduleDefinition]
    public var messageTriggers: [MessageTrigger]
    /// Triggers called over HTTP (``WebhookTrigger``), without their secrets.
    public var webhooks: [WebhookTrigger]
    /// The earliest ``CronScheduleDefinition/nextOccurrence`` of the enabled schedules while the
    /// action is active; nil otherwise. Kept in step by ``refreshNextScheduledRun()``.
    public var nextScheduledRunAt: Date?
    /// Completed executions (one per finished history entry).
    public var totalExecutions: Int
    /// Failed executions since the last success.
    public var consecutiveFailures: Int
    public var dateCreated: Date
    public var dateUpdated: Date
    /// Retries, notifications and pausing after failures; JSON carries its fields at the top level.
    public var policies: FailurePolicies
    /// Why the action is paused, when Signalbox paused it (``FailurePolicies/pauseAfterConsecutiveFailures``).
    public var pausedReason: String?
    /// Since when the action is paused; nil while active.
    public var pausedAt: Date?
    /// Who owns the definition: `file` when `serve --definitions` applied it (then the API
    /// refuses edits with 409); nil for actions managed through the API.
    public var managedBy: ActionManager?
    /// The file, relative to the definitions directory, that defines a file-managed action.
    public var definedIn: String?
    /// How the items run: all at once (`parallel`, the default) or one after another
    /// (`sequential`: item n+1 starts when item n completed successfully). See `docs/sequences.md`.
    public var execution: ActionExecution

    public init(
        id: ActionID = .random(),
        tenantId: TenantID,
        namespace: NamespaceName,
        name: String,
        description: String? = nil,
        status: ActionStatus = .active,
        actions: [ActionItem],
        schedules: [CronScheduleDefinition] = [],
        messageTriggers: [MessageTrigger] = [],
        webhooks: [WebhookTrigger] = [],
        nextScheduledRunAt: Date? = nil,
        totalExecutions: Int = 0,
        consecutiveFailures: Int = 0,
        dateCreated: Date,
        dateUpdated: Date,
        policies: FailurePolicies = FailurePolicies(),
        pausedReason: String? = nil,
        pausedAt: Date? = nil,
        managedBy: ActionManager? = nil,
        definedIn: String? = nil,
        execution: ActionExecution = .parallel
    ) {
        self.execution = execution
        self.managedBy = managedBy
        self.definedIn = definedIn
        self.policies = policies
        self.pausedReason = pausedReason
        self.pausedAt = pausedAt
        self.id = id
        self.tenantId = tenantId
        self.namespace = namespace
        self.name = name
        self.description = description
        self.status = status
        self.actions = actions
        self.schedules = schedules
        self.messageTriggers = messageTriggers
        self.webhooks = webhooks
        self.nextScheduledRunAt = nextScheduledRunAt
        self.totalExecutions = totalExecutions
        self.consecutiveFailures = consecutiveFailures
        self.dateCreated = dateCreated
        self.dateUpdated = dateUpdated
    }

    /// The value ``nextScheduledRunAt`` must have: the earliest next occurrence of an enabled
    /// schedule, or nil when paused or when no enabled schedule has one. Stores call this after
    /// changing schedules so the field never goes stale.
    public var computedNextScheduledRunAt: Date? {
        guard status == .active else { return nil }
        return schedules.filter(\.isEnabled).compactMap(\.nextOccurrence).min()
    }

    /// Sets ``nextScheduledRunAt`` to ``computedNextScheduledRunAt``.
    public mutating func refreshNextScheduledRun() {
        nextScheduledRunAt = computedNextScheduledRunAt
    }

    /// Takes what the store owns from `stored` (counters, `dateCreated`) and recomputes
    /// `nextScheduledRunAt`: how a store replaces a stored action with a caller's copy.
    public mutating func keepStoreOwnedFields(of stored: AutomatedAction) {
        totalExecutions = stored.totalExecutions
        consecutiveFailures = stored.consecutiveFailures
        dateCreated = stored.dateCreated
        refreshNextScheduledRun()
    }

    /// Takes `stored`'s status and pause fields when this copy kept the status it was read with
    /// (`read`) and the stored one moved since: an edit does not undo a pause it did not ask for.
    public mutating func keepStatus(of stored: AutomatedAction, ifUnchangedFrom read: ActionStatus?) {
        guard let read, status == read, stored.status != read else { return }
        status = stored.status
        pausedReason = stored.pausedReason
        pausedAt = stored.pausedAt
    }

    /// Moves the action to `status` at `now` (the caller checked the transition). Paused by a
    /// caller: since now, with no reason of Signalbox's; otherwise neither. Becoming active (a
    /// draft activated, a paused action resumed), its schedules continue from now: runs missed
    /// meanwhile are not made up.
    public mutating func changeStatus(to status: ActionStatus, at now: Date) {
        self.status = status
        pausedAt = status == .paused ? now : nil
        pausedReason = nil
        if status == .active {
            for index in schedules.indices where schedules[index].isEnabled {
                schedules[index].nextOccurrence = try? schedules[index].makeSchedule().next(after: now)
            }
        }
        refreshNextScheduledRun()
    }

    /// `conflict` when the action is archived: archived actions are read-only (stores check it
    /// again in the write, so an edit read before the archiving does not land after it).
    public func requireEditable() throws(AutomationError) {
        guard status != .archived else {
            throw .conflict(
                "action \"\(name)\" is archived, and archived actions are read-only; delete it or create a new one",
                field: "status")
        }
    }

    /// `conflict` unless the lifecycle allows this action's status to become `next`; the message
    /// names the statuses it can become.
    public func requireTransition(to next: ActionStatus) throws(AutomationError) {
        guard status.canChange(to: next) else {
            let allowed = status.successors.map(\.rawValue).joined(separator: " or ")
            throw .conflict(
                "action \"\(name.prefix(200))\" is \(status.rawValue) and cannot become \(next.rawValue); a \(status.rawValue) action can become \(allowed)",
                field: "status")
        }
    }

    /// `conflict` when a definitions directory manages this action (edits go to its file), naming
    /// the file. The stores' whole-action update checks it again in its write, so a PUT read
    /// before a reload made the action file-managed does not land after it (the calls on one
    /// schedule, trigger or webhook check only what they read).
    public func requireNotFileManaged() throws(AutomationError) {
        guard managedBy == .file else { return }
        throw .conflict(
            "action \"\(name.prefix(200))\" in namespace \(namespace) is defined in \(definedIn ?? "a definitions file")"
                + " (managedBy: file); change it there and reload the definitions (SIGHUP)",
            field: nil)
    }

    /// The schedule with `id`, if the action has it.
    public func schedule(_ id: ScheduleID) -> CronScheduleDefinition? {
        schedules.first { $0.id == id }
    }

    /// The message trigger with `id`, if the action has it.
    public func messageTrigger(_ id: TriggerID) -> MessageTrigger? {
        messageTriggers.first { $0.id == id }
    }

    /// The webhook with `id`, if the action has it.
    public func webhook(_ id: WebhookID) -> WebhookTrigger? {
        webhooks.first { $0.id == id }
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId, namespaceId, namespace, name, description, status, isEnabled, actions, schedules
        case messageTriggers, webhooks, nextScheduledRunAt, totalExecutions, consecutiveFailures, dateCreated
        case dateUpdated, retryPolicy, notification, pauseAfterConsecutiveFailures, pausedReason, pausedAt
        case managedBy, definedIn, execution
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ActionID.self, forKey: .id)
        tenantId = try c.decode(TenantID.self, forKey: .tenantId)
        if let namespace = try c.decodeIfPresent(NamespaceName.self, forKey: .namespace) {
            self.namespace = namespace
        } else {
            namespace = try c.decode(NamespaceName.self, forKey: .namespaceId)
        }
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        status = try c.decodeIfPresent(ActionStatus.self, forKey: .status) ?? .active
        actions = try c.decode([ActionItem].self, forKey: .actions)
        schedules = try c.decodeIfPresent([CronScheduleDefinition].self, forKey: .schedules) ?? []
        messageTriggers = try c.decodeIfPresent([MessageTrigger].self, forKey: .messageTriggers) ?? []
        webhooks = try c.decodeIfPresent([WebhookTrigger].self, forKey: .webhooks) ?? []
        nextScheduledRunAt = try c.decodeIfPresent(Date.self, forKey: .nextScheduledRunAt)
        totalExecutions = try c.decodeIfPresent(Int.self, forKey: .totalExecutions) ?? 0
        consecutiveFailures = try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0
        dateCreated = try c.decode(Date.self, forKey: .dateCreated)
        dateUpdated = try c.decode(Date.self, forKey: .dateUpdated)
        policies = FailurePolicies(
            retryPolicy: try c.decodeIfPresent(RetryPolicy.self, forKey: .retryPolicy),
            notification: try c.decodeIfPresent(NotificationSettings.self, forKey: .notification),
            pauseAfterConsecutiveFailures: try c.decodeIfPresent(Int.self, forKey: .pauseAfterConsecutiveFailures))
        pausedReason = try c.decodeIfPresent(String.self, forKey: .pausedReason)
        pausedAt = try c.decodeIfPresent(Date.self, forKey: .pausedAt)
        managedBy = try c.decodeIfPresent(ActionManager.self, forKey: .managedBy)
        definedIn = try c.decodeIfPresent(String.self, forKey: .definedIn)
        execution = try c.decodeIfPresent(ActionExecution.self, forKey: .execution) ?? .parallel
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantId, forKey: .tenantId)
        try c.encode(namespace, forKey: .namespaceId)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(status, forKey: .status)
        // Seed 000's switch, derived: only an active action runs by itself.
        try c.encode(status.runsAutomatically, forKey: .isEnabled)
        try c.encode(actions, forKey: .actions)
        try c.encode(schedules, forKey: .schedules)
        try c.encode(messageTriggers, forKey: .messageTriggers)
        try c.encode(webhooks, forKey: .webhooks)
        try c.encode(nextScheduledRunAt, forKey: .nextScheduledRunAt)
        try c.encode(totalExecutions, forKey: .totalExecutions)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encode(dateCreated, forKey: .dateCreated)
        try c.encode(dateUpdated, forKey: .dateUpdated)
        try c.encode(policies.retryPolicy, forKey: .retryPolicy)
        try c.encode(policies.notification, forKey: .notification)
        try c.encode(policies.pauseAfterConsecutiveFailures, forKey: .pauseAfterConsecutiveFailures)
        try c.encode(pausedReason, forKey: .pausedReason)
        try c.encode(pausedAt, forKey: .pausedAt)
        try c.encode(managedBy, forKey: .managedBy)
        try c.encode(definedIn, forKey: .definedIn)
        try c.encode(execution, forKey: .execution)
    }
}

/// Who owns an action's definition when it is not the API.
public enum ActionManager: String, Hashable, Sendable, Codable, CaseIterable {
    /// The definitions directory of `serve --definitions` (or `definitions.directory`).
    case file
}

/// Where an action is in its life (seed 004). Only an `active` action is started by events,
/// schedules, webhooks and delayed runs; a manual trigger also runs a `draft` (a test run) or a
/// `paused` one, never an `archived` one. An archived action is read-only: it stays for its
/// history and can only be deleted.
public enum ActionStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case draft
    case active
    case paused
    case archived

    /// The statuses this one may change to: draft → active; active ↔ paused; any → archived;
    /// archived → nothing.
    public var successors: [ActionStatus] {
        switch self {
        case .draft: [.active, .archived]
        case .active: [.paused, .archived]
        case .paused: [.active, .archived]
        case .archived: []
        }
    }

    /// Whether an action in this status may change to `next` (staying put is always allowed).
    public func canChange(to next: ActionStatus) -> Bool {
        next == self || successors.contains(next)
    }

    /// Whether schedules, message triggers, webhooks and delayed runs start the action.
    public var runsAutomatically: Bool { self == .active }

    /// Whether a manual trigger may run it (a draft's manual run is its test run).
    public var allowsManualRun: Bool { self != .archived }

    /// Whether a sequence under way starts its next item in this status: while the action is
    /// active, and for a run started by hand also while it is a draft (its test run runs every
    /// item). Pausing stops every sequence: it is how an operator stops one.
    public func continuesRun(startedBy trigger: ExecutionTriggerType) -> Bool {
        runsAutomatically || (trigger == .manual && self == .draft)
    }
}

/// How an action's items run (`execution`): `parallel` starts every item at once; `sequential`
/// starts item n+1 only when item n's process completed successfully, and records the items
/// after a failed one `Skipped`.
public enum ActionExecution: String, Hashable, Sendable, Codable, CaseIterable {
    case parallel
    case sequential
}
