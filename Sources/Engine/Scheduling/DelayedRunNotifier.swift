import Automation
import Synchronization

/// Carries the delayed runs that triggers scheduled from the run paths that recorded them to the
/// scheduler, which subscribes once it exists (it needs a run path to be made).
public final class DelayedRunNotifier: Sendable {
    private let observers = Mutex<[any DefinitionChangeObserver]>([])

    public init() {}

    public func subscribe(_ observer: any DefinitionChangeObserver) {
        observers.withLock { $0.append(observer) }
    }

    func tell(_ runs: [DelayedRunDue]) {
        for observer in observers.withLock({ $0 }) {
            for run in runs { observer.delayedRunScheduled(run) }
        }
    }

    func tell(cancelled ids: [DelayedRunID]) {
        for observer in observers.withLock({ $0 }) { observer.delayedRunsCancelled(ids) }
    }
}
