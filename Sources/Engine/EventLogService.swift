import AMQPClient
import Automation
import Logging
import ServiceLifecycle

/// Consumes the events queue, logs each event and acks it. It stands where the pipeline will go
/// (issue 6): the service shape, shutdown and settlement are already the pipeline's.
public struct EventLogService: Service {
    private let connection: AMQPConnection
    private let names: BrokerNames
    private let prefetch: UInt16
    private let logger: Logger

    public init(connection: AMQPConnection, names: BrokerNames, prefetch: UInt16, logger: Logger) {
        self.connection = connection
        self.names = names
        self.prefetch = prefetch
        self.logger = logger
    }

    public func run() async throws {
        let consumer = try await connection.consume(queue: names.eventsQueue, prefetch: prefetch)
        logger.info("consuming events", metadata: ["queue": "\(names.eventsQueue)", "prefetch": "\(prefetch)"])
        try await withGracefulShutdownHandler {
            for try await delivery in consumer {
                let known = TriggerType(rawValue: delivery.routingKey) != nil
                logger.info("event received", metadata: [
                    "routing_key": "\(delivery.routingKey)",
                    "message_id": "\(delivery.properties.messageID ?? "-")",
                    "bytes": "\(delivery.body.count)",
                    "redelivered": "\(delivery.redelivered)",
                    "known_type": "\(known)",
                ])
                try delivery.ack()
            }
        } onGracefulShutdown: {
            // Cancels the consumer; the loop above ends once what was delivered is acked.
            connection.beginClose()
        }
        await connection.close()
        logger.info("event consumer stopped")
    }
}
