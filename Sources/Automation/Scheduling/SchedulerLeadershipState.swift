import Synchronization

/// Leadership as whoever campaigns for it says: ``gain()`` and ``lose(reason:)`` move it, the
/// scheduler waits on it. The campaign is elsewhere — a test, or the PostgreSQL store's
/// advisory lock — so this holds only the role, the term and the waiters. Starts as a follower.
public final class SchedulerLeadershipState: SchedulerLeadership {
    private struct Waiter<Value: Sendable> {
        var id: Int
        var continuation: CheckedContinuation<Value, any Error>
    }

    private struct State {
        /// The current term while leading, else the last one (0: never led).
        var term = 0
        var leading = false
        /// Why the last term ended.
        var lastLoss = "never led"
        var leadWaiters: [Waiter<LeadershipTerm>] = []
        /// Waiting for the current term to end (none wait while following).
        var lossWaiters: [Waiter<String>] = []
        var nextWaiterID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var role: SchedulerRole { state.withLock { $0.leading ? .leader : .follower } }

    /// Starts a new term, unless one is running; returns the current term.
    @discardableResult
    public func gain() -> LeadershipTerm {
        let (term, waiters) = state.withLock { state -> (LeadershipTerm, [Waiter<LeadershipTerm>]) in
            if !state.leading {
                state.term += 1
                state.leading = true
            }
            defer { state.leadWaiters = [] }
            return (LeadershipTerm(state.term), state.leadWaiters)
        }
        for waiter in waiters { waiter.continuation.resume(returning: term) }
        return term
    }

    /// Ends the current term, if any, for `reason`; returns the term that ended.
    @discardableResult
    public func lose(reason: String) -> LeadershipTerm? {
        let ended: (LeadershipTerm, [Waiter<String>])? = state.withLock { state in
            guard state.leading else { return nil }
            state.leading = false
            state.lastLoss = reason
            defer { state.lossWaiters = [] }
            return (LeadershipTerm(state.term), state.lossWaiters)
        }
        guard let (term, waiters) = ended else { return nil }
        for waiter in waiters { waiter.continuation.resume(returning: reason) }
        return term
    }

    public func holds(_ term: LeadershipTerm) -> Bool {
        state.withLock { $0.leading && $0.term == term.number }
    }

    public func waitUntilLeading() async throws -> LeadershipTerm {
        try await wait { state, id, continuation in
            if state.leading { return .success(LeadershipTerm(state.term)) }
            state.leadWaiters.append(Waiter(id: id, continuation: continuation))
            return nil
        } cancel: { state, id in
            state.leadWaiters.firstIndex { $0.id == id }.map { state.leadWaiters.remove(at: $0).continuation }
        }
    }

    public func waitUntilLost(_ term: LeadershipTerm) async throws -> String {
        try await wait { state, id, continuation in
            if !(state.leading && state.term == term.number) { return .success(state.lastLoss) }
            state.lossWaiters.append(Waiter(id: id, continuation: continuation))
            return nil
        } cancel: { state, id in
            state.lossWaiters.firstIndex { $0.id == id }.map { state.lossWaiters.remove(at: $0).continuation }
        }
    }

    /// Suspends until `register` answers at once or the continuation it kept is resumed; on
    /// cancellation `cancel` takes the continuation back and it is resumed with `CancellationError`.
    private func wait<Value: Sendable>(
        register: (inout State, Int, CheckedContinuation<Value, any Error>) -> Result<Value, any Error>?,
        cancel: @escaping @Sendable (inout State, Int) -> CheckedContinuation<Value, any Error>?
    ) async throws -> Value {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let answer: Result<Value, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    return register(&state, id, continuation)
                }
                if let answer { continuation.resume(with: answer) }
            }
        } onCancel: {
            state.withLock { cancel(&$0, id) }?.resume(throwing: CancellationError())
        }
    }
}
