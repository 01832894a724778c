/// Runs an action for a synthetic event — a manual trigger — through the pipeline's plan → record
/// → publish, returning once every command is confirmed by the broker. The engine implements it;
/// the service calls it for `POST …/trigger`.
public protocol ActionRunner: Sendable {
    /// Plans the run of `action` for `event` (`cause` says why), records its history and publishes
    /// its commands; returns the entries as stored. Throws if the history cannot be written, or
    /// the broker refused a command (its entries are then closed `Failed` with the reason) or did
    /// not confirm in time (they stay `Pending`: the connection still publishes the commands).
    func run(_ action: AutomatedAction, cause: RunCause, event: Event) async throws -> [ExecutionHistoryEntry]
}

/// Told when an action's definition changed through the service (created, edited, deleted,
/// paused, a schedule or trigger added, changed or removed), so running parts — the scheduler,
/// the trigger index — pick it up at once instead of at their next poll.
public protocol DefinitionChangeObserver: Sendable {
    func actionChanged(_ id: ActionID, tenant: TenantID)
}
