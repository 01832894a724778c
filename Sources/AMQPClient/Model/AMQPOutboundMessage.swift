/// A message to publish in a batch (`AMQPConnection.publish(_:)`), with what to do once the broker
/// confirmed or refused it. `onConfirm` runs on the connection's I/O thread: keep it short.
public struct AMQPOutboundMessage: Sendable {
    public var body: [UInt8]
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPProperties
    public var mandatory: Bool
    public var onConfirm: @Sendable (Result<Void, AMQPError>) -> Void

    public init(
        _ body: [UInt8], exchange: String, routingKey: String, properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false, onConfirm: @escaping @Sendable (Result<Void, AMQPError>) -> Void
    ) {
        self.body = body
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.mandatory = mandatory
        self.onConfirm = onConfirm
    }
}
