import Synchronization

/// The first of several racing outcomes, handed to one waiting continuation; later ones are
/// dropped. For racing a query against its timeout without waiting for the loser: postgres-nio
/// can leave a query on a connection that closed under it unanswered for good, and a task group
/// would wait for it.
final class FirstAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, any Error>?, early: Result<Value, any Error>?)>((nil, nil))

    /// Waits for the first outcome given to ``resolve(_:)`` (before or after the wait began).
    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let early: Result<Value, any Error>? = state.withLock { state in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }
    }

    /// Offers an outcome; only the first one counts.
    func resolve(_ outcome: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard state.early == nil else { return nil }
            state.early = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(with: outcome)
    }
}

/// `operation`'s outcome, or `late()`'s error once `timeout` passed, whichever comes first. The
/// loser is not waited for: postgres-nio may never answer a query on a connection that closed
/// under it, and an await that never returns would hold its caller (a batch of the pipeline, and
/// with it graceful shutdown) for good. Cancelling the caller cancels `operation` and returns.
func firstAnswer<Value: Sendable>(
    within timeout: Duration, late: @escaping @Sendable () -> any Error, _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let first = FirstAnswer<Value>()
    let answering = Task {
        do {
            first.resolve(.success(try await operation()))
        } catch {
            first.resolve(.failure(error))
        }
    }
    let timing = Task {
        try await Task.sleep(for: timeout)
        first.resolve(.failure(late()))
    }
    defer { timing.cancel() }
    return try await withTaskCancellationHandler {
        try await first.value()
    } onCancel: {
        answering.cancel()
        first.resolve(.failure(CancellationError()))
    }
}
