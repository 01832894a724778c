/// Changes committed to a store that several processes share, as they commit: how a replica
/// hears of an action edited, a run delayed or cancelled through another replica. This process's
/// own changes come back too (observers take a change twice without harm).
///
/// Implementation: ``PostgresChangeFeed`` (LISTEN/NOTIFY). A store owned by one process has no
/// feed: its service tells the observers itself. Either way the observers also poll the
/// definitions version, so a change is never lost for good, only heard later.
public protocol StoreChangeFeed: Sendable {
    /// Tells `observer` of every change until cancelled, reconnecting after failures. Asks it to
    /// ``DefinitionChangeObserver/resynchronize()`` whenever it starts listening, first time
    /// included: changes committed while nobody listened were not heard and must be read.
    func follow(_ observer: any DefinitionChangeObserver) async throws
}

/// One change a ``StoreChangeFeed`` carries.
public enum StoreChange: Hashable, Sendable {
    /// An action, its schedules or its triggers changed (or it was deleted).
    case action(ActionID, tenant: TenantID)
    /// A run was delayed.
    case delayedRunScheduled(DelayedRunDue)
    /// A delayed run was cancelled.
    case delayedRunCancelled(DelayedRunID)

    /// Passes the change on to `observer`.
    public func tell(_ observer: any DefinitionChangeObserver) {
        switch self {
        case .action(let id, let tenant): observer.actionChanged(id, tenant: tenant)
        case .delayedRunScheduled(let run): observer.delayedRunScheduled(run)
        case .delayedRunCancelled(let id): observer.delayedRunsCancelled([id])
        }
    }
}
