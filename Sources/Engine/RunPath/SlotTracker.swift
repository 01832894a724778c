import AMQPClient
import Automation
import Synchronization

/// The broker's answers a batch still waits for, per slot. A slot is settled once every one of its
/// messages is answered: done, or not done when one was refused or lost; commands that can never
/// be delivered (unroutable, unencodable) are closed `Failed` first. Called from `onConfirm` on the
/// connection's I/O thread, so each call is one short lock; the rare close runs on a task.
final class SlotTracker: Sendable {
    struct Message: Sendable {
        var slot: Int
        /// The command's process; nil for a message that is not a command (a dead-letter copy).
        var processId: ProcessID?
        var draft: AMQPOutboundMessage.Draft
    }

    private struct Slot {
        var result: SlotResult
        var remaining: Int
        /// Commands that will never be delivered, to close `Failed`.
        var undeliverable: [ExecutionCompletionRequest]
    }

    private let slots: Mutex<[Slot]>
    private let runPath: RunPath
    private let exchange: String
    private let settle: @Sendable (Int, SlotResult) -> Void
    /// Made just before the messages are handed to the publisher: confirm latency counts from here.
    private let handedOff = ContinuousClock.now

    init(
        results: [SlotResult], expected: [Int], failed: [[ExecutionCompletionRequest]], runPath: RunPath, exchange: String,
        settle: @escaping @Sendable (Int, SlotResult) -> Void
    ) {
        slots = Mutex(zip(results, zip(expected, failed)).map { Slot(result: $0, remaining: $1.0, undeliverable: $1.1) })
        self.runPath = runPath
        self.exchange = exchange
        self.settle = settle
    }

    /// Settles the slots that publish nothing.
    func start() {
        let count = slots.withLock { $0.count }
        for index in 0..<count {
            if let slot = slots.withLock({ $0[index].remaining == 0 ? $0[index] : nil }) { finish(index, slot) }
        }
    }

    func confirm(_ message: Message, _ result: Result<Void, AMQPError>) {
        let counters = runPath.counters
        counters.metrics.publishConfirmLatency.record(duration: handedOff.duration(to: .now))
        var undeliverable: ExecutionCompletionRequest?
        var refusal: String?
        switch result {
        case .success:
            if message.processId != nil {
                counters.commandsPublished.add(1, ordering: .relaxed)
            } else {
                counters.deadLettered.add(1, ordering: .relaxed)
            }
        case .failure(let error):
            if message.processId != nil { counters.commandsFailed.add(1, ordering: .relaxed) }
            if error.code == .publishReturned, let processId = message.processId {
                undeliverable = ExecutionCompletionRequest(
                    processId: processId, outcome: .failed,
                    errorMessage: "\(ExecutionHistoryEntry.NotPublished.unroutable) no queue is bound to exchange \(exchange) for routing key "
                        + "\(message.draft.routingKey) (\(error.reason)); set amqp.commandsQueue or bind a queue")
            } else {
                refusal = "\(error)"
            }
        }
        let finished: Slot? = slots.withLock { slots in
            slots[message.slot].remaining -= 1
            if let undeliverable { slots[message.slot].undeliverable.append(undeliverable) }
            if let refusal, slots[message.slot].result.retryReason == nil { slots[message.slot].result.retryReason = refusal }
            return slots[message.slot].remaining == 0 ? slots[message.slot] : nil
        }
        if let finished { finish(message.slot, finished) }
    }

    private func finish(_ index: Int, _ slot: Slot) {
        // Not done: the whole slot runs again, and what could not be delivered fails again then.
        guard slot.result.isDone, !slot.undeliverable.isEmpty else {
            settle(index, slot.result)
            return
        }
        let runPath = self.runPath, settle = self.settle
        runPath.logger.warning("commands could not be delivered; their runs are recorded Failed", metadata: [
            "commands": "\(slot.undeliverable.count)", "reason": "\(slot.undeliverable[0].errorMessage ?? "")",
        ])
        Task {
            var result = slot.result
            if let closed = await runPath.closeUndeliverable(slot.undeliverable) {
                for case let completion? in closed {
                    if let position = result.entries.firstIndex(where: { $0.processId == completion.entry.processId }) {
                        result.entries[position] = completion.entry
                    }
                }
            } else {
                result.retryReason = "stopped before the undeliverable commands were recorded Failed"
            }
            settle(index, result)
        }
    }
}

/// Collects one result per slot and resumes one waiter when the last arrives (or a timeout
/// passed). Results come on the connection's I/O thread: one lock each, no task.
final class ResultBarrier<Value: Sendable>: Sendable {
    private struct State {
        var results: [Value?]
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    func deliver(_ index: Int, _ value: Value) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.results[index] == nil else { return nil }
            state.results[index] = value
            state.remaining -= 1
            guard state.remaining == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The results once all arrived, or those that did by `timeout` (nil for the others).
    func results(timeout: Duration) async -> [Value?] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.allDelivered() }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
        }
        return state.withLock { $0.results }
    }

    private func allDelivered() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.remaining > 0, !Task.isCancelled else { return false }
                    state.waiter = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
