import AMQPClient
import Automation

/// The broker names Signalbox uses, all configurable, and the topology they make.
public struct BrokerNames: Sendable, Hashable {
    public enum QueueType: String, Sendable, CaseIterable {
        /// Replicated; delivery limits and at-least-once dead-lettering. On this project's benchmark
        /// machine it also relayed about twice as fast as a classic durable queue.
        case quorum
        case classic
    }

    public var eventsExchange: String
    public var eventsQueue: String
    public var eventsQueueType: QueueType
    /// Redeliveries before a poison message is dead-lettered by the broker (quorum only).
    public var deliveryLimit: Int
    public var commandsExchange: String
    /// Declared and bound to every command routing key, so commands have somewhere to go on a
    /// fresh install (the processes' launcher consumes it); nil declares none, for installations
    /// whose consumers bind their own queues.
    public var commandsQueue: String?
    public var deadLetterExchange: String
    public var deadLetterQueue: String
    /// Topic exchange of the CloudEvents about actions' outcomes (``ActionNotification``):
    /// routing keys `action.succeeded`, `action.failed`, `action.paused`. Subscribers bind their
    /// own queues.
    public var notificationsExchange: String

    public init(
        eventsExchange: String = "signalbox.events", eventsQueue: String = "signalbox.events",
        eventsQueueType: QueueType = .quorum, deliveryLimit: Int = 10, commandsExchange: String = "signalbox.commands",
        commandsQueue: String? = "signalbox.commands", deadLetterExchange: String = "signalbox.dead-letter", deadLetterQueue: String = "signalbox.dead-letter",
        notificationsExchange: String = "signalbox.notifications"
    ) {
        self.notificationsExchange = notificationsExchange
        self.eventsExchange = eventsExchange
        self.eventsQueue = eventsQueue
        self.eventsQueueType = eventsQueueType
        self.deliveryLimit = deliveryLimit
        self.commandsExchange = commandsExchange
        self.commandsQueue = commandsQueue
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterQueue = deadLetterQueue
    }

    /// The routing keys the commands queue is bound with: every process start, and interaction messages.
    public static let commandBindingKeys = ["process.start.#", ActionConfig.Kind.interactionMessageRoutingKey]

    /// Events and commands exchanges (topic, durable), the events queue bound to the four
    /// ProcessUpdated routing keys, the commands queue (same type as the events queue) bound to
    /// ``commandBindingKeys``, and a dead-letter exchange with its queue (catching every key).
    public var topology: AMQPTopology {
        var eventsArguments: AMQPTable = [
            "x-queue-type": .string(eventsQueueType.rawValue),
            "x-dead-letter-exchange": .string(deadLetterExchange),
        ]
        if eventsQueueType == .quorum {
            eventsArguments["x-delivery-limit"] = .int(Int64(deliveryLimit))
            // At-least-once dead-lettering needs the queue to refuse publishes rather than drop.
            eventsArguments["x-dead-letter-strategy"] = "at-least-once"
            eventsArguments["x-overflow"] = "reject-publish"
        }
        var topology = AMQPTopology(
            exchanges: [
                .init(name: eventsExchange, kind: .topic),
                .init(name: commandsExchange, kind: .topic),
                .init(name: deadLetterExchange, kind: .topic),
                .init(name: notificationsExchange, kind: .topic),
            ],
            queues: [
                .init(name: eventsQueue, arguments: eventsArguments),
                .init(name: deadLetterQueue, arguments: ["x-queue-type": .string(eventsQueueType.rawValue)]),
            ],
            bindings: TriggerType.allCases.map { .init(queue: eventsQueue, exchange: eventsExchange, routingKey: $0.routingKey) }
                + [.init(queue: deadLetterQueue, exchange: deadLetterExchange, routingKey: "#")])
        if let commandsQueue, !commandsQueue.isEmpty {
            topology.queues.append(.init(name: commandsQueue, arguments: ["x-queue-type": .string(eventsQueueType.rawValue)]))
            topology.bindings += Self.commandBindingKeys.map { .init(queue: commandsQueue, exchange: commandsExchange, routingKey: $0) }
        }
        return topology
    }
}
