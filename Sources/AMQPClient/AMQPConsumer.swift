/// The deliveries of one consumer, as an `AsyncSequence`.
///
/// The sequence survives reconnects (deliveries resume on the new connection; unsettled ones come
/// back redelivered). It ends after `cancel()` or `close()`, and throws when the broker cancels the
/// consumer or the connection gives up. `batches` gives the same deliveries grouped as they
/// arrived, which suits work done per batch (one database transaction, one publish call).
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    public typealias Failure = AMQPError

    private let buffer: DeliveryBuffer
    private let id: Int
    /// The consumer tag, unique on the connection.
    public let tag: String
    public let queueName: String
    private let connection: AMQPConnection

    init(buffer: DeliveryBuffer, id: Int, tag: String, queueName: String, connection: AMQPConnection) {
        self.buffer = buffer
        self.id = id
        self.tag = tag
        self.queueName = queueName
        self.connection = connection
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(buffer: buffer)
    }

    /// One delivery at a time; takes a whole batch from the connection and hands it out locally.
    public struct Iterator: AsyncIteratorProtocol {
        let buffer: DeliveryBuffer
        private var pending: [AMQPDelivery] = []
        private var index = 0

        init(buffer: DeliveryBuffer) {
            self.buffer = buffer
        }

        public mutating func next() async throws(AMQPError) -> AMQPDelivery? {
            if index == pending.count {
                guard let batch = try await buffer.nextBatch() else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }

    /// The deliveries in the batches the connection read them in (each non-empty).
    public var batches: Batches { Batches(buffer: buffer) }

    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = [AMQPDelivery]
        public typealias Failure = AMQPError
        let buffer: DeliveryBuffer

        public func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }

        public struct Iterator: AsyncIteratorProtocol {
            let buffer: DeliveryBuffer

            public mutating func next() async throws(AMQPError) -> [AMQPDelivery]? {
                try await buffer.nextBatch()
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(AMQPError) -> [AMQPDelivery]? {
                try await buffer.nextBatch()
            }
        }
    }

    /// Stops deliveries (`basic.cancel`); the sequence ends after what was already delivered.
    public func cancel() async throws(AMQPError) {
        try await connection.cancelConsumer(id: id)
    }
}
