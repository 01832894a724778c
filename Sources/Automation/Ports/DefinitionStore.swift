import Foundation

/// The definitions as the API edits them: actions with their items, schedules, message triggers
/// and webhooks (with the webhooks' credentials), and applies of a definitions directory. Every
/// change bumps ``ActiveDefinitionStore/definitionsVersion()``, which the engine's readers poll.
/// (Contract shared by every role: see ``AutomationStore``.)
public protocol DefinitionStore: ActiveDefinitionStore {
    // MARK: Actions

    /// Adds an action with its schedules and message triggers (webhooks are added with their
    /// credentials by ``insertWebhook(_:credentials:actionId:tenant:limit:at:)``); `conflict` (field `name`) if the
    /// namespace already has an action of that name; `limitExceeded` when the tenant already has
    /// `tenantLimit` actions, counted in the insert's transaction (so concurrent inserts cannot
    /// pass it).
    func insertAction(_ action: AutomatedAction, tenantLimit: Int?) async throws

    /// Replaces the stored action with the same id and tenant — own fields, items, schedules and
    /// message triggers alike (children missing from `action` are deleted); its webhooks stay as
    /// stored (they change only through the webhook methods, with their credentials). `notFound` if absent,
    /// `conflict` if renamed onto another action's name, if archived, or if a definitions
    /// directory manages it (only ``applyDefinitions(_:)`` changes those). Counters are NOT taken from `action`:
    /// they are owned by ``RunHistoryStore/completeExecution(processId:outcome:errorMessage:at:)``.
    ///
    /// `statusRead` is the status of the copy the caller changed: when the caller keeps it but the
    /// stored status moved meanwhile (the action paused itself after failures), the stored
    /// status, `pausedReason` and `pausedAt` stay. Nil writes the caller's status as it is.
    func updateAction(_ action: AutomatedAction, statusRead: ActionStatus?) async throws -> AutomatedAction

    /// How many actions the tenant has, of any status (the quota on creation).
    func actionCount(tenant: TenantID) async throws -> Int

    func action(named name: String, namespace: NamespaceName, tenant: TenantID) async throws -> AutomatedAction?

    /// The tenant's actions that `filter` includes, by namespace and name, one page at a time
    /// (cursors from ``ActionListFilter/cursor(after:)``).
    func actions(_ filter: ActionListFilter, tenant: TenantID, page: PageRequest) async throws -> Page<AutomatedAction>

    /// Deletes an action with its schedules, triggers and history; false if absent.
    func deleteAction(id: ActionID, tenant: TenantID) async throws -> Bool

    /// Every action of the tenant, in every namespace (definitions export and apply).
    func actions(tenant: TenantID) async throws -> [AutomatedAction]

    /// Writes an apply of definitions in ONE transaction, all or nothing: deletes `deleted`
    /// (with their history), replaces `updated` whole — webhooks included, with credentials
    /// stored for the new ones; counters and `dateCreated` stay as stored — and inserts
    /// `created`. `notFound` if an updated action is gone (or of another tenant), `conflict`
    /// (field `name`) when a created or updated one's name is taken, `invalidInput` (field
    /// `tenantId`) for a created action of another tenant than `changes.tenant`.
    func applyDefinitions(_ changes: DefinitionChanges) async throws

    // MARK: Schedules

    /// Appends a schedule; `notFound` if the action is absent, `limitExceeded` (field
    /// `schedules`) if it already has `limit` schedules. Sets `dateUpdated` to `at`.
    func insertSchedule(
        _ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, limit: Int, at: Date
    ) async throws -> AutomatedAction

    /// Replaces the schedule with the same id (enable/disable, new `nextOccurrence`); `notFound`
    /// if the action or the schedule is absent. Sets `dateUpdated` to `at`.
    func updateSchedule(
        _ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, at: Date
    ) async throws -> AutomatedAction

    /// Removes a schedule; `notFound` if the action or the schedule is absent.
    func deleteSchedule(id: ScheduleID, actionId: ActionID, tenant: TenantID, at: Date) async throws -> AutomatedAction

    // MARK: Message triggers

    /// Appends a trigger; `notFound` if the action is absent, `limitExceeded` (field
    /// `messageTriggers`) at `limit` triggers.
    func insertTrigger(
        _ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, limit: Int, at: Date
    ) async throws -> AutomatedAction

    /// Replaces the trigger with the same id; `notFound` if the action or trigger is absent.
    func updateTrigger(_ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, at: Date) async throws -> AutomatedAction

    /// Removes a trigger; `notFound` if the action or trigger is absent.
    func deleteTrigger(id: TriggerID, actionId: ActionID, tenant: TenantID, at: Date) async throws -> AutomatedAction

    // MARK: Webhooks

    /// Appends a webhook and stores its credentials, in one transaction; `notFound` if the action
    /// is absent, `limitExceeded` (field `webhooks`) at `limit` webhooks.
    func insertWebhook(
        _ webhook: WebhookTrigger, credentials: WebhookCredentials, actionId: ActionID, tenant: TenantID, limit: Int, at: Date
    ) async throws -> AutomatedAction

    /// Replaces the webhook with the same id (its credentials stay); `notFound` if the action or
    /// the webhook is absent.
    func updateWebhook(_ webhook: WebhookTrigger, actionId: ActionID, tenant: TenantID, at: Date) async throws -> AutomatedAction

    /// Removes a webhook with its credentials; `notFound` if the action or the webhook is absent.
    func deleteWebhook(id: WebhookID, actionId: ActionID, tenant: TenantID, at: Date) async throws -> AutomatedAction

    /// Replaces the webhook's credentials by ``WebhookCredentials/rotated(to:at:grace:)`` of the
    /// stored ones, in one transaction; returns them. `notFound` if the action or webhook is absent.
    func rotateWebhookSecret(
        to secret: WebhookSecret, webhookId: WebhookID, actionId: ActionID, tenant: TenantID, at: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials

    /// The webhook with `id`, of any tenant, with its action and credentials: what a call to
    /// `/hooks/{id}` needs (it carries no token, so no tenant).
    func webhookTarget(id: WebhookID) async throws -> WebhookTarget?
}

extension DefinitionStore {
    /// ``updateAction(_:statusRead:)`` writing the caller's status as it is.
    public func updateAction(_ action: AutomatedAction) async throws -> AutomatedAction {
        try await updateAction(action, statusRead: nil)
    }

    /// ``insertAction(_:tenantLimit:)`` without a limit.
    public func insertAction(_ action: AutomatedAction) async throws {
        try await insertAction(action, tenantLimit: nil)
    }
}
