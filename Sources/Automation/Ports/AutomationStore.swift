import Foundation

/// Persistence of the domain: what the service, the REST API and the pipeline need from a
/// database. `SQLiteStore` implements it on GRDB; ``InMemoryAutomationStore`` for tests.
///
/// Contract for implementations:
/// - **Tenant scoping.** Every method that takes a `tenant` sees only that tenant's rows: another
///   tenant's action is "not there" (nil, `false`, or `AutomationError.notFound`).
/// - **Errors.** Throw ``AutomationError`` for rule outcomes (`notFound`, `conflict`,
///   `limitExceeded`, `invalidInput` for a bad cursor); anything else (I/O, SQLite) may be any
///   error — the service reports it as `unavailable` without quoting it.
/// - **Atomicity.** Each method is one transaction; in particular a schedule insert checks the
///   limit and inserts atomically, and a completion closes the entry and updates the counters
///   atomically.
/// - **Derived field.** Whenever a method changes an action's schedules or status it stores
///   ``AutomatedAction/computedNextScheduledRunAt`` as `nextScheduledRunAt`, and returns the
///   action as stored.
/// - **Order.** Actions list by name; schedules and triggers keep insertion order; history is
///   newest first (`dateStarted` descending, ties by insertion, newest first).
public protocol AutomationStore: Sendable {
    // MARK: Tenants

    /// Adds a tenant; `conflict` if its id exists.
    func insertTenant(_ tenant: Tenant) async throws
    func tenant(id: TenantID) async throws -> Tenant?
    /// All tenants, by id.
    func tenants() async throws -> [Tenant]

    // MARK: Tokens

    /// Stores a token (hash only); `notFound` if its tenant does not exist.
    func insertToken(_ token: APIToken) async throws
    /// The token whose ``APIToken/secretHash`` is `secretHash` (the lookup behind every request).
    func token(secretHash: String) async throws -> APIToken?
    func tokens(tenant: TenantID) async throws -> [APIToken]
    /// Revokes a token; false if the tenant has no such token.
    func deleteToken(id: TokenID, tenant: TenantID) async throws -> Bool
    /// Records that the token authenticated a request at `date` (``APIToken/lastUsedAt``).
    func touchToken(id: TokenID, at date: Date) async throws

    // MARK: Actions

    /// Adds an action with its schedules and message triggers (webhooks are added with their
    /// credentials by ``insertWebhook(_:credentials:actionId:tenant:limit:at:)``); `conflict` (field `name`) if the
    /// namespace already has an action of that name.
    func insertAction(_ action: AutomatedAction) async throws
    /// Replaces the stored action with the same id and tenant — own fields, items, schedules and
    /// message triggers alike (children missing from `action` are deleted); its webhooks stay as
    /// stored (they change only through the webhook methods, with their credentials). `notFound` if absent,
    /// `conflict` if renamed onto another action's name, if archived, or if a definitions
    /// directory manages it (only ``applyDefinitions(_:)`` changes those). Counters are NOT taken from `action`:
    /// they are owned by ``completeExecution(processId:outcome:errorMessage:at:)``.
    ///
    /// `statusRead` is the status of the copy the caller changed: when the caller keeps it but the
    /// stored status moved meanwhile (the action paused itself after failures), the stored
    /// status, `pausedReason` and `pausedAt` stay. Nil writes the caller's status as it is.
    func updateAction(_ action: AutomatedAction, statusRead: ActionStatus?) async throws -> AutomatedAction
    func action(id: ActionID, tenant: TenantID) async throws -> AutomatedAction?
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

    // MARK: Statistics

    /// The tenant's actions by status, its runs by outcome started since `since` (whole hours;
    /// counts kept as runs are written, so history cleanup does not lower them), its `topFailing`
    /// actions by failed runs since `since`, and what is due before `horizon`.
    func tenantStatistics(tenant: TenantID, since: Date, horizon: Date, topFailing: Int) async throws -> StoredTenantStatistics
    /// The action's runs by outcome started since `since`, the percentiles of the durations of
    /// the latest `durationSample` finished ones, and its latest run; nil when the tenant has no
    /// such action.
    func actionStatistics(actionId: ActionID, tenant: TenantID, since: Date, durationSample: Int) async throws -> StoredActionStatistics?
    /// Forgets the run counters of hours before `date` (older than any window); returns how many rows.
    func pruneRunCounts(before date: Date) async throws -> Int

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
    /// The last occurrence each schedule fired (its commands confirmed), for the schedules that
    /// ever fired: what missed-run handling starts from after a restart.
    func lastFiredOccurrences() async throws -> [ScheduleID: Date]

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

