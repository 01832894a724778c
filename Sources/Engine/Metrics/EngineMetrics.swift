import Automation
import Metrics

/// The engine's swift-metrics instruments, made once by the executable (after it bootstraps the
/// metrics system) and handed to the pipeline inside ``PipelineCounters``.
///
/// Names follow Prometheus conventions (`signalbox_` prefix, `_total` for counters, `_seconds` for
/// timers); a Prometheus backend exports each timer as a histogram, whose buckets are
/// ``durationBuckets``. Tests pass an explicit `factory` instead of bootstrapping the process-wide
/// `MetricsSystem`, which can be done only once.
public struct EngineMetrics: Sendable {
    /// The metric names, for dashboards, alerts and tests.
    public enum Name {
        /// Deliveries taken from the events queue (poison and unknown types included).
        public static let eventsConsumed = "signalbox_events_consumed_total"
        /// (event, trigger) matches: an event matching two triggers counts twice.
        public static let triggerMatches = "signalbox_trigger_matches_total"
        /// Poison events whose dead-letter publish the broker confirmed.
        public static let eventsDeadLettered = "signalbox_events_dead_lettered_total"
        /// Events whose routing key is no known trigger type (acked, not processed).
        public static let eventsUnknownType = "signalbox_events_unknown_type_total"
        /// Deliveries acked, and requeued (history, completion or a publish failed).
        public static let eventsAcked = "signalbox_events_acked_total"
        public static let eventsRequeued = "signalbox_events_requeued_total"
        /// History entries closed by a completion event.
        public static let executionsCompleted = "signalbox_executions_completed_total"
        /// Commands the broker confirmed, and commands it refused or returned (their event is requeued).
        public static let commandsPublished = "signalbox_commands_published_total"
        public static let commandsRefused = "signalbox_commands_refused_total"
        /// (event, trigger) filter evaluations stopped by the work budget: the trigger did not
        /// match. One series; each occurrence is logged with its trigger and action.
        public static let filterBudgetExceeded = "signalbox_filter_budget_exceeded_total"
        /// Manual and webhook runs refused (503) because the broker stayed unreachable; see `BrokerGate`.
        public static let runsRefusedBrokerUnreachable = "signalbox_runs_refused_broker_unreachable_total"
        /// Messages handed to the broker connection and not yet confirmed (a gauge, read at scrape
        /// time): flat while the broker is away, because nothing new is published then.
        public static let unsettledPublishes = "signalbox_amqp_unsettled_publishes"
        /// From handing a batch's messages to the publisher to each message's confirm (or refusal).
        public static let publishConfirmLatency = "signalbox_publish_confirm_seconds"
        /// One `appendHistory` call: the batch's history rows in one SQLite transaction.
        public static let historyWriteLatency = "signalbox_history_write_seconds"
        /// From a schedule occurrence's instant to the confirm of its commands.
        public static let scheduleFireLag = "signalbox_schedule_fire_lag_seconds"
        /// 1 while this replica leads (fires schedules and delayed runs), else 0 (a gauge, read at
        /// scrape time): summed over the replicas it is 1, but for a moment at a takeover.
        public static let schedulerLeader = "signalbox_scheduler_leader"
    }

    /// The label every series carries when several replicas export metrics: `replica`, the
    /// configured `replica.name`.
    public static let replicaLabel = "replica"

    let eventsConsumed: Counter
    let triggerMatches: Counter
    let eventsDeadLettered: Counter
    let eventsUnknownType: Counter
    let eventsAcked: Counter
    let eventsRequeued: Counter
    let executionsCompleted: Counter
    let commandsPublished: Counter
    let commandsRefused: Counter
    let filterBudgetExceeded: Counter
    let runsRefusedBrokerUnreachable: Counter
    let unsettledPublishes: Gauge
    let publishConfirmLatency: Timer
    let historyWriteLatency: Timer
    let scheduleFireLag: Timer
    let schedulerLeader: Gauge

    /// Instruments from `factory`: the bootstrapped `MetricsSystem.factory` by default (a no-op
    /// until the executable bootstraps one). With `replica`, every series is labelled with it.
    public init(factory: any MetricsFactory = MetricsSystem.factory, replica: String? = nil) {
        let dimensions = replica.map { [(Self.replicaLabel, $0)] } ?? []
        eventsConsumed = Counter(label: Name.eventsConsumed, dimensions: dimensions, factory: factory)
        triggerMatches = Counter(label: Name.triggerMatches, dimensions: dimensions, factory: factory)
        eventsDeadLettered = Counter(label: Name.eventsDeadLettered, dimensions: dimensions, factory: factory)
        eventsUnknownType = Counter(label: Name.eventsUnknownType, dimensions: dimensions, factory: factory)
        eventsAcked = Counter(label: Name.eventsAcked, dimensions: dimensions, factory: factory)
        eventsRequeued = Counter(label: Name.eventsRequeued, dimensions: dimensions, factory: factory)
        executionsCompleted = Counter(label: Name.executionsCompleted, dimensions: dimensions, factory: factory)
        commandsPublished = Counter(label: Name.commandsPublished, dimensions: dimensions, factory: factory)
        commandsRefused = Counter(label: Name.commandsRefused, dimensions: dimensions, factory: factory)
        filterBudgetExceeded = Counter(label: Name.filterBudgetExceeded, dimensions: dimensions, factory: factory)
        runsRefusedBrokerUnreachable = Counter(label: Name.runsRefusedBrokerUnreachable, dimensions: dimensions, factory: factory)
        unsettledPublishes = Gauge(label: Name.unsettledPublishes, dimensions: dimensions, factory: factory)
        publishConfirmLatency = Timer(label: Name.publishConfirmLatency, dimensions: dimensions, factory: factory)
        historyWriteLatency = Timer(label: Name.historyWriteLatency, dimensions: dimensions, factory: factory)
        scheduleFireLag = Timer(label: Name.scheduleFireLag, dimensions: dimensions, factory: factory)
        schedulerLeader = Gauge(label: Name.schedulerLeader, dimensions: dimensions, factory: factory)
    }

    /// Counts a run refused at the ``BrokerGate``.
    public func recordRunRefusedBrokerUnreachable() { runsRefusedBrokerUnreachable.increment() }

    /// Sets the unsettled-publishes gauge; called when metrics are scraped.
    public func recordUnsettledPublishes(_ count: Int) { unsettledPublishes.record(count) }

    /// Sets the scheduler-leader gauge; called when metrics are scraped.
    public func recordSchedulerRole(_ role: SchedulerRole) { schedulerLeader.record(role == .leader ? 1 : 0) }

    /// Histogram buckets per timer name, for the metrics backend (the Prometheus factory's
    /// `durationHistogramBuckets`). Confirms and SQLite writes take about a millisecond on a quiet
    /// machine, so those start at 0.5 ms; schedule lag targets p99 under 50 ms and reaches minutes,
    /// for missed runs fired after downtime.
    public static let durationBuckets: [String: [Duration]] = [
        Name.publishConfirmLatency: latencyBuckets,
        Name.historyWriteLatency: latencyBuckets,
        Name.scheduleFireLag: [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
            .seconds(60), .seconds(300),
        ],
    ]

    private static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// Records how late a schedule occurrence fired: from the occurrence's instant (the time the
    /// cron expression named, not when the scheduler woke) to the confirm of its last command.
    /// The scheduler calls it once per fired occurrence; a missed run fired after downtime shows
    /// the downtime as lag, which is what an operator wants to see. Negative lags count as zero.
    public func recordScheduleFireLag(_ lag: Duration) {
        scheduleFireLag.record(duration: max(lag, .zero))
    }
}
