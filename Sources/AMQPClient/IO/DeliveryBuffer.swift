import Synchronization

/// The hand-off of deliveries from the I/O thread to one consumer.
///
/// Unlike `AsyncStream`, which takes a lock and may resume the consumer for every element, the I/O
/// thread appends everything one loop turn read and wakes the consumer once, and the consumer takes
/// everything buffered at once: under load that is one lock and at most one thread wake-up per batch
/// instead of per message. The buffer is bounded by the consumer's prefetch.
final class DeliveryBuffer: Sendable {
    typealias Waiter = CheckedContinuation<Result<[AMQPDelivery]?, AMQPError>, Never>

    private struct State {
        var items: [AMQPDelivery] = []
        var waiter: Waiter?
        var ended: AMQPError?? = nil  // .some(nil): finished; .some(error): failed

        /// Everything buffered (nil if empty), or the end of the sequence.
        mutating func take() -> Result<[AMQPDelivery]?, AMQPError>? {
            if !items.isEmpty {
                defer { items = [] }
                return .success(items)
            }
            if let ended { return ended.map { .failure($0) } ?? .success(nil) }
            return nil
        }
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
        let waiter = state.withLock { state -> Waiter? in
            guard state.ended == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(contentsOf: deliveries)
            return nil
        }
        waiter?.resume(returning: .success(deliveries))
    }

    /// Ends the sequence after what is buffered; with an error, the consumer gets it then.
    func finish(throwing error: AMQPError? = nil) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.ended == nil else { return nil }
            state.ended = .some(error)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    /// Everything delivered and not yet taken, waiting while there is nothing; nil at the end.
    /// A cancelled task gets nil: the deliveries stay buffered and unsettled.
    func nextBatch() async throws(AMQPError) -> [AMQPDelivery]? {
        if let immediate = state.withLock({ $0.take() }) { return try immediate.get() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let early = state.withLock { state -> Result<[AMQPDelivery]?, AMQPError>? in
                    if let taken = state.take() { return taken }
                    if Task.isCancelled { return .success(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let early { continuation.resume(returning: early) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: .success(nil))
        }
        return try result.get()
    }
}
