import Metrics
import Synchronization

/// Running totals of the pipeline, safe to bump from the connection's I/O thread (one atomic add,
/// no lock). Logged on shutdown; each total also feeds its counter in ``metrics`` (`GET /metrics`).
public final class PipelineCounters: Sendable {
    public struct Snapshot: Sendable, Hashable, CustomStringConvertible {
        public var consumed = 0
        public var matched = 0
        public var commandsPublished = 0
        public var commandsFailed = 0
        public var deadLettered = 0
        public var unknownType = 0
        public var completed = 0
        public var acked = 0
        public var requeued = 0
        public var filterBudgetExceeded = 0

        public var description: String {
            "consumed=\(consumed) matched=\(matched) commands_published=\(commandsPublished) "
                + "commands_failed=\(commandsFailed) dead_lettered=\(deadLettered) unknown_type=\(unknownType) "
                + "completed=\(completed) acked=\(acked) requeued=\(requeued) filter_budget_exceeded=\(filterBudgetExceeded)"
        }
    }

    /// The instruments the totals feed, and the pipeline's timers.
    public let metrics: EngineMetrics
    let consumed: MetricTotal
    let matched: MetricTotal
    let commandsPublished: MetricTotal
    let commandsFailed: MetricTotal
    let deadLettered: MetricTotal
    let unknownType: MetricTotal
    let completed: MetricTotal
    let acked: MetricTotal
    let requeued: MetricTotal
    let filterBudgetExceeded: MetricTotal
    /// Deliveries handed to the pipeline and not yet settled (graceful shutdown waits for it).
    public let unsettled = InFlightCount()

    public init(metrics: EngineMetrics = EngineMetrics()) {
        self.metrics = metrics
        consumed = MetricTotal(metrics.eventsConsumed)
        matched = MetricTotal(metrics.triggerMatches)
        commandsPublished = MetricTotal(metrics.commandsPublished)
        commandsFailed = MetricTotal(metrics.commandsRefused)
        deadLettered = MetricTotal(metrics.eventsDeadLettered)
        unknownType = MetricTotal(metrics.eventsUnknownType)
        completed = MetricTotal(metrics.executionsCompleted)
        acked = MetricTotal(metrics.eventsAcked)
        requeued = MetricTotal(metrics.eventsRequeued)
        filterBudgetExceeded = MetricTotal(metrics.filterBudgetExceeded)
    }

    public var snapshot: Snapshot {
        Snapshot(
            consumed: consumed.load(ordering: .relaxed), matched: matched.load(ordering: .relaxed),
            commandsPublished: commandsPublished.load(ordering: .relaxed),
            commandsFailed: commandsFailed.load(ordering: .relaxed), deadLettered: deadLettered.load(ordering: .relaxed),
            unknownType: unknownType.load(ordering: .relaxed), completed: completed.load(ordering: .relaxed),
            acked: acked.load(ordering: .relaxed), requeued: requeued.load(ordering: .relaxed),
            filterBudgetExceeded: filterBudgetExceeded.load(ordering: .relaxed))
    }

    func count(_ settlement: PipelineSettlement) {
        if settlement == .ack { acked.add(1, ordering: .relaxed) } else { requeued.add(1, ordering: .relaxed) }
    }

    /// Deliveries still waiting for their confirms.
    public var inFlight: Int { unsettled.value }
}

/// A running total that feeds a swift-metrics counter as it grows: the pipeline bumps it like an
/// `Atomic<Int>`, and the snapshot reads it without going through the metrics backend.
struct MetricTotal: ~Copyable, Sendable {
    /// Totals are statistics that order nothing else, so relaxed is the only ordering offered.
    enum Ordering { case relaxed }

    private let total = Atomic<Int>(0)
    private let counter: Counter

    init(_ counter: Counter) { self.counter = counter }

    func add(_ amount: Int, ordering: Ordering) {
        guard amount != 0 else { return }
        total.add(amount, ordering: .relaxed)
        counter.increment(by: amount)
    }

    func load(ordering: Ordering) -> Int { total.load(ordering: .relaxed) }
}
