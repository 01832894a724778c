import Foundation

/// A store whose edits of one action's schedules, triggers and webhooks are each one
/// read–change–write of the action in one transaction: ``DefinitionStore``'s nine edit methods
/// follow from ``editAction(_:tenant:at:storing:_:)`` and the rules of ``AutomatedAction``
/// (`addSchedule(_:limit:)` and its kin), the same for every store that adopts it.
public protocol ActionEditingStore: DefinitionStore {
    /// In one transaction: reads the tenant's action (`notFound` if absent), applies `change`,
    /// stamps `dateUpdated` with `date`, refreshes `nextScheduledRunAt`, writes what changed and,
    /// when given, stores a new webhook's credentials; returns the action as stored. A limit
    /// `change` checks is checked in that transaction, so concurrent edits cannot pass it.
    func editAction(
        _ actionId: ActionID, tenant: TenantID, at date: Date, storing credentials: (webhookId: WebhookID, credentials: WebhookCredentials)?,
        _ change: @escaping @Sendable (inout AutomatedAction) throws(AutomationError) -> Void
    ) async throws -> AutomatedAction
}

extension ActionEditingStore {
    public func insertSchedule(
        _ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date
    ) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in
            try action.addSchedule(schedule, limit: limit)
        }
    }

    public func updateSchedule(
        _ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, at date: Date
    ) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.replaceSchedule(schedule) }
    }

    public func deleteSchedule(id: ScheduleID, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.removeSchedule(id) }
    }

    public func insertTrigger(
        _ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date
    ) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in
            try action.addTrigger(trigger, limit: limit)
        }
    }

    public func updateTrigger(_ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.replaceTrigger(trigger) }
    }

    public func deleteTrigger(id: TriggerID, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.removeTrigger(id) }
    }

    public func insertWebhook(
        _ webhook: WebhookTrigger, credentials: WebhookCredentials, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date
    ) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: (webhook.id, credentials)) { action throws(AutomationError) in
            try action.addWebhook(webhook, limit: limit)
        }
    }

    public func updateWebhook(_ webhook: WebhookTrigger, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.replaceWebhook(webhook) }
    }

    /// The webhook's credentials go with its row (a cascade in the schema).
    public func deleteWebhook(id: WebhookID, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await editAction(actionId, tenant: tenant, at: date, storing: nil) { action throws(AutomationError) in try action.removeWebhook(id) }
    }
}
