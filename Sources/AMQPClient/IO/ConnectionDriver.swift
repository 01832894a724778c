import Foundation
import Logging
import Synchronization

/// The I/O thread of one connection: it owns the rabbitmq-c handle and every piece of state that
/// goes with it, and is the only code that calls into rabbitmq-c.
///
/// `@unchecked Sendable` because it is handed to its thread once; after that, every property is
/// touched only on that thread (other threads talk to it through the `CommandQueue`).
final class ConnectionDriver: @unchecked Sendable {
    static let controlChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2

    let configuration: AMQPConfiguration
    let queue: CommandQueue
    let finished: CompletionSignal
    /// How many times a session was established (1 + reconnects); readable from any thread.
    let sessionsEstablished = Atomic<Int>(0)
    /// Messages handed over and not yet settled; readable from any thread.
    let unsettledPublishes = UnsettledPublishes()
    /// The supervisor's state for other threads; written only by this thread, on transitions.
    let publicState = Mutex<AMQPConnectionState>(.reconnecting(reason: "not connected yet"))
    private let logger: Logger
    private let shutdownTimeout: Duration

    private var machine: ConnectionStateMachine
    private var random = SystemRandomNumberGenerator()
    private var connection: RabbitConnection?
    private var lastError: AMQPError?
    private var startup: CheckedContinuation<Result<Void, AMQPError>, Never>?

    private var topology: [AMQPTopology] = []
    private var confirms = ConfirmTracker<PendingPublish>()
    /// Unconfirmed publishes of a lost connection, oldest first; published again before anything new.
    private var carriedOver: [PendingPublish] = []
    private var consumers: [Int: ConsumerRecord] = [:]
    private var consumerByChannel: [UInt16: Int] = [:]
    private var nextConsumerID = 1
    private var nextChannel: UInt16 = 3

    init(configuration: AMQPConfiguration, logger: Logger, shutdownTimeout: Duration) {
        self.configuration = configuration
        self.queue = CommandQueue()
        self.finished = CompletionSignal()
        self.shutdownTimeout = shutdownTimeout
        self.machine = ConnectionStateMachine(maximumAttempts: configuration.reconnect.maximumAttempts)
        var logger = logger
        logger[metadataKey: "amqp.connection"] = "\(configuration.connectionName)"
        self.logger = logger
    }

    /// Starts the thread; `startup` learns whether the first connection succeeded.
    func start(startup: CheckedContinuation<Result<Void, AMQPError>, Never>) {
        self.startup = startup
        let thread = Thread { [self] in run() }
        thread.name = "amqp-\(configuration.connectionName)"
        thread.start()
    }

    // MARK: - Supervisor

    private func run() {
        var action = establishSession()
        while true {
            switch action {
            case .reportStarted:
                startup?.resume(returning: .success(()))
                startup = nil
                action = runSession()
            case .none:
                action = connection == nil ? .finish : runSession()
            case .failStartup:
                startup?.resume(returning: .failure(lastError ?? AMQPError(.connectionFailed, context: "connect", reason: "unknown")))
                startup = nil
                finish()
                return
            case .scheduleReconnect(let attempt):
                let delay = configuration.reconnect.delay(forAttempt: attempt, using: &random)
                logger.info("reconnecting after backoff", metadata: [
                    "attempt": "\(attempt + 1)", "delay_ms": "\(delay.milliseconds)",
                    "error": "\(lastError.map { "\($0)" } ?? "none")",
                ])
                sleep(for: delay)
                action = queue.isCloseRequested ? machine.closeRequested() : machine.reconnectDelayElapsed()
            case .establishSession:
                action = establishSession()
            case .closeGracefully:
                closeGracefully()
                action = machine.closeCompleted()
            case .finish:
                finish()
                return
            }
        }
    }

