import AMQPClient
import Automation
import Foundation
import JSONPath
import Logging
import Metrics

/// Deliveries from the events queue on the ``RunPath``: each delivery is one slot — read
/// (parse, event, or poison), its completion, its matches planned — then the run path records the
/// batch in one transaction and publishes; each delivery is acked once all its messages are
/// confirmed, requeued when one was refused.
///
/// `process` returns when the batch is recorded and handed to the publisher; settlements follow
/// from the confirms on the publisher's thread, so the next batch is read while this one's
/// confirms are in flight (the consumer's prefetch bounds how many). While the store cannot write,
/// `process` does not return: the batch is held unacked and retried with backoff, and no further
/// delivery is read. ``counters`` counts what is still unsettled, which graceful shutdown waits for.
public struct EventPipeline: Sendable {
    public struct Configuration: Sendable {
        public var names: BrokerNames
        /// Poison limits: 1 MiB and 64 levels by default.
        public var limits: JSONParser.Limits
        /// Where an event's tenant comes from: the body's `tenantId` (with a default for bodies
        /// without one), or the broker-verified AMQP `user-id`.
        public var tenancy: EventTenancy
        /// Publish commands `mandatory`, so an unroutable command comes back and its run is
        /// recorded `Failed` (reason `unroutable`) instead of being dropped by the exchange.
        public var mandatoryCommands: Bool
        /// Pauses between attempts while the store cannot write.
        public var storeBackoff: StoreBackoff
        /// Told of every event read (with its body's size in bytes) before it is matched: the web
        /// console keeps a few recent ones for its filter tester. Must return at once.
        public var onEvent: (@Sendable (Event, Int) -> Void)?
        /// Nodes visited and comparisons one trigger's filter may spend on one event; a trigger
        /// over it does not match (counted and logged), the others still do.
        public var filterWorkBudget: Int

        public init(
            names: BrokerNames, limits: JSONParser.Limits = JSONParser.Limits(maxBytes: 1 << 20, maxDepth: 64),
            tenancy: EventTenancy = .body(defaultTenant: .default), mandatoryCommands: Bool = true,
            storeBackoff: StoreBackoff = StoreBackoff(), filterWorkBudget: Int = EvaluationBudget.defaultLimit
        ) {
            self.names = names
            self.limits = limits
            self.tenancy = tenancy
            self.mandatoryCommands = mandatoryCommands
            self.storeBackoff = storeBackoff
            self.filterWorkBudget = filterWorkBudget
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
        /// (event, trigger) evaluations stopped by the filter work budget (the trigger did not match).
        public var overBudget = 0
        /// Requeued at once (the store refused the batch for a rule, or shutdown came first).
        public var requeued = 0
    }

    private let triggers: TriggerIndexProvider
    private let clock: any WallClock
    private let configuration: Configuration
    private let logger: Logger
    private let planner = CommandPlanner()
    public let counters: PipelineCounters
    /// The run path every batch goes through.
    public let runPath: RunPath

    public init(
        store: any RunHistoryStore, triggers: TriggerIndexProvider, clock: any WallClock,
        configuration: Configuration, counters: PipelineCounters = PipelineCounters(), health: StoreHealth = StoreHealth(),
        httpRequests: OutboundRequestQueue = OutboundRequestQueue(), notifier: RecordedRunNotifier = RecordedRunNotifier(),
        logger: Logger
    ) {
        self.triggers = triggers
        self.clock = clock
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        self.runPath = RunPath(
            store: store, clock: clock,
            configuration: RunPath.Configuration(
                names: configuration.names, mandatoryCommands: configuration.mandatoryCommands, backoff: configuration.storeBackoff),
            counters: counters, health: health, httpRequests: httpRequests, notifier: notifier, logger: logger)
    }

    @discardableResult
    public func process<Delivery: PipelineDelivery>(
        _ deliveries: [Delivery], publisher: some PipelinePublisher
    ) async -> BatchReport {
        var report = BatchReport(deliveries: deliveries.count)
        counters.consumed.add(deliveries.count, ordering: .relaxed)
        counters.unsettled.add(deliveries.count)
        let index = triggers.current
        let now = clock.now()

        var batch = RunBatch(slots: Array(repeating: RunBatch.Slot(), count: deliveries.count))
        for (position, delivery) in deliveries.enumerated() {
            switch read(delivery) {
            case .poison(let stage, let reason):
                report.poison += 1
                logger.debug("poison event", metadata: [
                    "stage": "\(stage)", "reason": "\(reason)", "message_id": "\(delivery.messageID ?? "-")",
                ])
                batch.slots[position].unrecorded = [deadLetter(delivery, stage: stage, reason: reason)]
            case .unknownType:
                report.unknownType += 1
                counters.unknownType.add(1, ordering: .relaxed)
            case .event(let event):
                configuration.onEvent?(event, delivery.body.count)
                batch.slots[position].completion = event.completion
                var evaluations = 0
                var overBudget: [TriggerMatch] = []
                let matches = index.matches(
                    event, budget: configuration.filterWorkBudget, evaluations: &evaluations, overBudget: &overBudget)
                if !overBudget.isEmpty { countOverBudget(overBudget, event: event, report: &report) }
                report.matched += matches.count
                for match in matches { batch.slots[position].add(planner.plan(match, for: event, at: now)) }
            }
        }
        counters.matched.add(report.matched, ordering: .relaxed)

        let counters = self.counters
        do {
            let recorded = try await runPath.run(batch, publisher: publisher, recording: .untilRecorded) { position, result in
                let settlement: PipelineSettlement = result.isDone ? .ack : .requeue
                deliveries[position].settle(settlement)
                counters.count(settlement)
                counters.unsettled.subtract(1)
            }
            report.historyRows = recorded.history.count
            report.completed = recorded.completions.count { $0 != nil }
            report.commands = batch.slots.reduce(0) { $0 + $1.commands.count }
            counters.completed.add(report.completed, ordering: .relaxed)
        } catch {
            // Cancelled while the store was failing, or a rule refused the batch (an action
            // deleted under it): the broker delivers it again.
            logger.warning("the batch was not recorded; its events are requeued", metadata: [
                "events": "\(deliveries.count)", "error": "\(error)",
            ])
            for delivery in deliveries { delivery.settle(.requeue) }
            counters.requeued.add(deliveries.count, ordering: .relaxed)
            counters.unsettled.subtract(deliveries.count)
            report.requeued = deliveries.count
        }
        return report
    }

    /// Triggers whose filter exceeded the work budget on `event`: not matched, counted in
    /// `signalbox_filter_budget_exceeded_total` (no per-trigger label: trigger ids are
    /// unbounded) and logged with the trigger and action, which the label would have carried.
    private func countOverBudget(_ triggers: [TriggerMatch], event: Event, report: inout BatchReport) {
        report.overBudget += triggers.count
        counters.filterBudgetExceeded.add(triggers.count, ordering: .relaxed)
        for trigger in triggers {
            logger.warning("a trigger's filter exceeded its work budget on an event; the trigger did not match", metadata: [
                "trigger_id": "\(trigger.trigger.id)", "trigger": "\(trigger.trigger.name.prefix(200))",
                "action_id": "\(trigger.action.id)", "action": "\(trigger.action.name.prefix(200))",
                "tenant": "\(event.tenantId)", "event_id": "\(event.id.prefix(200))",
                "budget": "\(configuration.filterWorkBudget)",
            ])
        }
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
