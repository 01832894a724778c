import Automation
import Logging
import Synchronization

/// The trigger index the pipeline matches with, rebuilt from the store when definitions change
/// and swapped atomically (a batch matches against one index from start to end).
///
/// ## When it refreshes
/// At once when the service reports a change (``DefinitionChangeObserver``), and otherwise every
/// ``run(every:logger:)`` tick (500 ms in `serve`), because another process sharing the database
/// changes it without telling. A refresh reads `actionsWithEnabledTriggers()` and rebuilds only
/// when the definitions differ from the last build — compared without the counters
/// (`totalExecutions`, `consecutiveFailures`) and schedules, which completions and the scheduler
/// change all the time. A cheap `definitionsVersion` port (a counter bumped in the same
/// transaction as each change) would make the tick one small query; that is the next step when
/// the benchmarks ask for it.
public final class TriggerIndexProvider: DefinitionChangeObserver {
    private struct State {
        var index: TriggerIndex
        var definitions: [AutomatedAction]?
    }

    private let store: any AutomationStore
    private let state: Mutex<State>
    private let changed = WakeSignal()

    public init(store: any AutomationStore) {
        self.store = store
        self.state = Mutex(State(index: TriggerIndex(actions: []), definitions: nil))
    }

    /// The index to match with now.
    public var current: TriggerIndex { state.withLock { $0.index } }

    /// Reads the definitions and rebuilds the index if they changed; returns the new index, or
    /// nil when nothing changed.
    @discardableResult
    public func refresh() async throws -> TriggerIndex? {
        let actions = try await store.actionsWithEnabledTriggers()
        let definitions = actions.map(Self.definition)
        let unchanged = state.withLock { $0.definitions == definitions }
        if unchanged { return nil }
        let index = TriggerIndex(actions: actions)
        state.withLock { $0 = State(index: index, definitions: definitions) }
        return index
    }

    public func actionChanged(_ id: ActionID, tenant: TenantID) {
        changed.signal()
    }

    /// Refreshes every `interval`, and when told of a change, until the task is cancelled.
    public func run(every interval: Duration, logger: Logger) async {
        while !Task.isCancelled {
            await changed.wait(for: interval)
            if Task.isCancelled { return }
            do {
                if let index = try await refresh() {
                    logger.info("trigger index rebuilt", metadata: [
                        "triggers": "\(index.count)", "skipped": "\(index.skipped.count)",
                    ])
                }
            } catch {
                logger.warning("trigger definitions could not be read", metadata: ["error": "\(error)"])
            }
        }
    }

    /// What matching and planning depend on: the action without its counters and schedules.
    private static func definition(_ action: AutomatedAction) -> AutomatedAction {
        var action = action
        action.totalExecutions = 0
        action.consecutiveFailures = 0
        action.nextScheduledRunAt = nil
        action.schedules = []
        return action
    }
}
