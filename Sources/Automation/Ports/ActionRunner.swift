/// Runs an action for a synthetic event — a manual trigger — through the run path (plan → record
/// → publish), returning once every command is confirmed by the broker. The engine implements it;
/// the service calls it for `POST …/trigger`.
public protocol ActionRunner: Sendable {
    /// Plans the run of `action` for `event` (`cause` says why), records its history together
    /// with `key` (when the caller sent an idempotency key) and publishes its commands. Returns
    /// the entries as stored — or, when a live `key` of the same text already holds the action,
    /// runs nothing and returns ``ActionRunResult/heldBy``. Throws if the history cannot be
    /// written, or the broker refused a command (its entries are then closed `Failed` with the
    /// reason) or did not confirm in time (they stay `Pending`: the connection still publishes
    /// the commands).
    func run(_ action: AutomatedAction, cause: RunCause, event: Event, key: ManualRunKey?) async throws -> ActionRunResult
}

/// What ``ActionRunner/run(_:cause:event:key:)`` did.
public enum ActionRunResult: Sendable {
    /// The run's entries as stored, in item order.
    case ran([ExecutionHistoryEntry])
    /// Nothing ran: the run was recorded before (``RunCause/answersRetriesFromHistory``); its
    /// entries as stored then.
    case replayed([ExecutionHistoryEntry])
    /// Nothing ran: this earlier run holds the idempotency key.
    case heldBy(ManualRunKey)
}

/// Told when an action's definition changed through the service (created, edited, deleted,
/// paused, a schedule or trigger added, changed or removed), so running parts — the scheduler,
/// the trigger index — pick it up at once instead of at their next poll.
public protocol DefinitionChangeObserver: Sendable {
    func actionChanged(_ id: ActionID, tenant: TenantID)
    /// A delayed run was stored: the scheduler queues it (the others ignore it).
    func delayedRunScheduled(_ run: DelayedRunDue)
    /// Delayed runs were cancelled: the scheduler forgets them.
    func delayedRunsCancelled(_ ids: [DelayedRunID])
    /// Changes may have been made unheard (a ``StoreChangeFeed`` was not listening): compare
    /// with the store instead of waiting for the next poll.
    func resynchronize()
}

extension DefinitionChangeObserver {
    public func delayedRunScheduled(_ run: DelayedRunDue) {}
    public func delayedRunsCancelled(_ ids: [DelayedRunID]) {}
    public func resynchronize() {}
}