    private func establishSession() -> ConnectionStateMachine.Action {
        do {
            try openSession()
            sessionsEstablished.add(1, ordering: .relaxed)
            publicState.withLock { $0 = .connected }
            logger.info("connected", metadata: ["broker": "\(configuration)"])
            return machine.sessionEstablished()
        } catch {
            lastError = error
            publicState.withLock { $0 = .reconnecting(reason: error.description) }
            logger.warning("connection attempt failed", metadata: ["error": "\(error)"])
            teardownSession()
            return machine.connectFailed()
        }
    }

    private func runSession() -> ConnectionStateMachine.Action {
        do {
            try pump()
            return machine.closeRequested()
        } catch {
            lastError = error
            publicState.withLock { $0 = .reconnecting(reason: error.description) }
            logger.warning("connection lost", metadata: ["error": "\(error)"])
            teardownSession()
            return machine.connectionLost()
        }
    }

    /// Connects, then restores the session: topology, confirm channel, unconfirmed publishes, consumers.
    private func openSession() throws(AMQPError) {
        let connection = try RabbitConnection.open(configuration)
        self.connection = connection
        nextChannel = 3
        try connection.openChannel(Self.controlChannel)
        for declaration in topology { try declare(declaration, on: connection) }
        try connection.openChannel(Self.publishChannel)
        try connection.confirmSelect(Self.publishChannel)
        while !carriedOver.isEmpty {
            try publish(carriedOver.removeFirst(), on: connection)
        }
        for consumer in consumers.values.sorted(by: { $0.id < $1.id }) where !consumer.cancelled {
            try startConsumer(consumer, on: connection)
        }
    }

    private func teardownSession() {
        connection = nil
        carriedOver = confirms.drain() + carriedOver
        for consumer in consumers.values {
            consumer.channel = nil
            consumer.coalescer.reset()
            consumer.batch.removeAll()  // stale: the broker requeues them
        }
        consumerByChannel = [:]
    }

