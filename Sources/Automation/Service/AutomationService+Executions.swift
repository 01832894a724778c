import Foundation
import JSONPath

extension AutomationService {
    /// Runs an action now (`POST …/trigger`, `action-trigger`) through the run path: one
    /// `Manual` history entry per item and one command each, published and confirmed before this
    /// returns. Works on paused and draft actions too (it is how one tests them); an archived one
    /// is `conflict`. `unavailable` when the
    /// process has no ``ActionRunner`` (no broker), or the runner could not publish (see
    /// ``ActionRunner/run(_:cause:event:key:)`` for what becomes of the entries).
    ///
    /// With an `idempotencyKey` (the `Idempotency-Key` header), the same key on the same action
    /// within ``ManualRunKey/lifetime`` answers with the first run's event, processes and entries
    /// and publishes nothing (``ManualTriggerResult/replayed``); the key is stored in the run's
    /// own transaction, so two concurrent requests with one key start one run.
    public func triggerManually(
        _ reference: ActionReference, idempotencyKey: String? = nil, as caller: Caller
    ) async throws(AutomationError) -> ManualTriggerResult {
        let action = try await resolve(reference, caller)
        guard action.status.allowsManualRun else {
            throw .conflict("action \"\(action.name)\" is archived; archived actions do not run", field: "status")
        }
        let now = now()
        if let idempotencyKey {
            try Self.validateIdempotencyKey(idempotencyKey)
            let held = try await storeCall { try await store.manualRunKey(idempotencyKey, actionId: action.id, tenant: action.tenantId) }
            if let held, held.isLive(at: now) { return try await replay(held, of: action) }
        }
        let event = Event.manual(id: UUID().uuidString.lowercased(), of: action)
        let key = idempotencyKey.map {
            ManualRunKey(tenantId: action.tenantId, actionId: action.id, key: $0, eventId: event.id, createdAt: now)
        }
        let stored: [ExecutionHistoryEntry]
        switch try await runNow(action, cause: .manual, event: event, key: key) {
        case .ran(let entries), .replayed(let entries): stored = entries  // a manual event is new: never replayed
        case .heldBy(let holder): return try await replay(holder, of: action)
        }
        return ManualTriggerResult(eventId: event.id, processIds: stored.filter(\.startedAProcess).map(\.processId), entries: stored)
    }

    /// The earlier run that holds an idempotency key, as its trigger answered.
    private func replay(_ held: ManualRunKey, of action: AutomatedAction) async throws(AutomationError) -> ManualTriggerResult {
        let keys = action.actions.indices.map { ExecutionKey(sourceEventId: held.eventId, triggerId: nil, itemIndex: $0) }
        let entries = try await storeCall { try await store.history(keys: keys, actionId: action.id) }
        // As the first answer listed them: the entries whose command was published.
        let started = entries.filter(\.startedAProcess)
        return ManualTriggerResult(eventId: held.eventId, processIds: started.map(\.processId), entries: entries, replayed: true)
    }

    /// Runs `action` through the ``runner`` (manual runs, webhook calls): its answer, and its
    /// failures as `AutomationError`s — anything else hidden behind `unavailable`, as
    /// ``storeCall(_:)`` does, since a store error's text may quote data.
    func runNow(_ action: AutomatedAction, cause: RunCause, event: Event, key: ManualRunKey?) async throws(AutomationError) -> ActionRunResult {
        guard let runner else {
            throw .unavailable("runs are published by the event pipeline, which this process does not run")
        }
        do {
            return try await runner.run(action, cause: cause, event: event, key: key)
        } catch let error as AutomationError {
            throw error
        } catch {
            throw .unavailable("the run was not started; retry later")
        }
    }

    /// 1 to ``ManualRunKey/maximumLength`` visible ASCII characters, as HTTP header values carry them.
    static func validateIdempotencyKey(_ key: String) throws(AutomationError) {
        try validateHeaderToken(key, maximumLength: ManualRunKey.maximumLength, field: "Idempotency-Key", what: "an idempotency key")
    }

