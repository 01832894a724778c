import Foundation
import JSONPath

/// An ``AutomationStore`` in memory, for unit tests of the domain and of the layers above it.
///
/// It follows the port's contract to the letter (tenant scoping, idempotent history, limits
/// checked atomically, `nextScheduledRunAt` kept derived) so tests written against it hold for
/// `SQLiteStore` too. Cursors are its own: `"<epoch seconds>:<sequence>"` for history and the last
/// name for actions.
public actor InMemoryAutomationStore: AutomationStore {
    private var tenantsByID: [TenantID: Tenant] = [:]
    private var tokensByID: [TokenID: APIToken] = [:]
    private var actionsByID: [ActionID: AutomatedAction] = [:] {
        // Counters change with the definitions here; the port allows a version that changes too often.
        didSet { version += 1 }
    }
    private var version: Int64 = 0
    /// History in insertion order, unique on its idempotency key; the sequence number breaks ties
    /// of `dateStarted`.
    private var entries = InMemoryHistoryTable()
    private var lastFiredBySchedule: [ScheduleID: Date] = [:]
    private var manualRunKeys: [ManualRunKeyID: ManualRunKey] = [:]
    private var webhookCredentials: [WebhookID: WebhookCredentials] = [:]
    private var signingCredentialsByAction: [ActionID: WebhookCredentials] = [:]
    /// Delayed runs by id, with the Idempotency-Key they were created with and when claimed.
    private var delayedRunsByID: [DelayedRunID: (run: DelayedRun, requestKey: String?, claimedAt: Date?, sequence: Int)] = [:]
    private var delayedRunSequence = 0
    /// The outbox, in insertion order.
    private var outbox: [OutboundHTTPRequest] = []
    /// Notifications to publish, in insertion order.
    private var notificationOutbox: [ActionNotification] = []
    /// Events kept for retries, by run.
    private var retainedEvents: [RunKey: JSONValue] = [:]
    /// Runs whose entries are gone (pruned, or their action deleted) but still counted in tenant
    /// statistics, as SQLite's hourly counts keep them.
    private var goneRuns: [(tenant: TenantID, actionId: ActionID, dateStarted: Date, outcome: ExecutionOutcome)] = []
    private var injectedFailure: (any Error)?
    /// How many calls threw the injected failure: tests wait on it instead of sleeping.
    public private(set) var failedCalls = 0

    public init() {}

    /// Makes every following call throw `error` until cleared with nil: for testing how callers
    /// handle a failing database.
    public func failCalls(with error: (any Error)?) {
        injectedFailure = error
    }

    private func check() throws {
        if let injectedFailure {
            failedCalls += 1
            throw injectedFailure
        }
    }

    // MARK: Tenants

    public func insertTenant(_ tenant: Tenant) throws {
        try check()
        guard tenantsByID[tenant.id] == nil else { throw AutomationError.conflict("tenant \(tenant.id) already exists", field: "tenantId") }
        tenantsByID[tenant.id] = tenant
    }

    public func tenant(id: TenantID) throws -> Tenant? {
        try check()
        return tenantsByID[id]
    }

    public func tenants() throws -> [Tenant] {
        try check()
        return tenantsByID.values.sorted { $0.id < $1.id }
    }

    // MARK: Tokens

    public func insertToken(_ token: APIToken) throws {
        try check()
        guard tenantsByID[token.tenantId] != nil else { throw AutomationError.notFound("tenant \(token.tenantId) does not exist", field: "tenant") }
        guard tokensByID[token.id] == nil, !tokensByID.values.contains(where: { $0.secretHash == token.secretHash }) else {
            throw AutomationError.conflict("token already exists", field: nil)
        }
        tokensByID[token.id] = token
    }

    public func token(secretHash: String) throws -> APIToken? {
        try check()
        return tokensByID.values.first { $0.secretHash == secretHash }
    }

    public func tokens(tenant: TenantID, page: PageRequest) throws -> Page<APIToken> {
        try check()
        let all = tokensByID.values.filter { $0.tenantId == tenant }.sorted { ($0.dateCreated, $0.id) < ($1.dateCreated, $1.id) }
        var start = all.startIndex
        if let cursor = page.cursor {
            guard let after = TokenCursor(cursor) else { throw AutomationError.invalidInput("cursor is not valid", field: "cursor") }
            start = all.firstIndex { ($0.dateCreated.timeIntervalSince1970, $0.id.description) > (after.dateCreated, after.id) } ?? all.endIndex
        }
        let items = Array(all[start...].prefix(max(0, page.limit)))
        let more = all.count - start > items.count
        return Page(items: items, nextCursor: more ? items.last.map { TokenCursor($0).description } : nil)
    }

    public func deleteToken(id: TokenID, tenant: TenantID) throws -> Bool {
        try check()
        guard tokensByID[id]?.tenantId == tenant else { return false }
        tokensByID[id] = nil
        return true
    }

    public func touchToken(id: TokenID, at date: Date) throws {
        try check()
        tokensByID[id]?.lastUsedAt = date
    }

    // MARK: Actions

    public func definitionsVersion() throws -> Int64 {
        try check()
        return version
    }

    public func insertAction(_ action: AutomatedAction, tenantLimit: Int?) throws {
        try check()
        guard actionsByID[action.id] == nil else { throw AutomationError.conflict("action \(action.id) already exists", field: "id") }
        if let tenantLimit {
            let existing = actionsByID.values.count { $0.tenantId == action.tenantId }
            if existing >= tenantLimit { throw AutomationError.actionQuota(tenantLimit, has: existing) }
        }
        try checkNameFree(action)
        var stored = action
        stored.refreshNextScheduledRun()
        actionsByID[action.id] = stored
    }

    public func updateAction(_ action: AutomatedAction, statusRead: ActionStatus?) throws -> AutomatedAction {
        try check()
        guard let existing = actionsByID[action.id], existing.tenantId == action.tenantId else {
            throw AutomationError.notFound("action \(action.id) does not exist")
        }
        try existing.requireEditable()
        try existing.requireNotFileManaged()
        try checkNameFree(action)
        var stored = action
        stored.webhooks = existing.webhooks  // changed only through their own calls, as in SQLiteStore
        stored.keepStatus(of: existing, ifUnchangedFrom: statusRead)
        stored.keepStoreOwnedFields(of: existing)
        actionsByID[action.id] = stored
        return stored
    }

    public func actionCount(tenant: TenantID) throws -> Int {
        try check()
        return actionsByID.values.count { $0.tenantId == tenant }
    }

    public func action(id: ActionID, tenant: TenantID) throws -> AutomatedAction? {
        try check()
        return actionsByID[id].flatMap { $0.tenantId == tenant ? $0 : nil }
    }

    public func action(named name: String, namespace: NamespaceName, tenant: TenantID) throws -> AutomatedAction? {
        try check()
        return actionsByID.values.first { $0.tenantId == tenant && $0.namespace == namespace && $0.name == name }
    }

    public func actions(_ filter: ActionListFilter, tenant: TenantID, page: PageRequest) throws -> Page<AutomatedAction> {
        try check()
        var matching = actionsByID.values.filter { $0.tenantId == tenant && filter.includes($0) }
            .sorted { ($0.namespace.rawValue, $0.name) < ($1.namespace.rawValue, $1.name) }
        if let cursor = page.cursor {
            let after = try ActionListFilter.position(of: cursor)
            matching = matching.filter { ($0.namespace.rawValue, $0.name) > after }
        }
        let items = Array(matching.prefix(page.limit))
        let next = matching.count > page.limit ? items.last.map(ActionListFilter.cursor(after:)) : nil
        return Page(items: items, nextCursor: next)
    }

    public func deleteAction(id: ActionID, tenant: TenantID) throws -> Bool {
        try check()
        guard actionsByID[id]?.tenantId == tenant else { return false }
        actionsByID[id] = nil
        rememberGone(entries.map(\.entry).filter { $0.actionId == id }, tenant: tenant)
        entries.removeAll { $0.entry.actionId == id }
        manualRunKeys = manualRunKeys.filter { $0.key.actionId != id }
        signingCredentialsByAction[id] = nil
        outbox.removeAll { $0.actionId == id }
        delayedRunsByID = delayedRunsByID.filter { $0.value.run.actionId != id }
        retainedEvents = retainedEvents.filter { $0.key.actionId != id }
        return true
    }

    public func actions(tenant: TenantID) throws -> [AutomatedAction] {
        try check()
        return actionsByID.values.filter { $0.tenantId == tenant }.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    public func applyDefinitions(_ changes: DefinitionChanges) throws {
        try check()
        // Checked whole before anything changes: all or nothing, as the SQLite transaction.
        let deleted = Set(changes.deleted)
        for action in changes.updated {
            guard let existing = actionsByID[action.id], existing.tenantId == changes.tenant, !deleted.contains(action.id) else {
                // Read by the plan, gone now: plan again; never read: not the apply's to change.
                throw changes.planned[action.id] != nil
                    ? DefinitionChanges.changedSincePlanned(action, "was deleted")
                    : AutomationError.notFound("action \(action.id) does not exist")
            }
            try changes.requireUnchangedSincePlanned(existing)
        }
        for id in changes.deleted {
            if let current = actionsByID[id], current.tenantId == changes.tenant { try changes.requireUnchangedSincePlanned(current) }
        }
        for action in changes.created where action.tenantId != changes.tenant {
            throw AutomationError.invalidInput(
                "action \(action.id) is of tenant \(action.tenantId), not of the apply's tenant \(changes.tenant)", field: "tenantId")
        }
        var remaining = actionsByID.filter { !deleted.contains($0.key) }
        for action in changes.updated { remaining[action.id] = action }
        // An update may rename (the name freed by a deletion of the same call is free), as SQLite checks it.
        for action in changes.updated {
            let clash = remaining.values.contains { (other: AutomatedAction) -> Bool in
                other.id != action.id && other.tenantId == action.tenantId && other.namespace == action.namespace && other.name == action.name
            }
            if clash {
                throw AutomationError.conflict("an action named \"\(action.name.prefix(200))\" already exists in namespace \"\(action.namespace)\"")
            }
        }
        for action in changes.created {
            let clash = remaining.values.contains { (other: AutomatedAction) -> Bool in
                other.tenantId == action.tenantId && other.namespace == action.namespace && other.name == action.name
            }
            guard remaining[action.id] == nil, !clash else {
                let name = action.name.prefix(200)
                throw AutomationError.conflict("an action named \"\(name)\" already exists in namespace \"\(action.namespace)\"")
            }
            remaining[action.id] = action
        }
        if let limit = changes.tenantLimit, !changes.created.isEmpty {
            let count = remaining.values.count { $0.tenantId == changes.tenant }
            if count > limit { throw AutomationError.actionQuota(limit, has: count - changes.created.count + changes.deleted.count) }
        }
        for id in changes.deleted where actionsByID[id]?.tenantId == changes.tenant { _ = try deleteAction(id: id, tenant: changes.tenant) }
        for action in changes.updated {
            guard let existing = actionsByID[action.id] else { continue }  // checked above
            var stored = changes.reconciled(action, with: existing)
            stored.keepStoreOwnedFields(of: existing)
            for gone in existing.webhooks where stored.webhook(gone.id) == nil { webhookCredentials[gone.id] = nil }
            actionsByID[action.id] = stored
        }
        for action in changes.created {
            var stored = action
            stored.refreshNextScheduledRun()
            actionsByID[action.id] = stored
        }
        for (id, credentials) in changes.webhookCredentials { webhookCredentials[id] = credentials }
    }

    // MARK: Statistics

    /// As SQLite, from the entries themselves (a fake: its counts drop with pruned history).
    public func tenantStatistics(tenant: TenantID, since: Date, horizon: Date, topFailing: Int) throws -> StoredTenantStatistics {
        try check()
        let actions = actionsByID.values.filter { $0.tenantId == tenant }
        let hourStart = Date(timeIntervalSince1970: (since.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        let ids = Set(actions.map(\.id))
        let counted = entries.map(\.entry).filter { ids.contains($0.actionId) && $0.dateStarted >= hourStart }.map { ($0.actionId, $0.outcome) }
            + goneRuns.filter { $0.tenant == tenant && $0.dateStarted >= hourStart }.map { ($0.actionId, $0.outcome) }
        // An action's failures go with it (failuresByHour cascades); the tenant's counts stay.
        let failures = Dictionary(grouping: counted.filter { $0.1 == .failed && ids.contains($0.0) }, by: \.0).mapValues(\.count)
        let failing = failures.compactMap { id, count in
            actionsByID[id].map {
                FailingAction(
                    actionId: id, namespace: $0.namespace, name: $0.name, status: $0.status, failures: count,
                    consecutiveFailures: $0.consecutiveFailures)
            }
        }.sorted { ($1.failures, $0.namespace.rawValue, $0.name) < ($0.failures, $1.namespace.rawValue, $1.name) }
        return StoredTenantStatistics(
            actionsByStatus: Dictionary(grouping: actions, by: \.status).mapValues(\.count),
            runsByOutcome: Dictionary(grouping: counted, by: \.1).mapValues(\.count),
            topFailing: Array(failing.prefix(topFailing)),
            schedulesDue: actions.filter { $0.status == .active }.flatMap(\.schedules).filter {
                $0.isEnabled && ($0.nextOccurrence.map { $0 <= horizon } ?? false)
            },
            delayedRunsDue: delayedRunsByID.values.count { $0.run.tenantId == tenant && $0.run.status == .scheduled && $0.run.dueAt <= horizon })
    }

    /// Forgets the gone runs started before `date`'s hour (the live entries are counted as long
    /// as they exist).
    public func pruneRunCounts(before date: Date) throws -> Int {
        try check()
        let hourStart = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        let before = goneRuns.count
        goneRuns.removeAll { $0.dateStarted < hourStart }
        return before - goneRuns.count
    }

    private func rememberGone(_ gone: [ExecutionHistoryEntry], tenant: TenantID) {
        goneRuns += gone.map { (tenant, $0.actionId, $0.dateStarted, $0.outcome) }
    }

    public func actionStatistics(actionId: ActionID, tenant: TenantID, since: Date, durationSample: Int) throws -> StoredActionStatistics? {
        try check()
        guard actionsByID[actionId]?.tenantId == tenant else { return nil }
        let all = entries.filter { $0.entry.actionId == actionId }
        let window = all.filter { $0.entry.dateStarted >= since }
        let durations = window.filter { $0.entry.outcome == .success || $0.entry.outcome == .failed }
            .sorted { ($0.entry.dateStarted, $0.sequence) > ($1.entry.dateStarted, $1.sequence) }
            .prefix(durationSample).compactMap(\.entry.durationSeconds).sorted()
        let last = all.max { ($0.entry.dateStarted, $0.sequence) < ($1.entry.dateStarted, $1.sequence) }?.entry
        func percentile(_ p: Double) -> Double? {
            durations.isEmpty ? nil : durations[StoredActionStatistics.rank(p, of: durations.count)]
        }
        return StoredActionStatistics(
            runsByOutcome: Dictionary(grouping: window, by: \.entry.outcome).mapValues(\.count), p50DurationSeconds: percentile(0.5),
            p95DurationSeconds: percentile(0.95), durationSampleSize: durations.count, lastRunAt: last?.dateStarted, lastOutcome: last?.outcome)
    }

    // MARK: Schedules

    public func insertSchedule(
        _ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date
    ) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.addSchedule(schedule, limit: limit) }
    }

    public func updateSchedule(_ schedule: CronScheduleDefinition, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.replaceSchedule(schedule) }
    }

    public func deleteSchedule(id: ScheduleID, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.removeSchedule(id) }
    }

    private func recordScheduleProgress(_ progress: [ScheduleProgress]) {
        for step in progress {
            guard var action = actionsByID[step.actionId],
                let index = action.schedules.firstIndex(where: { $0.id == step.scheduleId })
            else { continue }
            action.schedules[index].nextOccurrence = step.nextOccurrence
            if let fired = step.lastFired, action.schedules[index].at != nil { action.schedules[index].firedAt = fired }
            action.refreshNextScheduledRun()
            actionsByID[step.actionId] = action
            if let fired = step.lastFired { lastFiredBySchedule[step.scheduleId] = fired }
        }
    }

    public func lastFiredOccurrences() throws -> [ScheduleID: Date] {
        try check()
        let existing = Set(actionsByID.values.flatMap { $0.schedules.map(\.id) })
        return lastFiredBySchedule.filter { existing.contains($0.key) }
    }

    // MARK: Triggers

    public func insertTrigger(_ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.addTrigger(trigger, limit: limit) }
    }

    public func updateTrigger(_ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.replaceTrigger(trigger) }
    }

    public func deleteTrigger(id: TriggerID, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.removeTrigger(id) }
    }

    // MARK: Webhooks

    public func insertWebhook(
        _ webhook: WebhookTrigger, credentials: WebhookCredentials, actionId: ActionID, tenant: TenantID, limit: Int, at date: Date
    ) throws -> AutomatedAction {
        let action = try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.addWebhook(webhook, limit: limit) }
        webhookCredentials[webhook.id] = credentials
        return action
    }

    public func updateWebhook(_ webhook: WebhookTrigger, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.replaceWebhook(webhook) }
    }

    public func deleteWebhook(id: WebhookID, actionId: ActionID, tenant: TenantID, at date: Date) throws -> AutomatedAction {
        let action = try modify(actionId, tenant, at: date) { action throws(AutomationError) in try action.removeWebhook(id) }
        webhookCredentials[id] = nil
        return action
    }

    public func rotateWebhookSecret(
        to secret: WebhookSecret, webhookId: WebhookID, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) throws -> WebhookCredentials {
        try check()
        guard let action = actionsByID[actionId], action.tenantId == tenant else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
        guard action.webhook(webhookId) != nil, let current = webhookCredentials[webhookId] else {
            throw AutomationError.notFound("webhook \(webhookId) does not exist", field: "webhookId")
        }
        let rotated = current.rotated(to: secret, at: date, grace: grace)
        webhookCredentials[webhookId] = rotated
        return rotated
    }

    public func webhookTarget(id: WebhookID) throws -> WebhookTarget? {
        try check()
        for action in actionsByID.values {
            if let webhook = action.webhook(id), let credentials = webhookCredentials[id] {
                return WebhookTarget(action: action, webhook: webhook, credentials: credentials)
            }
        }
        return nil
    }

    // MARK: Outbound HTTP requests

    public func signingCredentials(actionId: ActionID, tenant: TenantID?, creating: WebhookSecret, at date: Date) throws -> WebhookCredentials {
        try check()
        guard let action = actionsByID[actionId], tenant.map({ $0 == action.tenantId }) ?? true else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
        if let stored = signingCredentialsByAction[actionId] { return stored }
        let created = WebhookCredentials(secret: creating)
        signingCredentialsByAction[actionId] = created
        return created
    }

    public func rotateSigningSecret(
        to secret: WebhookSecret, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) throws -> WebhookCredentials {
        try check()
        guard let action = actionsByID[actionId], action.tenantId == tenant else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
        let rotated = signingCredentialsByAction[actionId]?.rotated(to: secret, at: date, grace: grace) ?? WebhookCredentials(secret: secret)
        signingCredentialsByAction[actionId] = rotated
        return rotated
    }

    public func pendingHTTPRequests() throws -> [OutboundHTTPRequest] {
        try check()
        return outbox
    }

    public func pendingHTTPRequest(processId: ProcessID) throws -> OutboundHTTPRequest? {
        try check()
        return outbox.first { $0.processId == processId }
    }

    // MARK: Delayed runs

    public func insertDelayedRun(_ run: DelayedRun, requestKey: String?, limit: Int) throws -> (run: DelayedRun, created: Bool) {
        try check()
        guard let action = actionsByID[run.actionId], action.tenantId == run.tenantId else {
            throw AutomationError.notFound("action \(run.actionId) does not exist")
        }
        if let requestKey,
            let earlier = delayedRunsByID.values.first(where: { $0.run.actionId == run.actionId && $0.requestKey == requestKey })
        {
            return (earlier.run, false)
        }
        let scheduled = delayedRunsByID.values.filter { $0.run.actionId == run.actionId && $0.run.status == .scheduled }.count
        guard scheduled < limit else {
            throw AutomationError.limitExceeded("the action has \(scheduled) scheduled runs; at most \(limit)", field: "delaySeconds")
        }
        delayedRunSequence += 1
        delayedRunsByID[run.id] = (run, requestKey, nil, delayedRunSequence)
        return (run, true)
    }

    public func delayedRun(id: DelayedRunID, tenant: TenantID) throws -> DelayedRun? {
        try check()
        return delayedRunsByID[id].flatMap { $0.run.tenantId == tenant ? $0.run : nil }
    }

    public func delayedRuns(actionId: ActionID, tenant: TenantID, status: DelayedRunStatus?, page: PageRequest) throws -> Page<DelayedRun> {
        try check()
        var ordered = delayedRunsByID.values
            .filter { $0.run.actionId == actionId && $0.run.tenantId == tenant && (status == nil || $0.run.status == status) }
            .sorted { ($0.run.dueAt, $0.sequence) < ($1.run.dueAt, $1.sequence) }
        if let cursor = page.cursor {
            let parts = cursor.split(separator: ":")
            guard parts.count == 2, let due = Double(parts[0]), let after = Int(parts[1]) else {
                throw AutomationError.invalidInput("cursor is not valid", field: "cursor")
            }
            ordered = ordered.filter { ($0.run.dueAt.timeIntervalSince1970, $0.sequence) > (due, after) }
        }
        let items = ordered.prefix(page.limit)
        let next = ordered.count > page.limit ? items.last.map { "\($0.run.dueAt.timeIntervalSince1970):\($0.sequence)" } : nil
        return Page(items: items.map(\.run), nextCursor: next)
    }

    public func cancelDelayedRuns(actionId: ActionID, tenant: TenantID, ids: [DelayedRunID]?, key: String?, at date: Date) throws -> [DelayedRun] {
        try check()
        let wanted = ids.map(Set.init)
        var cancelled: [DelayedRun] = []
        for (id, stored) in delayedRunsByID.sorted(by: { $0.value.sequence < $1.value.sequence })
        where stored.run.actionId == actionId && stored.run.tenantId == tenant && stored.run.status == .scheduled && stored.claimedAt == nil
            && (wanted.map { $0.contains(id) } ?? (key != nil && stored.run.key == key))
        {
            var run = stored.run
            run.status = .cancelled
            run.cancelledAt = date
            delayedRunsByID[id]?.run = run
            cancelled.append(run)
            if run.retry != nil {  // a cancelled retry ends its failed run, as in SQLiteStore
                actionsByID[actionId]?.totalExecutions += 1
                actionsByID[actionId]?.consecutiveFailures += 1
            }
        }
        return cancelled
    }

    public func pendingDelayedRuns() throws -> [DelayedRunDue] {
        try check()
        return delayedRunsByID.values.filter { $0.run.status == .scheduled }.sorted { $0.sequence < $1.sequence }.map(\.run.due)
    }

    public func claimDelayedRuns(_ ids: [DelayedRunID], at date: Date) throws -> [DelayedRun] {
        try check()
        var claimed: [DelayedRun] = []
        var seen: Set<DelayedRunID> = []
        for id in ids where seen.insert(id).inserted {
            guard let stored = delayedRunsByID[id], stored.run.status == .scheduled, actionsByID[stored.run.actionId] != nil else { continue }
            if stored.claimedAt == nil { delayedRunsByID[id]?.claimedAt = date }
            claimed.append(stored.run)
        }
        return claimed
    }

    public func finishDelayedRuns(_ ids: [DelayedRunID], as status: DelayedRunStatus, at date: Date) throws {
        try check()
        for id in ids where delayedRunsByID[id]?.run.status == .scheduled && status != .scheduled {
            delayedRunsByID[id]?.run.status = status
            if status == .dispatched {
                delayedRunsByID[id]?.run.dispatchedAt = date
                // The previous completion stays: a retry of the item reads it again.
                delayedRunsByID[id]?.run.payload = nil
            } else {
                delayedRunsByID[id]?.run.cancelledAt = date
            }
        }
    }

    public func pruneDelayedRuns(finishedBefore date: Date) throws -> Int {
        try check()
        let before = delayedRunsByID.count
        delayedRunsByID = delayedRunsByID.filter { _, stored in
            guard let finished = stored.run.dispatchedAt ?? stored.run.cancelledAt else { return true }
            return finished >= date
        }
        return before - delayedRunsByID.count
    }

    // MARK: Pipeline queries

    public func actionsWithEnabledSchedules(tenant: TenantID?) throws -> [AutomatedAction] {
        try check()
        return actionsByID.values
            .filter { ($0.tenantId == tenant || tenant == nil) && $0.status == .active && $0.schedules.contains(where: \.isEnabled) }
            .sorted { ($0.tenantId, $0.namespace, $0.name) < ($1.tenantId, $1.namespace, $1.name) }
    }

    public func actionsWithEnabledTriggers() throws -> [AutomatedAction] {
        try check()
        return actionsByID.values
            .filter { $0.status == .active && $0.messageTriggers.contains(where: \.isEnabled) }
            .sorted { ($0.tenantId, $0.namespace, $0.name) < ($1.tenantId, $1.namespace, $1.name) }
            .map { action in
                var action = action
                action.schedules = []
                return action
            }
    }

    // MARK: History

    private struct ManualRunKeyID: Hashable {
        var tenantId: TenantID
        var actionId: ActionID
        var key: String
    }

    public func record(_ batch: RunRecord) throws -> RecordedRun {
        try check()
        if let key = batch.manualRunKey {
            let id = ManualRunKeyID(tenantId: key.tenantId, actionId: key.actionId, key: key.key)
            if let held = manualRunKeys[id], held.isLive(at: key.createdAt) { return RecordedRun(heldBy: held) }
        }
        for entry in batch.history where actionsByID[entry.actionId] == nil {
            throw AutomationError.notFound("action \(entry.actionId) does not exist")
        }
        // Nothing below throws: the batch is written whole.
        if let key = batch.manualRunKey, actionsByID[key.actionId] != nil {
            manualRunKeys[ManualRunKeyID(tenantId: key.tenantId, actionId: key.actionId, key: key.key)] = key
        }
        let closed = batch.completions.map { close($0, at: batch.at) }
        var stored: [ExecutionHistoryEntry] = []
        var existed: [Bool] = []
        var inserted: [ExecutionHistoryEntry] = []
        for entry in batch.history {
            let row = entries.insert(entry)
            stored.append(row.stored)
            existed.append(!row.inserted)
            if row.inserted { inserted.append(entry) }
        }
        let insertedProcesses = Set(inserted.map(\.processId))
        outbox += batch.httpRequests.filter { insertedProcesses.contains($0.processId) }
        let ended = inserted.compactMap { entry -> ClosedEntry? in
            guard var action = actionsByID[entry.actionId] else { return nil }
            let followUp = Self.followUp(action)
            guard CompletionFollowUp.endsRetriedRun(entry) || followUp.endsSequence(entry) else { return nil }
            return count(finalEntry: entry, of: &action, followUp, at: batch.at)
        }
        let pendingRuns = Set(inserted.filter { $0.outcome == .pending }.map(\.run))
        for event in batch.retainedEvents where pendingRuns.contains(event.run) && retainedEvents[event.run] == nil {
            retainedEvents[event.run] = event.body
        }
        recordScheduleProgress(batch.scheduleProgress)
        var recorded = RecordedRun(completions: closed.map { $0?.completion }, history: stored, alreadyRecorded: existed)
        let followUps = closed.compactMap { $0 } + ended
        recorded.pausedActions = followUps.compactMap(\.paused)
        recorded.queuedNotifications = followUps.reduce(0) { $0 + $1.notifications }
        for run in batch.delayedRuns where delayedRunsByID[run.id] == nil && actionsByID[run.actionId] != nil {
            delayedRunSequence += 1
            delayedRunsByID[run.id] = (run, nil, nil, delayedRunSequence)
            recorded.insertedDelayedRuns.append(run.due)
        }
        for cancellation in batch.cancellations {
            for (id, stored) in delayedRunsByID
            where stored.run.actionId == cancellation.actionId && stored.run.tenantId == cancellation.tenantId
                && stored.run.key == cancellation.key && stored.run.status == .scheduled && stored.claimedAt == nil
            {
                delayedRunsByID[id]?.run.status = .cancelled
                delayedRunsByID[id]?.run.cancelledAt = batch.at
                recorded.cancelledDelayedRuns.append(id)
            }
        }
        return recorded
    }

    public func existingActionIDs(_ ids: Set<ActionID>) throws -> Set<ActionID> {
        try check()
        return ids.filter { actionsByID[$0] != nil }
    }

    public func manualRunKey(_ key: String, actionId: ActionID, tenant: TenantID) throws -> ManualRunKey? {
        try check()
        return manualRunKeys[ManualRunKeyID(tenantId: tenant, actionId: actionId, key: key)]
    }

    public func pruneManualRunKeys(createdBefore: Date) throws -> Int {
        try check()
        let before = manualRunKeys.count
        manualRunKeys = manualRunKeys.filter { $0.value.createdAt >= createdBefore }
        return before - manualRunKeys.count
    }

    public func history(keys: [ExecutionKey], actionId: ActionID) throws -> [ExecutionHistoryEntry] {
        try check()
        return keys.compactMap { key in
            entries[key: key].flatMap { $0.actionId == actionId ? $0 : nil }
        }
    }

    public func forgetHistory(keys: [ExecutionKey], actionId: ActionID) throws {
        try check()
        let forgotten = Set(keys)
        let processes = Set(entries.filter { $0.entry.actionId == actionId && forgotten.contains($0.entry.idempotencyKey) }.map(\.entry.processId))
        entries.removeAll { $0.entry.actionId == actionId && forgotten.contains($0.entry.idempotencyKey) }
        outbox.removeAll { processes.contains($0.processId) }
    }

    public func history(actionId: ActionID, page: PageRequest) throws -> Page<ExecutionHistoryEntry> {
        try history(actionId: actionId, filter: HistoryFilter(), page: page)
    }

    public func runSummaries(actionIds: [ActionID]) throws -> [ActionRunSummary] {
        try check()
        let wanted = Set(actionIds)
        var summaries: [ActionID: ActionRunSummary] = [:]
        var newest: [ActionID: (sequence: Int, entry: ExecutionHistoryEntry)] = [:]
        for row in entries where wanted.contains(row.entry.actionId) {
            let id = row.entry.actionId
            var summary = summaries[id] ?? ActionRunSummary(actionId: id)
            if row.entry.outcome == .success { summary.successes += 1 }
            if row.entry.outcome == .failed { summary.failures += 1 }
            summaries[id] = summary
            if let current = newest[id], !Self.newestFirst(row, current) { continue }
            newest[id] = row
        }
        return actionIds.map { id in
            var summary = summaries[id] ?? ActionRunSummary(actionId: id)
            summary.last = newest[id]?.entry
            return summary
        }
    }

    public func history(actionId: ActionID, filter: HistoryFilter, page: PageRequest) throws -> Page<ExecutionHistoryEntry> {
        try check()
        var ordered = entries.filter { $0.entry.actionId == actionId && filter.includes($0.entry) }.sorted(by: Self.newestFirst)
        if let cursor = page.cursor {
            let parts = cursor.split(separator: ":")
            guard parts.count == 2, let seconds = Double(parts[0]), let sequence = Int(parts[1]) else {
                throw AutomationError.invalidInput("cursor is not valid", field: "cursor")
            }
            // Compared as the seconds the cursor was written from: a `Date` made back from them
            // may differ from the entry's in the last bit, and leave out or repeat its batch.
            ordered = ordered.filter { ($0.entry.dateStarted.timeIntervalSince1970, $0.sequence) < (seconds, sequence) }
        }
        let items = Array(ordered.prefix(page.limit))
        let next = ordered.count > page.limit ? items.last.map { _ in Self.cursor(ordered[page.limit - 1]) } : nil
        return Page(items: items.map(\.entry), nextCursor: next)
    }

    public func historyEntry(processId: ProcessID) throws -> ExecutionHistoryEntry? {
        try check()
        return entries.first { $0.entry.processId == processId }?.entry
    }

    /// The SQLite store's close, in memory: see ``CompletionFollowUp``.
    private typealias ClosedEntry = (completion: ExecutionCompletion, paused: ActionNotification.Action?, notifications: Int)

    private func close(_ request: ExecutionCompletionRequest, at date: Date) -> ClosedEntry? {
        let (processId, outcome, errorMessage) = (request.processId, request.outcome, request.errorMessage)
        guard let index = entries.firstIndex(where: { $0.entry.processId == processId }),
            entries[index].entry.outcome.isOpen,
            var action = actionsByID[entries[index].entry.actionId],
            request.tenantId.map({ $0 == action.tenantId }) ?? true
        else { return nil }
        if outcome == .running {
            if entries[index].entry.outcome == .pending {
                entries.update(at: index) {
                    $0.outcome = .running
                    $0.dateRunning = date
                }
            }
            return nil
        }
        outbox.removeAll { $0.processId == processId }
        entries.update(at: index) {
            $0.outcome = outcome
            $0.dateCompleted = date
            $0.errorMessage = errorMessage
            $0.result = request.result
        }
        let entry = entries[index].entry
        let followUp = Self.followUp(action)
        let kept = followUp.usesKeptEvents ? retainedEvents[entry.run] : nil
        let next = followUp.sequenceStep(
            after: entry, origin: origin(of: entry), action: action, previous: request.eventBody, event: kept, at: date)
        // Once no entry of the run is Pending, its event goes (a retry carries its own copy);
        // a sequence keeps it for its next item.
        if kept != nil, !entries.contains(where: {
            $0.entry.run == entry.run && $0.entry.dateStarted == entry.dateStarted && $0.entry.outcome.isOpen
        }) {
            if case .step = next {} else { retainedEvents[entry.run] = nil }
        }
        switch next {
        case .step(let step):
            var inserted: DelayedRunDue?
            if delayedRunsByID[step.id] == nil {
                delayedRunSequence += 1
                delayedRunsByID[step.id] = (step, nil, nil, delayedRunSequence)
                inserted = step.due
            }
            // Not counted: a sequential run counts once, at its end.
            return (ExecutionCompletion(
                entry: entry, totalExecutions: action.totalExecutions, consecutiveFailures: action.consecutiveFailures, step: inserted), nil, 0)
        case .stopped(let rest):
            for skipped in rest { _ = entries.insert(skipped) }
        case nil:
            break
        }
        let itemName = action.actions.indices.contains(entry.itemIndex) ? action.actions[entry.itemIndex].name : nil
        let previous = followUp.previousCarrier(of: entry).flatMap { delayedRunsByID[$0]?.run.previousCompletion }
        if let retry = followUp.retry(of: entry, payload: kept, previous: previous, itemName: itemName, at: date) {
            var inserted: DelayedRunDue?
            if delayedRunsByID[retry.id] == nil {
                delayedRunSequence += 1
                delayedRunsByID[retry.id] = (retry, nil, nil, delayedRunSequence)
                inserted = retry.due
            }
            return (ExecutionCompletion(
                entry: entry, totalExecutions: action.totalExecutions, consecutiveFailures: action.consecutiveFailures, retry: inserted), nil, 0)
        }
        return count(finalEntry: entry, of: &action, followUp, at: date)
    }

    private static func followUp(_ action: AutomatedAction) -> CompletionFollowUp {
        CompletionFollowUp(
            action: ActionNotification.Action(id: action.id, tenantId: action.tenantId, namespace: action.namespace, name: action.name),
            status: action.status, policies: action.policies, execution: action.execution)
    }

    /// The first attempt of `entry`'s item (the end of its `retryOf` chain), whose event and
    /// trigger are those of its run.
    private func origin(of entry: ExecutionHistoryEntry) -> ExecutionHistoryEntry {
        var current = entry
        for _ in 0...RetryPolicy.maximumRetries {
            guard let earlier = current.retryOf, let found = entries.first(where: { $0.entry.id == earlier })?.entry else { break }
            current = found
        }
        return current
    }

    /// The SQLite store's `count`: the run `entry` ended is counted, may pause the action, is notified.
    private func count(
        finalEntry entry: ExecutionHistoryEntry, of action: inout AutomatedAction, _ followUp: CompletionFollowUp, at date: Date
    ) -> ClosedEntry {
        action.totalExecutions += 1
        action.consecutiveFailures = entry.outcome != .success ? action.consecutiveFailures + 1 : 0
        let pausedReason = followUp.pauseReason(after: entry, consecutiveFailures: action.consecutiveFailures)
        if let pausedReason {
            action.status = .paused
            action.pausedReason = pausedReason
            action.pausedAt = date
            action.refreshNextScheduledRun()
        }
        actionsByID[action.id] = action
        let notifications = followUp.notifications(
            closing: entry, counters: (action.totalExecutions, action.consecutiveFailures), pausedReason: pausedReason, at: date)
        for notification in notifications where !notificationOutbox.contains(where: { $0.id == notification.id }) {
            notificationOutbox.append(notification)
        }
        return (
            ExecutionCompletion(
                entry: entry, totalExecutions: action.totalExecutions, consecutiveFailures: action.consecutiveFailures,
                pausedAction: pausedReason != nil),
            pausedReason != nil ? followUp.action : nil, notifications.count
        )
    }

    public func pendingNotifications(limit: Int) throws -> [ActionNotification] {
        try check()
        return Array(notificationOutbox.prefix(max(0, limit)))
    }

    public func deleteNotifications(ids: [String]) throws {
        try check()
        let published = Set(ids)
        notificationOutbox.removeAll { published.contains($0.id) }
    }

    public func pruneHistory(keepLastPerAction: Int?, startedBefore: Date?, underWayStartedBefore: Date?, tenant: TenantID?) throws -> Int {
        try check()
        var keep: Set<Int> = []
        let byAction = Dictionary(grouping: entries, by: { $0.entry.actionId })
        for (actionId, group) in byAction {
            if let tenant, actionsByID[actionId]?.tenantId != tenant {
                keep.formUnion(group.map(\.sequence))  // another tenant's: untouched
                continue
            }
            let ordered = group.sorted(by: Self.newestFirst)
            let kept = keepLastPerAction.map { Array(ordered.prefix($0)) } ?? ordered
            for item in kept where startedBefore.map({ item.entry.dateStarted >= $0 }) ?? true {
                keep.insert(item.sequence)
            }
            // Runs under way stay until started before `underWayStartedBefore`: their completion must find them.
            for item in group where item.entry.outcome.isOpen && underWayStartedBefore.map({ item.entry.dateStarted >= $0 }) ?? true {
                keep.insert(item.sequence)
            }
        }
        let before = entries.count
        for (actionId, group) in byAction {
            guard let owner = actionsByID[actionId]?.tenantId else { continue }
            rememberGone(group.filter { !keep.contains($0.sequence) }.map(\.entry), tenant: owner)
        }
        entries.removeAll { !keep.contains($0.sequence) }
        // A request whose entry is gone has nothing to close: it is not sent.
        let remaining = Set(entries.map(\.entry.processId))
        outbox.removeAll { !remaining.contains($0.processId) }
        // Events kept for retries go with the runs' last Pending entries.
        let underWay = Set(entries.filter { $0.entry.outcome.isOpen }.map(\.entry.run))
        retainedEvents = retainedEvents.filter { run, _ in
            underWay.contains(run) || tenant.map { actionsByID[run.actionId]?.tenantId != $0 } ?? false
        }
        return before - entries.count
    }

    // MARK: Helpers

    private static func newestFirst(
        _ a: (sequence: Int, entry: ExecutionHistoryEntry), _ b: (sequence: Int, entry: ExecutionHistoryEntry)
    ) -> Bool {
        (a.entry.dateStarted, a.sequence) > (b.entry.dateStarted, b.sequence)
    }

    private static func cursor(_ item: (sequence: Int, entry: ExecutionHistoryEntry)) -> String {
        "\(item.entry.dateStarted.timeIntervalSince1970):\(item.sequence)"
    }

    private func checkNameFree(_ action: AutomatedAction) throws {
        let clash = actionsByID.values.contains {
            $0.id != action.id && $0.tenantId == action.tenantId && $0.namespace == action.namespace && $0.name == action.name
        }
        if clash {
            throw AutomationError.conflict(
                "an action named \"\(action.name.prefix(200))\" already exists in namespace \"\(action.namespace)\"")
        }
    }

    private func modify(
        _ actionId: ActionID, _ tenant: TenantID, at date: Date, _ change: (inout AutomatedAction) throws(AutomationError) -> Void
    ) throws -> AutomatedAction {
        try check()
        guard var action = actionsByID[actionId], action.tenantId == tenant else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
        try change(&action)
        action.dateUpdated = date
        action.refreshNextScheduledRun()
        actionsByID[actionId] = action
        return action
    }
}