    // MARK: Outbound HTTP requests (`webhook` items)

    /// The action's signing credentials for the requests of its `webhook` items; stores
    /// `creating` as its secret first when it has none. Of the tenant's action, or of any
    /// tenant's when `tenant` is nil (the sender); `notFound` if the action is absent.
    func signingCredentials(actionId: ActionID, tenant: TenantID?, creating: WebhookSecret, at: Date) async throws -> WebhookCredentials
    /// Replaces the action's signing credentials by ``WebhookCredentials/rotated(to:at:grace:)`` of
    /// the stored ones (or `to` alone when it had none); returns them. `notFound` if absent.
    func rotateSigningSecret(
        to secret: WebhookSecret, actionId: ActionID, tenant: TenantID, at: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials
    /// The outbox: requests recorded whose entries have not closed, oldest first (what a restart
    /// sends again).
    func pendingHTTPRequests() async throws -> [OutboundHTTPRequest]
    /// The request of `processId` as recorded, while it is in the outbox (nil once its entry
    /// closed, was forgotten or pruned): what the sender sends, and whether it still should.
    func pendingHTTPRequest(processId: ProcessID) async throws -> OutboundHTTPRequest?

    // MARK: Delayed runs

    /// Stores `run` (status `scheduled`), unless `requestKey` (an `Idempotency-Key`) was given
    /// for the action before: then the run stored then is returned, `created` false.
    /// `notFound` if the action is absent (or of another tenant); `limitExceeded` when the action
    /// has `limit` scheduled runs already.
    func insertDelayedRun(_ run: DelayedRun, requestKey: String?, limit: Int) async throws -> (run: DelayedRun, created: Bool)
    /// The run of `tenant` with this id.
    func delayedRun(id: DelayedRunID, tenant: TenantID) async throws -> DelayedRun?
    /// The action's runs, by due instant, those of `status` only when given.
    func delayedRuns(actionId: ActionID, tenant: TenantID, status: DelayedRunStatus?, page: PageRequest) async throws -> Page<DelayedRun>
    /// Cancels the action's runs that are scheduled and not yet claimed for dispatch: those
    /// among `ids` when given, else those with `key`. Returns the runs cancelled.
    func cancelDelayedRuns(actionId: ActionID, tenant: TenantID, ids: [DelayedRunID]?, key: String?, at: Date) async throws -> [DelayedRun]
    /// The runs not yet dispatched or cancelled (claimed ones included): the scheduler's queue at start.
    func pendingDelayedRuns() async throws -> [DelayedRunDue]
    /// Claims for dispatch the runs among `ids` that are still scheduled (from now on they can no
    /// longer be cancelled) and returns them — with those claimed before and not dispatched, as
    /// after a crash. A cancelled, dispatched or deleted run is not returned.
    func claimDelayedRuns(_ ids: [DelayedRunID], at: Date) async throws -> [DelayedRun]
    /// Ends the runs: `dispatched` (their commands were confirmed; the payload is dropped) or
    /// `cancelled` (their action was paused when they came due).
    func finishDelayedRuns(_ ids: [DelayedRunID], as status: DelayedRunStatus, at: Date) async throws
    /// Deletes the runs dispatched or cancelled before `date`; returns how many.
    func pruneDelayedRuns(finishedBefore date: Date) async throws -> Int

    // MARK: Notifications outbox

    /// The oldest `limit` notifications waiting to be published (``ActionNotification``).
    func pendingNotifications(limit: Int) async throws -> [ActionNotification]
    /// Removes published notifications.
    func deleteNotifications(ids: [String]) async throws

    // MARK: Pipeline and scheduler queries

    /// Active actions with at least one enabled schedule — of one tenant, or of all when nil
    /// (the scheduler, the calendar view).
    func actionsWithEnabledSchedules(tenant: TenantID?) async throws -> [AutomatedAction]
    /// Active actions with at least one enabled message trigger, across tenants, without their
    /// schedules (to build the trigger index, which does not use them).
    func actionsWithEnabledTriggers() async throws -> [AutomatedAction]
    /// The same actions in the same order, handed to `each` in chunks of up to `size` as they are
    /// read, so that the caller can work on the first while the rest is read (start-up).
    func actionsWithEnabledTriggers(
        inChunksOf size: Int, _ each: @escaping @Sendable ([AutomatedAction]) -> Void
    ) async throws
    /// A number that changes whenever an action, trigger or schedule definition changes, by any
    /// writer of the store — so that a reader polls one value instead of re-reading every
    /// definition. It may also change when nothing that matters did; it never stays the same
    /// when a definition changed.
    func definitionsVersion() async throws -> Int64

    // MARK: Runs and history

    /// Writes what a batch of the run path produced (``RunRecord``) in ONE transaction, durable
    /// when this returns:
    /// - the manual-run key first: if a live key of the same tenant, action and text exists,
    ///   nothing else is written and ``RecordedRun/heldBy`` is that key (an expired one is replaced);
    /// - completions, in order: each closes the `Pending` entry of its process and counts it on its
    ///   action (`totalExecutions` + 1; `consecutiveFailures` + 1 on failure, 0 on success); nil
    ///   where no entry has that process id, it is already closed (a redelivered completion), or
    ///   the request names a tenant other than the entry's action's (another tenant's completion).
    ///   What follows under the action's policies is ``CompletionFollowUp``'s decision, written in
    ///   the same transaction: a retry stored as a delayed run (with the kept event of the failed
    ///   attempt as its payload) instead of counting, the action paused, notifications queued;
    /// - history rows, idempotently on ``ExecutionHistoryEntry/idempotencyKey``: a row whose key
    ///   exists is not inserted again, the earlier one is returned (and ``RecordedRun/alreadyRecorded``
    ///   says so); `notFound` if an action is absent;
    /// - HTTP requests into the outbox, those whose entry was inserted by this batch (a closed
    ///   entry leaves the outbox with its request in the transaction that closes it);
    /// - schedule progress: each schedule's `nextOccurrence` (and its action's
    ///   `nextScheduledRunAt`), and its last fired occurrence when one fired; schedules that are
    ///   gone are ignored, `dateUpdated` is not touched;
    /// - retained events, unless kept before for the same action and source event.
    func record(_ batch: RunRecord) async throws -> RecordedRun
    /// Which of `ids` name actions that exist (of any tenant): the run path asks when a batch was
    /// refused because an action was deleted while its runs were planned.
    func existingActionIDs(_ ids: Set<ActionID>) async throws -> Set<ActionID>
    /// The manual-run key `key` of the action, live or expired, if stored.
    func manualRunKey(_ key: String, actionId: ActionID, tenant: TenantID) async throws -> ManualRunKey?
    /// The action's entries holding `keys` (``ExecutionHistoryEntry/idempotencyKey``), in the
    /// keys' order; keys no entry holds are skipped. A lookup by key, whatever the history's size.
    func history(keys: [ExecutionKey], actionId: ActionID) async throws -> [ExecutionHistoryEntry]
    /// Deletes the action's entries holding `keys`: runs recorded but refused by the broker, whose
    /// source retries them (a webhook sender), so that the retry records and publishes them anew.
    func forgetHistory(keys: [ExecutionKey], actionId: ActionID) async throws
    /// An action's history, newest first. The caller has already checked the tenant.
    func history(actionId: ActionID, page: PageRequest) async throws -> Page<ExecutionHistoryEntry>
    /// The action's entries that `filter` includes, newest first, filtered before paging (the
    /// console's history filters). The caller has already checked the tenant.
    func history(actionId: ActionID, filter: HistoryFilter, page: PageRequest) async throws -> Page<ExecutionHistoryEntry>
    /// Per action of `actionIds`, in that order: its retained entries counted by outcome and its
    /// newest entry (the console's actions list), in one read. The caller has already checked the tenant.
    func runSummaries(actionIds: [ActionID]) async throws -> [ActionRunSummary]
    /// The entry of the process, if Signalbox started it.
    func historyEntry(processId: ProcessID) async throws -> ExecutionHistoryEntry?
    /// Retention: keeps at most `keepLastPerAction` newest entries per action (nil: no count
    /// limit) and deletes entries started before `startedBefore` (nil: no age limit). Returns the
    /// number deleted. With `tenant`, only that tenant's actions' entries (nil: every tenant's).
    /// Entries of runs under way (`Pending`, `Running`) go by the same rules only when started
    /// before `underWayStartedBefore` (nil: never): their completion must find them, until the
    /// process is taken as lost (the service passes now minus
    /// ``ExecutionHistoryEntry/underWayRetentionGrace``).
    func pruneHistory(keepLastPerAction: Int?, startedBefore: Date?, underWayStartedBefore: Date?, tenant: TenantID?) async throws -> Int
    /// Forgets manual-run keys created before `createdBefore`; returns how many.
    func pruneManualRunKeys(createdBefore: Date) async throws -> Int
}

/// The parts of ``AutomationStore/record(_:)`` one at a time, for callers outside the run path
/// (the service, tests).
extension AutomationStore {
    /// Records history rows (see ``record(_:)``); returns them as stored, in input order.
    @discardableResult
    public func appendHistory(_ entries: [ExecutionHistoryEntry]) async throws -> [ExecutionHistoryEntry] {
        guard !entries.isEmpty else { return [] }
        return try await record(RunRecord(history: entries, at: Date(timeIntervalSince1970: 0))).history
    }

