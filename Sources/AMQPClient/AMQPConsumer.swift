/// The deliveries of one consumer, as an `AsyncSequence`.
///
/// The sequence survives reconnects (deliveries resume on the new connection; unsettled ones come
/// back redelivered). It ends after `cancel()` or `close()`, and throws when the broker cancels the
/// consumer or the connection gives up.
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

    public struct Iterator: AsyncIteratorProtocol {
        let buffer: DeliveryBuffer

        public mutating func next() async throws(AMQPError) -> AMQPDelivery? {
            try await buffer.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(AMQPError) -> AMQPDelivery? {
            try await buffer.next()
        }
    }

    /// Stops deliveries (`basic.cancel`); the sequence ends after what was already delivered.
    public func cancel() async throws(AMQPError) {
        try await connection.cancelConsumer(id: id)
    }
}
