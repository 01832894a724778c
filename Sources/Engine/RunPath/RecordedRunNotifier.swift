import Automation
import Logging
import Synchronization

/// Carries what a recorded batch changed beyond its own runs — delayed runs that triggers and
/// retries scheduled or cancelled, actions paused by failures, notifications queued — from the
/// writers that recorded it (run paths, the HTTP request sender) to those that act on it: the
/// scheduler (which subscribes once it exists: it needs a run path to be made) and the
/// notification publisher.
public final class RecordedRunNotifier: Sendable {
    private let observers = Mutex<[any DefinitionChangeObserver]>([])
    private let notificationWakers = Mutex<[@Sendable () -> Void]>([])
    private let recordedWatchers = Mutex<[@Sendable (RecordedRun) -> Void]>([])
    private let logger: Logger

    public init(logger: Logger = Logger(label: "signalbox.runs")) {
        self.logger = logger
    }

    public func subscribe(_ observer: any DefinitionChangeObserver) {
        observers.withLock { $0.append(observer) }
    }

    /// `wake` is called whenever notifications were queued in the store's outbox.
    public func onNotificationsQueued(_ wake: @escaping @Sendable () -> Void) {
        notificationWakers.withLock { $0.append(wake) }
    }

    /// `watch` is told of every recorded batch (the web console's live history reads the entries
    /// it added or closed); it must return at once.
    public func onRecorded(_ watch: @escaping @Sendable (RecordedRun) -> Void) {
        recordedWatchers.withLock { $0.append(watch) }
    }

    /// Tells the subscribers what `recorded` changed.
    func tell(_ recorded: RecordedRun) {
        for watch in recordedWatchers.withLock({ $0 }) { watch(recorded) }
        let observers = observers.withLock { $0 }
        let scheduled = recorded.scheduledRuns
        for observer in observers {
            for run in scheduled { observer.delayedRunScheduled(run) }
            if !recorded.cancelledDelayedRuns.isEmpty { observer.delayedRunsCancelled(recorded.cancelledDelayedRuns) }
            for action in recorded.pausedActions { observer.actionChanged(action.id, tenant: action.tenantId) }
        }
        for action in recorded.pausedActions {
            // News for its operators, whichever writer closed the entry.
            logger.warning("an action paused itself after consecutive failures; resume it once fixed", metadata: [
                "action_id": "\(action.id)", "tenant": "\(action.tenantId.rawValue)", "action": "\(action.namespace.rawValue)/\(action.name)",
            ])
        }
        if recorded.queuedNotifications > 0 {
            for wake in notificationWakers.withLock({ $0 }) { wake() }
        }
    }
}
