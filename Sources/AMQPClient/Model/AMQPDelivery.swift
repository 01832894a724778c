/// A message delivered to a consumer. Settle it exactly once with `ack`, `nack` or `reject`.
///
/// Settling goes through the connection's I/O thread and returns at once. A delivery from before a
/// reconnect is stale: the broker has already requeued it and will deliver it again, so settling it
/// does nothing (the broker would close the channel for an unknown tag).
public struct AMQPDelivery: Sendable {
    public let body: [UInt8]
    public let properties: AMQPProperties
    public let exchange: String
    public let routingKey: String
    public let deliveryTag: UInt64
    /// True when the broker delivered this message before (to us or to another consumer).
    public let redelivered: Bool
    let settlement: Settlement

    /// Where a settlement must go: the consumer and the channel incarnation the tag belongs to.
    struct Settlement: Sendable {
        let queue: CommandQueue
        let consumerID: Int
        let epoch: Int
    }

    /// Acknowledges this delivery; with `multiple`, also every earlier one on the same consumer.
    public func ack(multiple: Bool = false) throws(AMQPError) {
        try settle(.ack(multiple: multiple))
    }

    /// Rejects this delivery; with `requeue: false` it goes to the queue's dead-letter exchange.
    public func nack(multiple: Bool = false, requeue: Bool) throws(AMQPError) {
        try settle(.nack(multiple: multiple, requeue: requeue))
    }

    /// `basic.reject`: like `nack` for this delivery alone.
    public func reject(requeue: Bool) throws(AMQPError) {
        try settle(.reject(requeue: requeue))
    }

    private func settle(_ kind: SettlementKind) throws(AMQPError) {
        let accepted = settlement.queue.enqueue(
            .settle(consumerID: settlement.consumerID, epoch: settlement.epoch, tag: deliveryTag, kind: kind))
        guard accepted else {
            throw AMQPError(.closed, context: "settle delivery \(deliveryTag)", reason: "the connection is closed")
        }
    }
}

enum SettlementKind: Sendable, Hashable {
    case ack(multiple: Bool)
    case nack(multiple: Bool, requeue: Bool)
    case reject(requeue: Bool)
}