    /// Closes the pending entries of the requests' processes (see ``record(_:)``); nil where
    /// nothing changed.
    public func completeExecutions(_ requests: [ExecutionCompletionRequest], at date: Date) async throws -> [ExecutionCompletion?] {
        guard !requests.isEmpty else { return [] }
        return try await record(RunRecord(completions: requests, at: date)).completions
    }

    /// Closes the pending entry of the request's process (see ``record(_:)``); nil when there is
    /// none, or it belongs to another tenant than the request names.
    public func completeExecution(_ request: ExecutionCompletionRequest, at date: Date) async throws -> ExecutionCompletion? {
        try await completeExecutions([request], at: date)[0]
    }

    /// Closes the pending entry of `processId`, of any tenant (Signalbox's own closes).
    public func completeExecution(
        processId: ProcessID, outcome: ExecutionOutcome, errorMessage: String?, at date: Date
    ) async throws -> ExecutionCompletion? {
        try await completeExecution(ExecutionCompletionRequest(processId: processId, outcome: outcome, errorMessage: errorMessage), at: date)
    }

    /// Stores the schedules' progress (see ``record(_:)``).
    public func recordScheduleProgress(_ progress: [ScheduleProgress]) async throws {
        guard !progress.isEmpty else { return }
        _ = try await record(RunRecord(scheduleProgress: progress, at: Date(timeIntervalSince1970: 0)))
    }
}

extension AutomationStore {
    /// Reads them all, then hands them over chunk by chunk (stores that cannot stream).
    public func actionsWithEnabledTriggers(
        inChunksOf size: Int, _ each: @escaping @Sendable ([AutomatedAction]) -> Void
    ) async throws {
        let actions = try await actionsWithEnabledTriggers()
        for start in stride(from: 0, to: actions.count, by: max(1, size)) {
            each(Array(actions[start..<min(start + max(1, size), actions.count)]))
        }
    }
}

extension AutomationStore {
    /// ``pruneHistory(keepLastPerAction:startedBefore:underWayStartedBefore:tenant:)`` of finished runs only.
    public func pruneHistory(keepLastPerAction: Int?, startedBefore: Date?, tenant: TenantID? = nil) async throws -> Int {
        try await pruneHistory(keepLastPerAction: keepLastPerAction, startedBefore: startedBefore, underWayStartedBefore: nil, tenant: tenant)
    }

    /// ``updateAction(_:statusRead:)`` writing the caller's status as it is.
    public func updateAction(_ action: AutomatedAction) async throws -> AutomatedAction {
        try await updateAction(action, statusRead: nil)
    }
}
