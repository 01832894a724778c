import Foundation
import JSONPath

/// What closing an entry leads to under the action's ``FailurePolicies``, decided here so that
/// every store does the same inside its closing transaction:
///
/// 1. A `Failed` entry of an active action whose ``RetryPolicy`` allows another attempt gets a
///    retry (a delayed run of that item, its id from the entry and attempt) and the counters do
///    not move: a run counts once, by its last attempt.
/// 2. Otherwise the counters move (a run ended by a retry that could not be planned, or that was
///    skipped because the action was paused, counts as failed); a run that failed for good with `consecutiveFailures` at or
///    past ``FailurePolicies/pauseAfterConsecutiveFailures`` pauses the active action (after a
///    resume, one more failure pauses it again: a half-open circuit).
/// 3. The notifications the action asked for: `succeeded`, `failed` (for good), `paused`.
public struct CompletionFollowUp: Sendable {
    /// The action as the close reads it.
    public var action: ActionNotification.Action
    public var status: ActionStatus
    public var policies: FailurePolicies
    public var execution: ActionExecution

    public init(
        action: ActionNotification.Action, status: ActionStatus, policies: FailurePolicies, execution: ActionExecution = .parallel
    ) {
        self.execution = execution
        self.action = action
        self.status = status
        self.policies = policies
    }

    /// Whether `entry`, recorded already closed, ends a run that was being retried: a retry that
    /// could not be planned (`Failed`) or did not run (`Skipped`). Counted like a last attempt.
    public static func endsRetriedRun(_ entry: ExecutionHistoryEntry) -> Bool {
        entry.retryOf != nil && (entry.outcome == .failed || entry.outcome == .skipped)
    }

    /// Whether `entry`, recorded already `Failed` (an item that could not be planned), ends a
    /// run of this sequential action: counted like a last attempt. (Parallel runs count such
    /// entries nowhere; their other items' completions count.)
    public func endsSequence(_ entry: ExecutionHistoryEntry) -> Bool {
        execution == .sequential && entry.outcome == .failed && entry.retryOf == nil
    }

    /// Whether the store needs the run's kept event when one of its entries closes: only an
    /// action that retries keeps events (one whose policy was removed since leaves its rows to
    /// the retention sweep).
    public var usesKeptEvents: Bool { policies.retryPolicy != nil || execution == .sequential }

    /// Whether `entry` (just closed) is tried again.
    public func retries(_ entry: ExecutionHistoryEntry) -> Bool {
        guard entry.outcome == .failed, status == .active, let policy = policies.retryPolicy else { return false }
        return policy.retries(afterAttempt: entry.attempt)
    }

    /// The retry of `entry` (closed `Failed` at `date`), or nil when it is not tried again.
    /// `payload` is the event the failed attempt ran for, when the store kept it; `itemName` the
    /// name of the action's item at the entry's index now; `previous` the completion of the item
    /// before in a sequence (``previousCarrier(of:)``), read again by `$fromPrevious`.
    public func retry(
        of entry: ExecutionHistoryEntry, payload: JSONValue?, previous: JSONValue? = nil, itemName: String?, at date: Date
    ) -> DelayedRun? {
        guard retries(entry), let policy = policies.retryPolicy else { return nil }
        let attempt = entry.attempt + 1
        return DelayedRun(
            id: Self.retryID(of: entry.id, attempt: attempt), tenantId: action.tenantId, actionId: action.id,
            dueAt: date.addingTimeInterval(policy.delay(afterAttempt: entry.attempt)), payload: payload, dateCreated: date,
            retry: RetryTarget(
                retryOf: entry.id, itemIndex: entry.itemIndex, itemName: itemName, processType: entry.processType, attempt: attempt,
                previous: previous))
    }

    /// The delayed run that started `entry` with the completion of the item before it (a
    /// sequence's step, or a retry of such an item), nil for an entry no such run started. A
    /// store reads that run's ``DelayedRun/previousCompletion`` for the retry of `entry`.
    public func previousCarrier(of entry: ExecutionHistoryEntry) -> DelayedRunID? {
        guard execution == .sequential else { return nil }
        if let failed = entry.retryOf { return Self.retryID(of: failed, attempt: entry.attempt) }
        guard entry.itemIndex > 0 else { return nil }
        return Self.stepID(action: action.id, eventId: entry.sourceEventId, trigger: entry.triggerId, item: entry.itemIndex)
    }

