import AMQPClient
import Synchronization

/// The confirms a batch still waits for, per delivery: a delivery is acked when the last of its
/// messages is confirmed, or requeued once all have answered if any failed. Called from
/// `onConfirm` on the connection's I/O thread, so each call is one short lock and one enqueue.
final class BatchSettlement<Delivery: PipelineDelivery>: Sendable {
    private struct Slot {
        var remaining: Int
        var failed: Bool
    }

    private let deliveries: [Delivery]
    private let slots: Mutex<[Slot]>
    private let counters: PipelineCounters
    /// Made just before the messages are handed to the publisher: confirm latency counts from here.
    private let handedOff = ContinuousClock.now

    /// `expected[i]` messages are published for `deliveries[i]` (each at least 1).
    init(deliveries: [Delivery], expected: [Int], counters: PipelineCounters) {
        self.deliveries = deliveries
        self.slots = Mutex(expected.map { Slot(remaining: $0, failed: false) })
        self.counters = counters
    }

    /// One message of delivery `index` was confirmed or refused.
    func confirm(_ index: Int, _ result: Result<Void, AMQPError>, isCommand: Bool) {
        counters.metrics.publishConfirmLatency.record(duration: handedOff.duration(to: .now))
        let failed = if case .failure = result { true } else { false }
        if isCommand {
            if failed {
                counters.commandsFailed.add(1, ordering: .relaxed)
            } else {
                counters.commandsPublished.add(1, ordering: .relaxed)
            }
        } else if !failed {
            counters.deadLettered.add(1, ordering: .relaxed)
        }
        let outcome: Bool? = slots.withLock { slots in
            slots[index].remaining -= 1
            slots[index].failed = slots[index].failed || failed
            return slots[index].remaining == 0 ? slots[index].failed : nil
        }
        guard let anyFailed = outcome else { return }
        deliveries[index].settle(anyFailed ? .requeue : .ack)
        counters.count(anyFailed ? .requeue : .ack)
        counters.unsettled.subtract(1, ordering: .releasing)
    }
}
