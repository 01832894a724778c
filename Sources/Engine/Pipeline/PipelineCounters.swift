import Synchronization

/// Running totals of the pipeline, safe to bump from the connection's I/O thread (one atomic add,
/// no lock). Logged on shutdown; the metrics endpoint (issue 6, later) will read them.
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

        public var description: String {
            "consumed=\(consumed) matched=\(matched) commands_published=\(commandsPublished) "
                + "commands_failed=\(commandsFailed) dead_lettered=\(deadLettered) unknown_type=\(unknownType) "
                + "completed=\(completed) acked=\(acked) requeued=\(requeued)"
        }
    }

    let consumed = Atomic<Int>(0)
    let matched = Atomic<Int>(0)
    let commandsPublished = Atomic<Int>(0)
    let commandsFailed = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    let unknownType = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    let acked = Atomic<Int>(0)
    let requeued = Atomic<Int>(0)
    /// Deliveries handed to the pipeline and not yet settled.
    let unsettled = Atomic<Int>(0)

    public init() {}

    public var snapshot: Snapshot {
        Snapshot(
            consumed: consumed.load(ordering: .relaxed), matched: matched.load(ordering: .relaxed),
            commandsPublished: commandsPublished.load(ordering: .relaxed),
            commandsFailed: commandsFailed.load(ordering: .relaxed), deadLettered: deadLettered.load(ordering: .relaxed),
            unknownType: unknownType.load(ordering: .relaxed), completed: completed.load(ordering: .relaxed),
            acked: acked.load(ordering: .relaxed), requeued: requeued.load(ordering: .relaxed))
    }

    func count(_ settlement: PipelineSettlement) {
        if settlement == .ack { acked.add(1, ordering: .relaxed) } else { requeued.add(1, ordering: .relaxed) }
    }

    /// Deliveries still waiting for their confirms.
    public var inFlight: Int { unsettled.load(ordering: .acquiring) }
}
