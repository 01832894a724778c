/// The changes of an action's schedules, message triggers and webhooks: one rule set for every
/// store, and for every kind of child.
extension AutomatedAction {
    /// Appends `schedule`; `limitExceeded` at `limit` schedules, `conflict` if its id is taken.
    public mutating func addSchedule(_ schedule: CronScheduleDefinition, limit: Int) throws(AutomationError) {
        try add(schedule, to: \.schedules, limit: limit, .schedule)
    }

    /// Replaces the schedule with `schedule`'s id; `notFound` if there is none.
    public mutating func replaceSchedule(_ schedule: CronScheduleDefinition) throws(AutomationError) {
        try replace(schedule, in: \.schedules, .schedule)
    }

    /// Removes the schedule with `id`; `notFound` if there is none.
    public mutating func removeSchedule(_ id: ScheduleID) throws(AutomationError) {
        try remove(id, from: \.schedules, .schedule)
    }

    /// Appends `trigger`; `limitExceeded` at `limit` triggers, `conflict` if its id is taken.
    public mutating func addTrigger(_ trigger: MessageTrigger, limit: Int) throws(AutomationError) {
        try add(trigger, to: \.messageTriggers, limit: limit, .messageTrigger)
    }

    /// Replaces the trigger with `trigger`'s id; `notFound` if there is none.
    public mutating func replaceTrigger(_ trigger: MessageTrigger) throws(AutomationError) {
        try replace(trigger, in: \.messageTriggers, .messageTrigger)
    }

    /// Removes the trigger with `id`; `notFound` if there is none.
    public mutating func removeTrigger(_ id: TriggerID) throws(AutomationError) {
        try remove(id, from: \.messageTriggers, .messageTrigger)
    }

    /// Appends `webhook`; `limitExceeded` at `limit` webhooks, `conflict` if its id is taken.
    public mutating func addWebhook(_ webhook: WebhookTrigger, limit: Int) throws(AutomationError) {
        try add(webhook, to: \.webhooks, limit: limit, .webhook)
    }

    /// Replaces the webhook with `webhook`'s id; `notFound` if there is none.
    public mutating func replaceWebhook(_ webhook: WebhookTrigger) throws(AutomationError) {
        try replace(webhook, in: \.webhooks, .webhook)
    }

    /// Removes the webhook with `id`; `notFound` if there is none.
    public mutating func removeWebhook(_ id: WebhookID) throws(AutomationError) {
        try remove(id, from: \.webhooks, .webhook)
    }

    /// How errors name a kind of child: `schedule 3f2… does not exist` at `scheduleId`.
    private struct ChildKind {
        var noun: String
        var listField: String
        var idField: String

        static let schedule = ChildKind(noun: "schedule", listField: "schedules", idField: "scheduleId")
        static let messageTrigger = ChildKind(noun: "message trigger", listField: "messageTriggers", idField: "triggerId")
        static let webhook = ChildKind(noun: "webhook", listField: "webhooks", idField: "webhookId")
    }

    private mutating func add<Child: Identifiable>(
        _ child: Child, to children: WritableKeyPath<AutomatedAction, [Child]>, limit: Int, _ kind: ChildKind
    ) throws(AutomationError) {
        guard self[keyPath: children].count < limit else {
            throw .limitExceeded("an action can have at most \(limit) \(kind.noun)s", field: kind.listField)
        }
        guard !self[keyPath: children].contains(where: { $0.id == child.id }) else {
            throw .conflict("\(kind.noun) \(child.id) already exists", field: kind.idField)
        }
        self[keyPath: children].append(child)
    }

    private mutating func replace<Child: Identifiable>(
        _ child: Child, in children: WritableKeyPath<AutomatedAction, [Child]>, _ kind: ChildKind
    ) throws(AutomationError) {
        self[keyPath: children][try position(of: child.id, in: children, kind)] = child
    }

    private mutating func remove<Child: Identifiable>(
        _ id: Child.ID, from children: WritableKeyPath<AutomatedAction, [Child]>, _ kind: ChildKind
    ) throws(AutomationError) {
        self[keyPath: children].remove(at: try position(of: id, in: children, kind))
    }

    private func position<Child: Identifiable>(
        of id: Child.ID, in children: KeyPath<AutomatedAction, [Child]>, _ kind: ChildKind
    ) throws(AutomationError) -> Int {
        guard let position = self[keyPath: children].firstIndex(where: { $0.id == id }) else {
            throw .notFound("\(kind.noun) \(id) does not exist", field: kind.idField)
        }
        return position
    }
}
