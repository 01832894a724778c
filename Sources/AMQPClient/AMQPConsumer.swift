/// The deliveries of one consumer, as an `AsyncSequence`.
///
/// The sequence survives reconnects (deliveries resume on the new connection; unsettled ones come
/// back redelivered). It ends after `cancel()` or `close()`, and throws when the broker cancels the
/// consumer or the connection gives up.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    private let stream: AsyncThrowingStream<AMQPDelivery, any Error>
    private let id: Int
    /// The consumer tag, unique on the connection.
    public let tag: String
    public let queueName: String
    private let connection: AMQPConnection

    init(stream: AsyncThrowingStream<AMQPDelivery, any Error>, id: Int, tag: String, queueName: String,
         connection: AMQPConnection) {
        self.stream = stream
        self.id = id
        self.tag = tag
        self.queueName = queueName
        self.connection = connection
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Stops deliveries (`basic.cancel`); the sequence ends after what was already delivered.
    public func cancel() async throws(AMQPError) {
        try await connection.cancelConsumer(id: id)
    }
}
