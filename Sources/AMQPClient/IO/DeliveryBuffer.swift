import Synchronization

/// The hand-off of deliveries from the I/O thread to one consumer's iterator.
///
/// Unlike `AsyncStream`, which resumes a waiting consumer for every element, the I/O thread
/// appends everything one loop turn read and wakes the consumer once: under load the consumer then
/// drains the buffer without suspending, which saves a thread wake-up per message. The buffer is
/// bounded by the consumer's prefetch.
final class DeliveryBuffer: Sendable {
    private struct State {
        var items: [AMQPDelivery] = []
        var head = 0
        var waiter: CheckedContinuation<Result<AMQPDelivery?, AMQPError>, Never>?
        var ended: AMQPError?? = nil  // .some(nil): finished; .some(error): failed
    }

    private let state = Mutex(State())
    /// When set, deliveries go straight to it on the I/O thread instead of being buffered.
    private let handler: (@Sendable (AMQPDelivery) -> Void)?

    init(handler: (@Sendable (AMQPDelivery) -> Void)? = nil) {
        self.handler = handler
    }

    /// Appends a batch and wakes the consumer if it waits.
    func append(_ deliveries: [AMQPDelivery]) {
        guard !deliveries.isEmpty else { return }
        if let handler {
            for delivery in deliveries { handler(delivery) }
            return
        }
        let resume = state.withLock { state -> (CheckedContinuation<Result<AMQPDelivery?, AMQPError>, Never>, AMQPDelivery)? in
            guard state.ended == nil else { return nil }
            var batch = deliveries[...]
            if let waiter = state.waiter {
                state.waiter = nil
                let first = batch.removeFirst()
                state.items.append(contentsOf: batch)
                return (waiter, first)
            }
            state.items.append(contentsOf: batch)
            return nil
        }
        if let (waiter, first) = resume { waiter.resume(returning: .success(first)) }
    }

    /// Ends the sequence after what is buffered; with an error, the iterator throws it then.
    func finish(throwing error: AMQPError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<AMQPDelivery?, AMQPError>, Never>? in
            guard state.ended == nil else { return nil }
            state.ended = .some(error)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    func next() async throws(AMQPError) -> AMQPDelivery? {
        let immediate = state.withLock { state -> Result<AMQPDelivery?, AMQPError>? in
            if state.head < state.items.count {
                let item = state.items[state.head]
                state.head += 1
                if state.head == state.items.count {
                    state.items.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return .success(item)
            }
            if let ended = state.ended { return ended.map { .failure($0) } ?? .success(nil) }
            return nil
        }
        if let immediate { return try immediate.get() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<AMQPDelivery?, AMQPError>, Never>) in
                let early = state.withLock { state -> Result<AMQPDelivery?, AMQPError>? in
                    if state.head < state.items.count {
                        let item = state.items[state.head]
                        state.head += 1
                        return .success(item)
                    }
                    if let ended = state.ended { return ended.map { .failure($0) } ?? .success(nil) }
                    if Task.isCancelled { return .success(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let early { continuation.resume(returning: early) }
            }
        } onCancel: {
            // A cancelled iteration ends quietly; the deliveries stay buffered and unsettled.
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: .success(nil))
        }
        return try result.get()
    }
}
