import AMQPClient

/// How the pipeline settles a source delivery.
public enum PipelineSettlement: Sendable, Hashable {
    /// Done: every command (or the dead-letter copy) is confirmed.
    case ack
    /// Not done: the broker delivers it again (the redelivery re-plans the same command ids).
    case requeue
    /// Give up on it: the events queue's own dead-letter exchange takes it.
    case discard
}

/// What the pipeline needs from a delivery: its content and one settlement. ``AMQPDelivery``
/// conforms; tests drive ``EventPipeline`` with in-memory deliveries.
public protocol PipelineDelivery: Sendable {
    var body: [UInt8] { get }
    var messageID: String? { get }
    var routingKey: String { get }
    /// The AMQP `user-id` property: the publisher's broker user, which RabbitMQ verified.
    var userID: String? { get }
    /// Settles the delivery exactly once. Must return at once and never block: it may run on the
    /// connection's I/O thread (from a publish confirm).
    func settle(_ settlement: PipelineSettlement)
}

/// Where the pipeline publishes commands and dead-letter copies: one hand-off per batch, each
/// message's `onConfirm` called once. ``AMQPConnection`` conforms.
public protocol PipelinePublisher: Sendable {
    func publish(_ messages: [AMQPOutboundMessage])
    /// Whether published messages can leave now; see ``BrokerGate``.
    var reachability: BrokerReachability { get }
}

extension PipelinePublisher {
    /// A publisher that cannot tell is taken as reachable.
    public var reachability: BrokerReachability { .reachable }
}

extension AMQPConnection: PipelinePublisher {}

extension PipelineDelivery {
    /// None, unless the delivery says: a delivery without a user is poison under
    /// ``EventTenancy/userID(_:)``, never another tenant's event.
    public var userID: String? { nil }
}

extension AMQPDelivery: PipelineDelivery {
    public var messageID: String? { properties.messageID }
    public var userID: String? { properties.userID }

    /// A settlement that cannot be sent (the connection closed) is dropped on purpose: the broker
    /// requeues every unsettled delivery of a closed channel, which is what at-least-once needs.
    public func settle(_ settlement: PipelineSettlement) {
        switch settlement {
        case .ack: try? ack()
        case .requeue: try? nack(requeue: true)
        case .discard: try? nack(requeue: false)
        }
    }
}
