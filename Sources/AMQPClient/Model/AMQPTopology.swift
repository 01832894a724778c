/// Exchanges, queues and bindings to declare. Declaration is idempotent, and the connection
/// re-declares everything it was given after a reconnect.
public struct AMQPTopology: Sendable, Hashable {
    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    public struct Exchange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case direct, fanout, topic, headers }
        public var name: String
        public var kind: Kind
        public var durable: Bool
        public var autoDelete: Bool
        public var arguments: AMQPTable

        public init(name: String, kind: Kind, durable: Bool = true, autoDelete: Bool = false, arguments: AMQPTable = [:]) {
            self.name = name
            self.kind = kind
            self.durable = durable
            self.autoDelete = autoDelete
            self.arguments = arguments
        }
    }

    public struct Queue: Sendable, Hashable {
        public var name: String
        public var durable: Bool
        public var exclusive: Bool
        public var autoDelete: Bool
        /// e.g. `x-queue-type: quorum`, `x-dead-letter-exchange`, `x-single-active-consumer`.
        public var arguments: AMQPTable

        public init(name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false, arguments: AMQPTable = [:]) {
            self.name = name
            self.durable = durable
            self.exclusive = exclusive
            self.autoDelete = autoDelete
            self.arguments = arguments
        }
    }

    public struct Binding: Sendable, Hashable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public var arguments: AMQPTable

        public init(queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
            self.arguments = arguments
        }
    }
}

/// What a passive queue declaration reports.
public struct AMQPQueueStatus: Sendable, Hashable {
    public let name: String
    public let messageCount: UInt32
    public let consumerCount: UInt32
}