    private func sleep(for delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while !queue.isCloseRequested {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return }
            _ = queue.wait(socket: nil, timeoutMilliseconds: Int32(max(1, min(left.milliseconds, 1000))))
        }
    }

    /// The poll interval when idle: short enough to send heartbeats in time.
    private var idleTick: Int32 {
        let heartbeat = configuration.heartbeatSeconds
        return heartbeat > 0 ? Int32(min(250, heartbeat * 1000 / 4)) : 250
    }

    // MARK: - The loop

    /// Runs commands and frames until a close is requested (returns) or the connection fails (throws).
    private func pump() throws(AMQPError) {
        guard let connection else { return }
        while !queue.isCloseRequested {
            try pumpOnce(connection, forceFlush: false)
        }
    }

    /// Whether the last poll saw the socket readable.
    private var socketReadable = true
    /// When rabbitmq-c last got to read (and so to send heartbeats and notice a silent peer).
    private var lastLibraryRead = ContinuousClock.now

    /// One turn: queued commands, available frames, held-back acks, then one `poll` on the socket
    /// and the wake-up eventfd (zero timeout when there was work). rabbitmq-c is asked for frames
    /// only when the socket is readable, data is buffered, or a heartbeat tick has passed: a read
    /// attempt on an empty socket costs two syscalls, and polling it in a loop busy-spins.
    private func pumpOnce(_ connection: RabbitConnection, forceFlush: Bool, tick: Int32? = nil) throws(AMQPError) {
        let tick = tick ?? idleTick
        var busy = false
        let commands = queue.takeAll()
        if !commands.isEmpty {
            busy = true
            for (index, command) in commands.enumerated() {
                do {
                    try handle(command, on: connection)
                } catch {
                    // The connection failed mid-batch: what was not handled yet waits for the
                    // next session (dropping it would leave publishes and operations unanswered).
                    for refused in queue.putBack(Array(commands[(index + 1)...])) { fail(refused, error) }
                    throw error
                }
            }
        }
        let now = ContinuousClock.now
        if socketReadable || connection.hasBufferedInput || now - lastLibraryRead >= .milliseconds(tick) {
            lastLibraryRead = now
            var frames = 0
            while frames < 256, let frame = try connection.nextFrame() {
                try handle(frame, on: connection)
                frames += 1
                if !connection.hasBufferedInput { break }
            }
            if frames > 0 {
                busy = true
                handOutDeliveries()
            }
        }
        try flushAcks(force: forceFlush || !busy, on: connection)
        connection.releaseBuffers()
        if !connection.hasBufferedInput { finishCancelledConsumers() }
        socketReadable = queue.wait(socket: connection.socketDescriptor,
                                    timeoutMilliseconds: busy || connection.hasBufferedInput ? 0 : tick)
    }

    /// Gives each consumer what this turn read, in one batch.
    private func handOutDeliveries() {
        for consumer in consumers.values where !consumer.batch.isEmpty {
            consumer.buffer.append(consumer.batch)
            consumer.batch.removeAll(keepingCapacity: true)
        }
    }

    private func handle(_ command: Command, on connection: RabbitConnection) throws(AMQPError) {
        switch command {
        case .publish(let pending):
            try publish(pending, on: connection)
        case .settle(let consumerID, let epoch, let tag, let kind):
            guard let consumer = consumers[consumerID], consumer.epoch == epoch, let channel = consumer.channel else {
                logger.debug("ignoring settlement of a stale delivery", metadata: ["tag": "\(tag)"])
                return
            }
            for frame in consumer.coalescer.settle(tag: tag, kind) { try connection.send(frame, on: channel) }
        case .operation(let operation):
            if let error = operation.run(self), error.isConnectionFatal { throw error }
        }
    }

    private func publish(_ pending: PendingPublish, on connection: RabbitConnection) throws(AMQPError) {
        _ = confirms.register(pending)
        try connection.publish(exchange: pending.exchange, routingKey: pending.routingKey, mandatory: pending.mandatory,
                               properties: pending.properties, body: pending.body, on: Self.publishChannel)
    }

    private func flushAcks(force: Bool, on connection: RabbitConnection) throws(AMQPError) {
        for consumer in consumers.values {
            guard let channel = consumer.channel else { continue }
            for frame in consumer.coalescer.flush(force: force) { try connection.send(frame, on: channel) }
        }
    }

    private func handle(_ frame: InboundFrame, on connection: RabbitConnection) throws(AMQPError) {
        switch frame {
        case .delivery(let channel, _, let tag, let redelivered, let exchange, let routingKey, let properties, let body):
            guard let id = consumerByChannel[channel], let consumer = consumers[id] else {
                logger.warning("delivery on a channel without consumer; requeueing", metadata: ["channel": "\(channel)"])
                try connection.send(.reject(tag: tag, requeue: true), on: channel)
                return
            }
            consumer.coalescer.delivered(tag: tag)
            consumer.batch.append(AMQPDelivery(
                body: body, properties: properties, exchange: exchange, routingKey: routingKey, deliveryTag: tag,
                redelivered: redelivered, settlement: .init(queue: queue, consumerID: id, epoch: consumer.epoch)))
        case .publishAck(_, let tag, let multiple):
            complete(confirms.resolve(tag: tag, multiple: multiple, nack: false))
        case .publishNack(_, let tag, let multiple):
            complete(confirms.resolve(tag: tag, multiple: multiple, nack: true))
        case .publishReturn(_, let replyCode, let replyText, let exchange, let routingKey, let properties, let body):
            let matched = confirms.markReturned(replyCode: replyCode, replyText: replyText) {
                $0.matchesReturn(exchange: exchange, routingKey: routingKey, properties: properties, body: body)
            }
            if !matched {
                logger.warning("basic.return for an unknown publish", metadata: ["exchange": "\(exchange)", "routing_key": "\(routingKey)"])
            }
        case .consumerCancelled(let channel, let tag):
            guard let id = consumerByChannel.removeValue(forKey: channel), let consumer = consumers.removeValue(forKey: id) else { return }
            logger.warning("the broker cancelled a consumer", metadata: ["queue": "\(consumer.queue)", "consumer_tag": "\(tag)"])
            consumer.buffer.append(consumer.batch)
            consumer.buffer.finish(throwing: AMQPError(
                .consumerCancelled, context: "consume from queue '\(consumer.queue)'",
                reason: "the broker cancelled the consumer (queue deleted or failed over)"))
        case .channelClosed(let channel, let replyCode, let replyText):
            try recoverChannel(channel, replyCode: replyCode, replyText: replyText, on: connection)
        case .connectionBlocked(let reason):
            logger.warning("the broker blocked publishing", metadata: ["reason": "\(reason)"])
        case .connectionUnblocked:
            logger.info("the broker unblocked publishing")
        case .ignored(let channel, let methodID):
            logger.trace("ignored frame", metadata: ["channel": "\(channel)", "method": "\(methodID)"])
        }
    }

    private func complete(_ resolved: [(token: PendingPublish, outcome: ConfirmTracker<PendingPublish>.Outcome)]) {
        for (pending, outcome) in resolved {
            switch outcome {
            case .confirmed:
                pending.complete(.success(()))
            case .nacked:
                pending.complete(.failure(AMQPError(
                    .publishNacked, context: "publish to exchange '\(pending.exchange)'",
                    reason: "the broker refused responsibility for the message (basic.nack)")))
            case .returned(let replyCode, let replyText):
                pending.complete(.failure(AMQPError(
                    .publishReturned,
                    context: "publish to exchange '\(pending.exchange)' with routing key '\(pending.routingKey)'",
                    reason: replyText, replyCode: replyCode)))
            }
        }
    }

    /// A channel closed by the broker: fail what depended on it, then reopen it.
    private func recoverChannel(_ channel: UInt16, replyCode: UInt16, replyText: String,
                                on connection: RabbitConnection) throws(AMQPError) {
        logger.warning("the broker closed a channel", metadata: [
            "channel": "\(channel)", "reply_code": "\(replyCode)", "reply_text": "\(replyText)",
        ])
        switch channel {
        case Self.publishChannel:
            // Which publish failed is not said; every unconfirmed one fails, and the caller retries.
            let error = AMQPError(.channelClosed, context: "publish", reason: replyText, replyCode: replyCode)
            for pending in confirms.drain() { pending.complete(.failure(error)) }
            try connection.openChannel(Self.publishChannel)
            try connection.confirmSelect(Self.publishChannel)
        case Self.controlChannel:
            try connection.openChannel(Self.controlChannel)
        default:
            guard let id = consumerByChannel.removeValue(forKey: channel), let consumer = consumers[id] else { return }
            consumer.coalescer.reset()
            try startConsumer(consumer, on: connection)
        }
    }

    // MARK: - Operations (called by `Operation`s on this thread)

    /// Runs `body` with the live connection; a channel error on the control channel reopens it.
    func withControlChannel<T>(_ body: (RabbitConnection, UInt16) throws(AMQPError) -> T) throws(AMQPError) -> T {
        guard let connection else {
            throw AMQPError(.connectionLost, context: "control operation", reason: "not connected")
        }
        do {
            return try body(connection, Self.controlChannel)
        } catch {
            if error.code == .channelClosed { try connection.openChannel(Self.controlChannel) }
            throw error
        }
    }

    func declare(_ declaration: AMQPTopology) throws(AMQPError) {
        try withControlChannel { connection, _ throws(AMQPError) in try declare(declaration, on: connection) }
        if !topology.contains(declaration) { topology.append(declaration) }
    }

    private func declare(_ declaration: AMQPTopology, on connection: RabbitConnection) throws(AMQPError) {
        for exchange in declaration.exchanges { try connection.declare(exchange, on: Self.controlChannel) }
        for queue in declaration.queues { try connection.declare(queue, on: Self.controlChannel) }
        for binding in declaration.bindings { try connection.bind(binding, on: Self.controlChannel) }
    }

    func addConsumer(queue: String, prefetch: UInt16, exclusive: Bool, arguments: AMQPTable,
                     buffer: DeliveryBuffer) throws(AMQPError) -> (id: Int, tag: String) {
        guard let connection else { throw AMQPError(.connectionLost, context: "consume from '\(queue)'", reason: "not connected") }
        let id = nextConsumerID
        nextConsumerID += 1
        let tag = "\(configuration.connectionName).\(id)"
        let consumer = ConsumerRecord(id: id, queue: queue, prefetch: prefetch, tag: tag, exclusive: exclusive,
                                      arguments: arguments, buffer: buffer)
        try startConsumer(consumer, on: connection)
        consumers[id] = consumer
        return (id, tag)
    }

    private func startConsumer(_ consumer: ConsumerRecord, on connection: RabbitConnection) throws(AMQPError) {
        let channel = nextChannel
        nextChannel &+= 1
        try connection.openChannel(channel)
        do {
            try connection.qos(channel, prefetch: consumer.prefetch)
            try connection.consume(queue: consumer.queue, consumerTag: consumer.tag, exclusive: consumer.exclusive,
                                   arguments: consumer.arguments, on: channel)
        } catch {
            if error.code == .channelClosed { consumers[consumer.id] = nil }
            throw error
        }
        consumer.channel = channel
        consumer.epoch += 1
        consumer.coalescer.reset()
        consumerByChannel[channel] = consumer.id
    }

    func cancelConsumer(id: Int) throws(AMQPError) {
        guard let consumer = consumers[id], !consumer.cancelled else { return }
        consumer.cancelled = true
        guard let connection, let channel = consumer.channel else { return }
        try connection.cancel(consumerTag: consumer.tag, on: channel)
    }

    /// Ends the streams of cancelled consumers once everything delivered before the cancel is out.
    /// Their channels stay open until their deliveries are settled.
    private func finishCancelledConsumers() {
        for consumer in consumers.values where consumer.cancelled {
            if !consumer.streamFinished {
                consumer.buffer.finish()
                consumer.streamFinished = true
            }
            if consumer.coalescer.isFullySettled, !queue.isCloseRequested {
                consumers[consumer.id] = nil
                consumer.channel.map { consumerByChannel[$0] = nil }
            }
        }
    }

    // MARK: - Shutdown

    /// Cancels consumers, waits (bounded) until in-flight confirms arrive and deliveries are settled,
    /// then closes the connection.
    private func closeGracefully() {
        guard let connection else { return }
        publicState.withLock { $0 = .closing }
        logger.info("closing connection")
        do {
            for consumer in consumers.values where !consumer.cancelled { try cancelConsumer(id: consumer.id) }
            let deadline = ContinuousClock.now + shutdownTimeout
            while ContinuousClock.now < deadline {
                try pumpOnce(connection, forceFlush: true, tick: 10)
                let settled = consumers.values.allSatisfy { $0.streamFinished && $0.coalescer.isFullySettled }
                if confirms.outstanding == 0 && settled { break }
            }
            connection.close()
        } catch {
            logger.warning("error while closing", metadata: ["error": "\(error)"])
        }
        lastError = AMQPError(.closed, context: "connection", reason: "closed by the application")
        teardownSession()
    }

    private func fail(_ command: Command, _ error: AMQPError) {
        switch command {
        case .publish(let pending): pending.complete(.failure(error))
        case .operation(let operation): operation.fail(error)
        case .settle: break
        }
    }

    /// Fails everything still waiting and signals that the thread is done.
    private func finish() {
        let gaveUp = lastError.map { $0.code != .closed } ?? false
        let error = lastError.map { gaveUp ? AMQPError(.closed, context: $0.context, reason: "gave up reconnecting: \($0.reason)") : $0 }
            ?? AMQPError(.closed, context: "connection", reason: "closed")
        connection = nil
        publicState.withLock { $0 = .closed(reason: error.reason) }
        for pending in confirms.drain() + carriedOver { pending.complete(.failure(error)) }
        carriedOver = []
        for command in queue.closeForGood() { fail(command, error) }
        for consumer in consumers.values {
            consumer.buffer.append(consumer.batch)
            consumer.buffer.finish(throwing: gaveUp ? error : nil)
        }
        consumers = [:]
        logger.info("connection closed")
        finished.fire()
    }
}