    /// The id of the retry of the failed entry `failed` as attempt `attempt`: a redelivered
    /// failure stores no second retry.
    static func retryID(of failed: ExecutionID, attempt: Int) -> DelayedRunID {
        DelayedRunID(rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "retry|\(failed)|\(attempt)"))
    }

    /// The id of the step running item `item` of the run of `eventId` and `trigger`: a
    /// redelivered completion stores no second step.
    static func stepID(action: ActionID, eventId: String, trigger: ExecutionSourceID?, item: Int) -> DelayedRunID {
        let triggerText = trigger?.description ?? "manual"
        return DelayedRunID(rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "step|\(action)|\(eventId)|\(triggerText)|\(item)"))
    }

    /// What the close of `entry` (an entry of a sequential action) does to its sequence.
    public enum SequenceNext: Sendable {
        /// The next item: a delayed run due at once (its id from the run and the item, so a
        /// redelivered completion stores no second one). The run does not count yet.
        case step(DelayedRun)
        /// The sequence stopped: these entries record the remaining items `Skipped`.
        case stopped([ExecutionHistoryEntry])
    }

    /// What follows the close of `entry` in its sequence, or nil when nothing does (a parallel
    /// action, a failure that is retried, the last item's success). `origin` is the entry of the
    /// run's first attempt of its first item (the root of `entry`'s `retryOf` chain, or the entry
    /// itself), whose event and trigger every entry of the run shares; `action` the action now;
    /// `previous` the completion event's body and `event` the run's kept event.
    public func sequenceStep(
        after entry: ExecutionHistoryEntry, origin: ExecutionHistoryEntry, action: AutomatedAction, previous: JSONValue?,
        event: JSONValue?, at date: Date
    ) -> SequenceNext? {
        guard execution == .sequential, !retries(entry) else { return nil }
        let cause = RunCause.step(origin.triggerType, origin.triggerId)
        let planner = CommandPlanner()
        switch entry.outcome {
        case .success:
            let next = entry.itemIndex + 1
            guard action.actions.indices.contains(next) else { return nil }
            guard status.continuesRun(startedBy: origin.triggerType) else {
                return .stopped(planner.skippedItems(
                    of: action, cause: cause, eventId: origin.sourceEventId, after: entry.itemIndex,
                    reason: "not run: the action was \(status.rawValue) when item \(entry.itemIndex + 1) completed", at: date))
            }
            let id = Self.stepID(action: action.id, eventId: origin.sourceEventId, trigger: origin.triggerId, item: next)
            return .step(DelayedRun(
                id: id, tenantId: action.tenantId, actionId: action.id, dueAt: date, payload: event, dateCreated: date,
                step: StepTarget(
                    after: entry.id, itemIndex: next, itemName: action.actions[next].name, sourceEventId: origin.sourceEventId,
                    triggerType: origin.triggerType, triggerId: origin.triggerId, previous: previous)))
        case .failed, .skipped:
            let rest = planner.skippedItems(
                of: action, cause: cause, eventId: origin.sourceEventId, after: entry.itemIndex,
                reason: CommandPlanner.notRunReason(failedItem: entry.itemIndex, of: action), at: date)
            return rest.isEmpty ? nil : .stopped(rest)
        case .pending, .running:
            return nil
        }
    }

    /// Why the action pauses after `entry` closed with the counters at `consecutiveFailures`; nil
    /// when it does not.
    public func pauseReason(after entry: ExecutionHistoryEntry, consecutiveFailures: Int) -> String? {
        guard entry.outcome != .success, status == .active, let threshold = policies.pauseAfterConsecutiveFailures,
            consecutiveFailures >= threshold
        else { return nil }
        // One line: an error may quote a multi-line answer (a webhook item's HTML error page).
        let last = entry.errorMessage.map { ": " + $0.prefix(300).split(whereSeparator: \.isWhitespace).joined(separator: " ") } ?? ""
        return "paused after \(consecutiveFailures) consecutive failures (pauseAfterConsecutiveFailures \(threshold)); last failure\(last)"
    }

    /// The notifications of closing `entry` for good (no retry) at `date`, `pausedReason` set
    /// when it paused the action.
    public func notifications(
        closing entry: ExecutionHistoryEntry, counters: (total: Int, consecutiveFailures: Int), pausedReason: String?, at date: Date
    ) -> [ActionNotification] {
        let settings = policies.notification
        var kinds: [ActionNotification.Kind] = []
        if entry.outcome == .success && settings?.onSuccess == true { kinds.append(.succeeded) }
        if entry.outcome != .success && settings?.onFailure == true { kinds.append(.failed) }
        if pausedReason != nil && settings?.onPause ?? true { kinds.append(.paused) }
        return kinds.map { kind in
            ActionNotification.make(
                kind, entry: entry, action: action, counters: counters, pausedReason: kind == .paused ? pausedReason : nil, at: date)
        }
    }
}
