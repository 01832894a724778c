import Foundation

/// Runs and their history: what the run path records in one transaction per batch (history rows,
/// completions, and what follows from them), manual-run keys, and the reads and retention of
/// history. History is unique on ``ExecutionHistoryEntry/idempotencyKey`` in the store's schema,
/// so any number of writers may record one run. (Contract shared by every role: see
/// ``AutomationStore``.)
public protocol RunHistoryStore: Sendable {
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

/// The parts of ``RunHistoryStore/record(_:)`` one at a time, for callers outside the run path
/// (the service, tests).
extension RunHistoryStore {
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

extension RunHistoryStore {
    /// ``pruneHistory(keepLastPerAction:startedBefore:underWayStartedBefore:tenant:)`` of finished runs only.
    public func pruneHistory(keepLastPerAction: Int?, startedBefore: Date?, tenant: TenantID? = nil) async throws -> Int {
        try await pruneHistory(keepLastPerAction: keepLastPerAction, startedBefore: startedBefore, underWayStartedBefore: nil, tenant: tenant)
    }
}
