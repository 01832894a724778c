import AMQPClient
import Automation
import Foundation
import JSONPath
import Logging
import Metrics

/// One batch of deliveries from the events queue through DESIGN's pipeline: parse → event → match
/// → plan → record (one `appendHistory` per batch) → publish (one hand-off per batch) → ack each
/// delivery once all its messages are confirmed.
///
/// `process` returns when the batch is recorded and handed to the publisher; settlements follow
/// from the confirms on the publisher's thread, so the next batch is read while this one's
/// confirms are in flight (the consumer's prefetch bounds how many). ``counters`` counts what is
/// still unsettled, which graceful shutdown waits for.
public struct EventPipeline: Sendable {
    public struct Configuration: Sendable {
        public var names: BrokerNames
        /// Poison limits: 1 MiB and 64 levels by default.
        public var limits: JSONParser.Limits
        /// Where an event's tenant comes from: the body's `tenantId` (with a default for bodies
        /// without one), or the broker-verified AMQP `user-id`.
        public var tenancy: EventTenancy
        /// Publish commands `mandatory`, so an unroutable command (nothing bound to its routing key)
        /// comes back as a failure and its event is requeued instead of the command being lost.
        public var mandatoryCommands: Bool

        public init(
            names: BrokerNames, limits: JSONParser.Limits = JSONParser.Limits(maxBytes: 1 << 20, maxDepth: 64),
            tenancy: EventTenancy = .body(defaultTenant: .default), mandatoryCommands: Bool = true
        ) {
            self.names = names
            self.limits = limits
            self.tenancy = tenancy
            self.mandatoryCommands = mandatoryCommands
        }
    }

    /// What `process` did with a batch (the confirms come later).
    public struct BatchReport: Sendable, Hashable {
        public var deliveries = 0
        public var matched = 0
        public var commands = 0
        public var historyRows = 0
        public var poison = 0
        public var unknownType = 0
        public var completed = 0
        /// Requeued at once (history or completion could not be written).
        public var requeued = 0
    }

    let store: any AutomationStore
    private let triggers: TriggerIndexProvider
    private let clock: any WallClock
    private let configuration: Configuration
    private let logger: Logger
    private let planner = CommandPlanner()
    public let counters: PipelineCounters

    public init(
        store: any AutomationStore, triggers: TriggerIndexProvider, clock: any WallClock,
        configuration: Configuration, counters: PipelineCounters = PipelineCounters(), logger: Logger
    ) {
        self.store = store
        self.triggers = triggers
        self.clock = clock
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
    }

    /// What became of one delivery before publishing.
    private enum Disposition {
        /// Settle now, nothing to publish.
        case settled(PipelineSettlement)
        /// Publish these and settle on their confirms.
        case publish([AMQPOutboundMessage.Draft])
    }

    @discardableResult
    public func process<Delivery: PipelineDelivery>(
        _ deliveries: [Delivery], publisher: some PipelinePublisher
    ) async -> BatchReport {
        var report = BatchReport(deliveries: deliveries.count)
        counters.consumed.add(deliveries.count, ordering: .relaxed)
        counters.unsettled.add(deliveries.count, ordering: .relaxed)
        let index = triggers.current
        let now = clock.now()

        // Read every delivery first, so the completions of the whole batch cost one write transaction.
        var dispositions: [Disposition] = Array(repeating: .settled(.ack), count: deliveries.count)
        var events: [(position: Int, event: Event, isCompletion: Bool)] = []
        var completions: [ExecutionCompletionRequest] = []
        events.reserveCapacity(deliveries.count)
        for (position, delivery) in deliveries.enumerated() {
            switch read(delivery) {
            case .poison(let stage, let reason):
                report.poison += 1
                logger.debug("poison event", metadata: [
                    "stage": "\(stage)", "reason": "\(reason)", "message_id": "\(delivery.messageID ?? "-")",
                ])
                dispositions[position] = .publish([deadLetter(delivery, stage: stage, reason: reason)])
            case .unknownType:
                report.unknownType += 1
                counters.unknownType.add(1, ordering: .relaxed)
            case .event(let event):
                let completion = Self.completion(event)
                if let completion { completions.append(completion) }
                events.append((position, event, completion != nil))
            }
        }

        var completionsFailed = false
        do {
            report.completed = try await close(completions, at: now)
        } catch {
            logger.warning("completions could not be recorded; the batch's finished events are requeued", metadata: [
                "events": "\(completions.count)", "error": "\(error)",
            ])
            completionsFailed = true
        }

        var commands: [[ProcessStartCommand]] = Array(repeating: [], count: deliveries.count)
        var historyOwners: [Int] = []  // per history row, the delivery it belongs to
        var history: [ExecutionHistoryEntry] = []
        for (position, event, isCompletion) in events {
            if isCompletion && completionsFailed {
                report.requeued += 1
                dispositions[position] = .settled(.requeue)
                continue
            }

            let matches = index.matches(event)
            report.matched += matches.count
            for match in matches {
                let plan = planner.plan(match, for: event, at: now)
                commands[position] += plan.commands
                history += plan.history
                historyOwners += Array(repeating: position, count: plan.history.count)
            }
        }
        counters.matched.add(report.matched, ordering: .relaxed)

        // Encoding needs no history: it runs on the pool while the store writes on its thread.
        let planned = commands
        async let encoded = AMQPOutboundMessage.Draft.commands(
            planned, exchange: configuration.names.commandsExchange, mandatory: configuration.mandatoryCommands,
            at: clock.now())
        if !history.isEmpty {
            do {
                _ = try await counters.metrics.historyWriteLatency.measure { try await store.appendHistory(history) }
                report.historyRows = history.count
            } catch {
                let owners = Set(historyOwners)
                logger.warning("history could not be recorded; the batch's matched events are requeued", metadata: [
                    "rows": "\(history.count)", "events": "\(owners.count)", "error": "\(error)",
                ])
                for owner in owners {
                    dispositions[owner] = .settled(.requeue)
                    commands[owner] = []
                    report.requeued += 1
                }
            }
        }

        let drafts = await encoded
        for (position, delivery) in deliveries.enumerated() where !commands[position].isEmpty {
            guard case .settled(.ack) = dispositions[position] else { continue }
            switch drafts[position] {
            case .success(let messages):
                dispositions[position] = .publish(messages)
                report.commands += messages.count
            case .failure(let error):
                // Deterministic, so a redelivery would fail the same way: let the queue's DLX have it.
                logger.error("command could not be encoded; the event is discarded", metadata: [
                    "message_id": "\(delivery.messageID ?? "-")", "error": "\(error)",
                ])
                dispositions[position] = .settled(.discard)
            }
        }

        publish(deliveries, dispositions, publisher: publisher)
        return report
    }

