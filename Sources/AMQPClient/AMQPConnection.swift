import Logging
import Synchronization

/// A supervised connection to RabbitMQ.
///
/// One dedicated thread owns the rabbitmq-c connection and makes every call on it; this type only
/// queues work for that thread, so it is `Sendable` and never blocks Swift's shared pool. When the
/// connection is lost the thread reconnects with exponential backoff and jitter, declares the
/// topology again, resumes the consumers and publishes again what was not confirmed.
public final class AMQPConnection: Sendable {
    public let configuration: AMQPConfiguration
    private let driver: ConnectionDriver
    private var queue: CommandQueue { driver.queue }

    private init(driver: ConnectionDriver) {
        self.configuration = driver.configuration
        self.driver = driver
    }

    /// Connects and logs in. A first connection that fails throws (nothing is retried); later
    /// losses are handled by the supervisor.
    /// - Parameter shutdownTimeout: how long `close()` waits for confirms and settlements.
    public static func connect(
        _ configuration: AMQPConfiguration, logger: Logger, shutdownTimeout: Duration = .seconds(5)
    ) async throws(AMQPError) -> AMQPConnection {
        let driver = ConnectionDriver(configuration: configuration, logger: logger, shutdownTimeout: shutdownTimeout)
        let result = await withCheckedContinuation { continuation in
            driver.start(startup: continuation)
        }
        try result.get()
        return AMQPConnection(driver: driver)
    }

