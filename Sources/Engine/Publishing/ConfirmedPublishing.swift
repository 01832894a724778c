import AMQPClient
import Synchronization

extension PipelinePublisher {
    /// Publishes `drafts` in one hand-off and returns once each is confirmed or refused, with
    /// the results in order — or nil when `timeout` passed first (the messages stay with the
    /// connection, which still publishes them, after a reconnect if need be).
    func publishConfirmed(
        _ drafts: [AMQPOutboundMessage.Draft], timeout: Duration? = nil
    ) async -> [Result<Void, AMQPError>]? {
        guard !drafts.isEmpty else { return [] }
        let barrier = ConfirmBarrier(count: drafts.count)
        publish(drafts.enumerated().map { index, draft in
            draft.message { barrier.confirm(index, $0) }
        })
        guard let timeout else { return await barrier.results() }
        return await withTaskGroup(of: [Result<Void, AMQPError>]?.self) { group in
            group.addTask { await barrier.results() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            barrier.abandon()
            return first
        }
    }
}

/// Collects the confirms of a batch and resumes one waiter when the last arrives. Confirms come
/// on the connection's I/O thread: one lock each, no task.
final class ConfirmBarrier: Sendable {
    private struct State {
        var results: [Result<Void, AMQPError>?]
        var remaining: Int
        var abandoned = false
        var waiter: CheckedContinuation<[Result<Void, AMQPError>]?, Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count, waiter: nil))
    }

    func confirm(_ index: Int, _ result: Result<Void, AMQPError>) {
        let resume: (CheckedContinuation<[Result<Void, AMQPError>]?, Never>, [Result<Void, AMQPError>])? = state.withLock { state in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.results.map { $0! })
        }
        if let (waiter, results) = resume { waiter.resume(returning: results) }
    }

    /// All results once every message answered; nil if abandoned first.
    func results() async -> [Result<Void, AMQPError>]? {
        await withCheckedContinuation { continuation in
            let waiting = state.withLock { state in
                guard state.remaining > 0 && !state.abandoned else { return false }
                state.waiter = continuation
                return true
            }
            if !waiting { continuation.resume(returning: state.withLock { $0.remaining == 0 ? $0.results.map { $0! } : nil }) }
        }
    }

    /// Gives up waiting: the waiter, if any, gets nil.
    func abandon() {
        let waiter = state.withLock { state in
            state.abandoned = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