    /// Settles what is settled, and publishes the rest in one hand-off.
    private func publish<Delivery: PipelineDelivery>(
        _ deliveries: [Delivery], _ dispositions: [Disposition], publisher: some PipelinePublisher
    ) {
        var expected: [Int] = []
        var waiting: [Delivery] = []
        var drafts: [(slot: Int, draft: AMQPOutboundMessage.Draft)] = []
        for (position, disposition) in dispositions.enumerated() {
            switch disposition {
            case .settled(let settlement):
                deliveries[position].settle(settlement)
                counters.count(settlement)
                counters.unsettled.subtract(1, ordering: .releasing)
            case .publish(let messages):
                let slot = waiting.count
                waiting.append(deliveries[position])
                expected.append(messages.count)
                drafts += messages.map { (slot, $0) }
            }
        }
        guard !drafts.isEmpty else { return }
        let settlement = BatchSettlement(deliveries: waiting, expected: expected, counters: counters)
        publisher.publish(drafts.map { slot, draft in
            let isCommand = draft.isCommand
            return draft.message { settlement.confirm(slot, $0, isCommand: isCommand) }
        })
    }

    // MARK: Reading

    private enum Reading {
        case event(Event)
        case poison(stage: String, reason: String)
        case unknownType
    }

    private func read(_ delivery: some PipelineDelivery) -> Reading {
        let limits = configuration.limits
        if delivery.body.count > limits.maxBytes {
            return .poison(stage: "parse", reason: "too large: \(delivery.body.count) bytes, the limit is \(limits.maxBytes)")
        }
        let body: JSONValue
        do {
            body = try JSONParser.parse(delivery.body, limits: limits)
        } catch {
            return .poison(stage: "parse", reason: "not JSON: \(error)")
        }
        do {
            let event = try Event(
                messageId: delivery.messageID, userId: delivery.userID, routingKey: delivery.routingKey, body: body,
                tenancy: configuration.tenancy)
            if case .userID = configuration.tenancy, let claimed = body["tenantId"]?.stringValue,
                claimed != event.tenantId.rawValue
            {
                // Not poison: the broker vouches for the user, whose tenant wins. Worth a look, though.
                logger.debug("the body's tenantId is not the tenant of the publishing broker user; it is ignored", metadata: [
                    "message_id": "\(delivery.messageID ?? "-")", "user_id": "\(delivery.userID ?? "-")",
                    "tenant": "\(event.tenantId)", "body_tenant": "\(claimed.prefix(64))",
                ])
            }
            return .event(event)
        } catch where error.code == .unknownTriggerType {
            return .unknownType
        } catch {
            return .poison(stage: "event", reason: error.description)
        }
    }

    // MARK: Messages

    /// The original body, to the dead-letter exchange under its original routing key, with why
    /// and where it failed in the headers.
    private func deadLetter(_ delivery: some PipelineDelivery, stage: String, reason: String) -> AMQPOutboundMessage.Draft {
        var headers: AMQPTable = [
            "x-signalbox-reason": .string(String(reason.prefix(1024))),
            "x-signalbox-stage": .string(stage),
            "x-original-routing-key": .string(delivery.routingKey),
        ]
        if let id = delivery.messageID { headers["x-original-message-id"] = .string(id) }
        return AMQPOutboundMessage.Draft(
            body: delivery.body, exchange: configuration.names.deadLetterExchange, routingKey: delivery.routingKey,
            properties: AMQPProperties(headers: headers, persistent: true, messageID: delivery.messageID, timestamp: clock.now()),
            mandatory: true, isCommand: false)
    }
}

extension AMQPOutboundMessage {
    /// A message before its confirm handler is known.
    struct Draft: Sendable {
        var body: [UInt8]
        var exchange: String
        var routingKey: String
        var properties: AMQPProperties
        var mandatory: Bool
        var isCommand: Bool

        func message(onConfirm: @escaping @Sendable (Result<Void, AMQPError>) -> Void) -> AMQPOutboundMessage {
            AMQPOutboundMessage(
                body, exchange: exchange, routingKey: routingKey, properties: properties, mandatory: mandatory,
                onConfirm: onConfirm)
        }
    }
}