    /// `text` is 1 to `maximumLength` visible ASCII characters (no spaces): an id a client sends
    /// in a header and Signalbox keys runs by.
    static func validateHeaderToken(_ text: String, maximumLength: Int, field: String, what: String) throws(AutomationError) {
        guard !text.isEmpty, text.utf8.count <= maximumLength, text.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw .invalidInput("\(what) is 1 to \(maximumLength) visible ASCII characters (no spaces)", field: field)
        }
    }

    /// An action's execution history, newest first (`GET …/history?limit=`, default 50).
    public func history(
        of reference: ActionReference, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<ExecutionHistoryEntry> {
        try validatePage(page)
        let action = try await resolve(reference, caller)
        return try await storeCall { try await store.history(actionId: action.id, page: page) }
    }

    /// Closes the history entry of a process Signalbox started, and counts it on its action
    /// (for the completion tracker). Nil when the process is unknown or already closed.
    public func completeExecution(
        processId: ProcessID, outcome: ExecutionOutcome, errorMessage: String? = nil
    ) async throws(AutomationError) -> ExecutionCompletion? {
        guard !outcome.isOpen else {
            throw .invalidInput("a completion needs outcome Success or Failed", field: "outcome")
        }
        let now = now()
        return try await storeCall {
            try await store.completeExecution(
                processId: processId, outcome: outcome, errorMessage: outcome == .failed ? errorMessage : nil, at: now)
        }
    }

    /// Applies the retention policy; returns how many entries were deleted.
    public func pruneHistory(_ policy: RetentionPolicy) async throws(AutomationError) -> Int {
        if let keep = policy.keepLastPerAction, keep < 0 {
            throw .invalidInput("keepLastPerAction must not be negative", field: "keepLastPerAction")
        }
        if let days = policy.maximumAgeDays, days < 0 {
            throw .invalidInput("maximumAgeDays must not be negative", field: "maximumAgeDays")
        }
        let now = now()
        let cutoff = policy.maximumAgeDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
        return try await storeCall {
            try await store.pruneHistory(
                keepLastPerAction: policy.keepLastPerAction, startedBefore: cutoff,
                underWayStartedBefore: now - ExecutionHistoryEntry.underWayRetentionGrace, tenant: nil)
        }
    }

    /// Deletes the caller's tenant's history by age and/or count (`POST /maintenance/history-cleanup`,
    /// `signalbox history-cleanup`). Admin only; the retention job does the same for every tenant.
    public func cleanUpHistory(_ request: HistoryCleanupRequest, as caller: Caller) async throws(AutomationError) -> HistoryCleanupResult {
        try requireAdmin(caller, "clean up history")
        guard request.olderThanDays != nil || request.keepPerAction != nil else {
            throw .invalidValue("give olderThanDays, keepPerAction or both", field: "olderThanDays")
        }
        if let days = request.olderThanDays, !(0...36_500).contains(days) {
            throw .invalidValue("olderThanDays must be 0 to 36500, got \(days)", field: "olderThanDays")
        }
        if let keep = request.keepPerAction, keep < 0 {
            throw .invalidValue("keepPerAction must not be negative, got \(keep)", field: "keepPerAction")
        }
        let now = now()
        let cutoff = request.olderThanDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
        let deleted = try await storeCall {
            try await store.pruneHistory(
                keepLastPerAction: request.keepPerAction, startedBefore: cutoff,
                underWayStartedBefore: now - ExecutionHistoryEntry.underWayRetentionGrace, tenant: caller.tenantId)
        }
        return HistoryCleanupResult(
            deleted: deleted, olderThanDays: request.olderThanDays, keepPerAction: request.keepPerAction, startedBefore: cutoff)
    }

    /// Deletes the delayed runs dispatched or cancelled more than the policy's maximum age ago
    /// (the history keeps what they ran); returns how many. None without a maximum age.
    public func pruneDelayedRuns(_ policy: RetentionPolicy) async throws(AutomationError) -> Int {
        guard let days = policy.maximumAgeDays, days >= 0 else { return 0 }
        let cutoff = now().addingTimeInterval(-Double(days) * 86_400)
        return try await storeCall { try await store.pruneDelayedRuns(finishedBefore: cutoff) }
    }

    /// Forgets the manual-run idempotency keys past ``ManualRunKey/lifetime``; returns how many.
    public func pruneManualRunKeys() async throws(AutomationError) -> Int {
        let cutoff = now().addingTimeInterval(-ManualRunKey.lifetime)
        return try await storeCall { try await store.pruneManualRunKeys(createdBefore: cutoff) }
    }

    /// Tries a filter on events (`POST /filters/test`): whether it fires for each, with the
    /// evaluation explained. A filter that does not compile is `invalidInput` at `filter`; one
    /// longer than ``Limits/filterTextBytes``, or whose evaluation of an event exceeds
    /// ``Limits/filterWorkBudget``, is `limitExceeded` (422) naming the limit.
    public func testFilter(_ request: FilterTestRequest) throws(AutomationError) -> FilterTestResult {
        try AutomationValidator.validateFilterLength(request.filter, limit: limits.filterTextBytes, field: "filter")
        let (filter, warnings) = try AutomationValidator.compileFilter(request.filter, field: "filter")
        guard !request.events.isEmpty else {
            throw .invalidValue("give at least one event to test the filter on", field: "events")
        }
        guard request.events.count <= PageRequest.maximumLimit else {
            throw .limitExceeded("at most \(PageRequest.maximumLimit) events per test", field: "events")
        }
        var results: [FilterTestResult.EventResult] = []
        // One answer's explanations share a cap, so many events do not multiply the 64 KiB of one;
        // past it each event still shows its first steps.
        var remainingBytes = FilterTestResult.maximumExplanationBytes
        for (index, event) in request.events.enumerated() {
            let explanation: FilterExplanation
            let cap = max(FilterTestResult.minimumExplanationBytes, min(FilterExplanation.defaultMaximumBytes, remainingBytes))
            do {
                explanation = try filter.explain(event.value, budget: limits.filterWorkBudget, maximumBytes: cap)
            } catch {
                throw AutomationValidator.overBudget(error, on: "events[\(index)]")
            }
            let text = explanation.description
            remainingBytes -= text.utf8.count
            results.append(FilterTestResult.EventResult(index: index, matched: explanation.result, explanation: text))
        }
        return FilterTestResult(filter: request.filter, results: results, warnings: warnings)
    }
}