    /// Runs `body` on the I/O thread once the connection is up (commands wait during a reconnect).
    func perform<T: Sendable>(
        _ context: String, _ body: @escaping @Sendable (ConnectionDriver) throws(AMQPError) -> T
    ) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            let operation = Operation(
                run: { driver in
                    let result = Result<T, AMQPError> { () throws(AMQPError) -> T in try body(driver) }
                    continuation.resume(returning: result)
                    if case .failure(let error) = result { return error }
                    return nil
                },
                fail: { error in continuation.resume(returning: .failure(error)) })
            if !queue.enqueue(.operation(operation)) {
                continuation.resume(returning: .failure(AMQPError(.closed, context: context, reason: "the connection is closed")))
            }
        }
        return try result.get()
    }

    /// Declares exchanges, queues and bindings, and remembers them for reconnects.
    public func declare(_ topology: AMQPTopology) async throws(AMQPError) {
        try await perform("declare topology") { driver throws(AMQPError) in try driver.declare(topology) }
    }

    /// A passive declaration: the queue's message and consumer counts; throws 404 when missing.
    public func queueStatus(_ name: String) async throws(AMQPError) -> AMQPQueueStatus {
        try await perform("inspect queue '\(name)'") { driver throws(AMQPError) in
            try driver.withControlChannel { connection, channel throws(AMQPError) in
                try connection.declare(AMQPTopology.Queue(name: name), passive: true, on: channel)
            }
        }
    }

    /// Removes every ready message from a queue; returns how many.
    @discardableResult
    public func purge(queue name: String) async throws(AMQPError) -> UInt32 {
        try await perform("purge queue '\(name)'") { driver throws(AMQPError) in
            try driver.withControlChannel { connection, channel throws(AMQPError) in try connection.purge(queue: name, on: channel) }
        }
    }

    public func delete(queue name: String) async throws(AMQPError) {
        try await perform("delete queue '\(name)'") { driver throws(AMQPError) in
            try driver.withControlChannel { connection, channel throws(AMQPError) in try connection.delete(queue: name, on: channel) }
        }
    }

    public func delete(exchange name: String) async throws(AMQPError) {
        try await perform("delete exchange '\(name)'") { driver throws(AMQPError) in
            try driver.withControlChannel { connection, channel throws(AMQPError) in try connection.delete(exchange: name, on: channel) }
        }
    }

    /// Starts consuming with manual acknowledgements on a channel of its own.
    /// - Parameter prefetch: how many unsettled deliveries the broker may hand out (basic.qos).
    public func consume(
        queue name: String, prefetch: UInt16 = 100, exclusive: Bool = false, arguments: AMQPTable = [:]
    ) async throws(AMQPError) -> AMQPConsumer {
        try await consume(queue: name, prefetch: prefetch, exclusive: exclusive, arguments: arguments,
                          buffer: DeliveryBuffer())
    }

    /// Starts consuming and calls `handler` for each delivery on the connection's I/O thread: no
    /// thread hop per message, so `handler` must be short and must never block (hand longer work
    /// to a task). The returned consumer's sequence yields nothing and ends when the consumer does.
    public func consume(
        queue name: String, prefetch: UInt16 = 100, exclusive: Bool = false, arguments: AMQPTable = [:],
        handler: @escaping @Sendable (AMQPDelivery) -> Void
    ) async throws(AMQPError) -> AMQPConsumer {
        try await consume(queue: name, prefetch: prefetch, exclusive: exclusive, arguments: arguments,
                          buffer: DeliveryBuffer(handler: handler))
    }

    private func consume(
        queue name: String, prefetch: UInt16, exclusive: Bool, arguments: AMQPTable, buffer: DeliveryBuffer
    ) async throws(AMQPError) -> AMQPConsumer {
        let (id, tag) = try await perform("consume from queue '\(name)'") { driver throws(AMQPError) in
            try driver.addConsumer(queue: name, prefetch: prefetch, exclusive: exclusive, arguments: arguments,
                                   buffer: buffer)
        }
        return AMQPConsumer(buffer: buffer, id: id, tag: tag, queueName: name, connection: self)
    }

    func cancelConsumer(id: Int) async throws(AMQPError) {
        try await perform("cancel consumer") { driver throws(AMQPError) in try driver.cancelConsumer(id: id) }
    }

    /// Publishes a message and returns once the broker confirmed it.
    ///
    /// Throws `publishNacked` when the broker refuses it, `publishReturned` when it is `mandatory` and
    /// no queue took it, `channelClosed` when the broker closed the channel (e.g. 404 for a missing
    /// exchange), `closed` after `close()`. During a reconnect the call waits, and an unconfirmed
    /// message is published again on the new connection (so consumers may see it twice).
    public func publish(
        _ body: [UInt8], exchange: String, routingKey: String, properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) async throws(AMQPError) {
        let result: Result<Void, AMQPError> = await withCheckedContinuation { continuation in
            publish(body, exchange: exchange, routingKey: routingKey, properties: properties, mandatory: mandatory) {
                continuation.resume(returning: $0)
            }
        }
        try result.get()
    }

    /// Publishes a message without waiting; `onConfirm` runs on the connection's I/O thread when the
    /// broker confirmed (or refused) it, so it must be short and must not block. This is the cheap
    /// path for many messages in flight: no task and no continuation per message.
    public func publish(
        _ body: [UInt8], exchange: String, routingKey: String, properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false, onConfirm: @escaping @Sendable (Result<Void, AMQPError>) -> Void
    ) {
        driver.unsettledPublishes.add(1)
        let pending = PendingPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                                     properties: properties, body: body, unsettled: driver.unsettledPublishes, onConfirm: onConfirm)
        if !queue.enqueue(.publish(pending)) {
            pending.complete(.failure(AMQPError(.closed, context: "publish to exchange '\(exchange)'",
                                                reason: "the connection is closed")))
        }
    }

    /// Publishes several messages with one hand-off to the I/O thread; each message's `onConfirm`
    /// runs there when the broker confirmed (or refused) it. For work done in batches.
    public func publish(_ messages: [AMQPOutboundMessage]) {
        driver.unsettledPublishes.add(messages.count)
        let pending = messages.map {
            PendingPublish(exchange: $0.exchange, routingKey: $0.routingKey, mandatory: $0.mandatory,
                           properties: $0.properties, body: $0.body, unsettled: driver.unsettledPublishes, onConfirm: $0.onConfirm)
        }
        if !queue.enqueue(contentsOf: pending.map { .publish($0) }) {
            for message in pending {
                message.complete(.failure(AMQPError(.closed, context: "publish to exchange '\(message.exchange)'",
                                                    reason: "the connection is closed")))
            }
        }
    }

    /// Starts a graceful close without waiting: consumers are cancelled, in-flight confirms and
    /// settlements are awaited (bounded by the shutdown timeout), then the connection closes.
    public func beginClose() {
        queue.requestClose()
    }

    /// Closes gracefully and waits until the I/O thread has finished.
    public func close() async {
        beginClose()
        await driver.finished.wait()
    }

    /// How many sessions were established so far: 1, plus one per successful reconnect.
    public var sessionsEstablished: Int { driver.sessionsEstablished.load(ordering: .relaxed) }

    /// Messages published and not yet confirmed, refused or failed: those waiting for a confirm,
    /// and those kept through a reconnect to be published again. What a broker outage grows.
    public var unsettledPublishes: Int { driver.unsettledPublishes.current }

    /// What the supervisor is doing now: connected, reconnecting (with the last error), closing or
    /// closed. A snapshot for health checks; it can change right after it is read.
    public var state: AMQPConnectionState { driver.publicState.withLock { $0 } }

    /// Whether the connection is closed for good.
    public var isClosed: Bool { driver.finished.hasFired }

    /// Returns when the connection is closed for good (by ``close()``, or by a failure it does
    /// not retry).
    public func waitUntilClosed() async {
        await driver.finished.wait()
    }
}
