/// A frame from the broker that the I/O loop acts on, copied out of rabbitmq-c's buffers.
enum InboundFrame {
    case delivery(channel: UInt16, consumerTag: String, deliveryTag: UInt64, redelivered: Bool,
                  exchange: String, routingKey: String, properties: AMQPProperties, body: [UInt8])
    case publishAck(channel: UInt16, tag: UInt64, multiple: Bool)
    case publishNack(channel: UInt16, tag: UInt64, multiple: Bool)
    case publishReturn(channel: UInt16, replyCode: UInt16, replyText: String, exchange: String, routingKey: String,
                       properties: AMQPProperties, body: [UInt8])
    case consumerCancelled(channel: UInt16, consumerTag: String)
    case channelClosed(channel: UInt16, replyCode: UInt16, replyText: String)
    case connectionBlocked(reason: String)
    case connectionUnblocked
    /// Anything else (e.g. a late `basic.cancel-ok`); logged and ignored.
    case ignored(channel: UInt16, methodID: UInt32)
}
