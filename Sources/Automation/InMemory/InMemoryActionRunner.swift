import Foundation
import Synchronization

/// An ``ActionRunner`` without a broker, for unit tests of the domain and of the REST API: it
/// plans and records like the engine and keeps the commands it would have published.
public final class InMemoryActionRunner: ActionRunner {
    private let store: any AutomationStore
    private let clock: any WallClock
    private let planner = CommandPlanner()
    private let commands = Mutex<[ProcessStartCommand]>([])

    public init(store: any AutomationStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The commands "published" so far, in order.
    public var published: [ProcessStartCommand] { commands.withLock { $0 } }

    public func run(_ action: AutomatedAction, cause: RunCause, event: Event, key: ManualRunKey?) async throws -> ActionRunResult {
        let now = clock.now()
        let plan = planner.plan(action, cause: cause, for: event, at: now)
        let recorded = try await store.record(RunRecord(history: plan.history, manualRunKey: key, at: now))
        if let holder = recorded.heldBy { return .heldBy(holder) }
        if cause.answersRetriesFromHistory, recorded.recordedBefore(recorded.history.indices) {
            return .replayed(recorded.history)
        }
        commands.withLock { $0 += plan.commands }
        return .ran(recorded.history)
    }
}
