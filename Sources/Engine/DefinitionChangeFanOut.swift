import Automation

/// Tells several observers of each definition change (the scheduler and the trigger index).
public struct DefinitionChangeFanOut: DefinitionChangeObserver {
    private let observers: [any DefinitionChangeObserver]

    public init(_ observers: [any DefinitionChangeObserver]) {
        self.observers = observers
    }

    public func actionChanged(_ id: ActionID, tenant: TenantID) {
        for observer in observers { observer.actionChanged(id, tenant: tenant) }
    }

    public func delayedRunScheduled(_ run: DelayedRunDue) {
        for observer in observers { observer.delayedRunScheduled(run) }
    }

    public func delayedRunsCancelled(_ ids: [DelayedRunID]) {
        for observer in observers { observer.delayedRunsCancelled(ids) }
    }

    public func resynchronize() {
        for observer in observers { observer.resynchronize() }
    }
}
