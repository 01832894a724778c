import AMQPClient
import Automation
import Foundation
import Logging
import Synchronization

/// Runs someone waits for — manual runs (`POST …/trigger`) and webhook calls — on the ``RunPath``:
/// recorded once (a store failure is answered at once, not retried: someone waits), then the
/// confirms are awaited up to `timeout`.
///
/// Concurrent callers share transactions (group commit): while one batch is being recorded, the
/// runs that arrive wait and then go together as the next batch, one slot each, so 50 webhook
/// calls at once cost a few durable commits instead of 50. A run with an idempotency key goes in
/// a batch of its own: the key is claimed in its batch's transaction.
public final class PublishingActionRunner: ActionRunner, Sendable {
    private struct Waiting: Sendable {
        var slot: RunBatch.Slot
        var outcome: ResultBarrier<Result<SlotResult, any Error>>
    }

    private let runPath: RunPath
    private let publisher: any PipelinePublisher
    private let gate: BrokerGate
    private let planner = CommandPlanner()
    private let clock: any WallClock
    private let timeout: Duration
    private let logger: Logger
    /// Most slots in one shared batch.
    private let batchLimit: Int
    /// Runs waiting for the next batch, and whether a task is recording batches.
    private let queue = Mutex<(waiting: [Waiting], draining: Bool)>(([], false))
    private let lastRefusalLogged = Mutex<ContinuousClock.Instant?>(nil)

    /// `timeout` bounds how long a caller waits for the broker's confirms; `gate` (by default one
    /// on `publisher` with its defaults) how long it waits for an unreachable broker.
    public init(
        runPath: RunPath, publisher: any PipelinePublisher, clock: any WallClock, timeout: Duration = .seconds(10),
        gate: BrokerGate? = nil, batchLimit: Int = 500, logger: Logger
    ) {
        self.runPath = runPath
        self.publisher = publisher
        self.gate = gate ?? BrokerGate(publisher: publisher)
        self.clock = clock
        self.timeout = timeout
        self.batchLimit = max(1, batchLimit)
        self.logger = logger
    }

    public func run(_ action: AutomatedAction, cause: RunCause, event: Event, key: ManualRunKey?) async throws -> ActionRunResult {
        do {
            try await gate.admit("the \(cause.executionTriggerType.rawValue.lowercased()) run of action \(action.id)")
        } catch let error as AutomationError {
            // One line per 10 s at most: an outage under load refuses many.
            let now = ContinuousClock.now
            if lastRefusalLogged.withLock({ last in
                guard last.map({ now - $0 >= .seconds(10) }) ?? true else { return false }
                last = now
                return true
            }) {
                logger.warning("runs refused: the broker is unreachable", metadata: [
                    "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)",
                    "refused_since_start": "\(gate.refusedCount)", "error": "\(error.message)",
                ])
            }
            throw error
        }
        var slot = RunBatch.Slot()
        slot.add(planner.plan(action, cause: cause, for: event, at: clock.now()))
        slot.republishesRecordedRuns = !cause.answersRetriesFromHistory
        let result: SlotResult?
        if let key {
            let (recorded, results) = try await runPath.runAndWait(
                RunBatch(slots: [slot], manualRunKey: key), publisher: publisher, recording: .once, timeout: timeout)
            if let holder = recorded.heldBy {
                logger.info("manual run answered from its idempotency key", metadata: [
                    "action_id": "\(action.id)", "event_id": "\(holder.eventId)",
                ])
                return .heldBy(holder)
            }
            result = results[0]
        } else {
            result = try await runShared(slot)
        }
        guard let result else {
            logger.warning("run not confirmed in time", metadata: [
                "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)",
            ])
            throw AutomationError.unavailable(
                "the run is recorded (event \(event.id)) but the broker did not confirm its commands within \(timeout); "
                    + "they are published when the broker is reachable (\(Self.retryHint(cause)))")
        }
        if result.replayed { return .replayed(result.entries) }
        if let reason = result.retryReason {
            // The entries of the refused commands; those of `webhook` items are the sender's to close.
            let published = Set(slot.commands.map(\.processId))
            let pending = result.entries.filter { $0.outcome == .pending && published.contains($0.processId) }
            if cause.answersRetriesFromHistory {
                // Its sender retries with the same id: the retry must record and publish the run
                // anew, not find it recorded and answer it as done.
                try? await runPath.store.forgetHistory(keys: pending.map(\.idempotencyKey), actionId: action.id)
            } else {
                // Nothing will start these processes: close their entries so history says why.
                let message = "\(ExecutionHistoryEntry.NotPublished.refused) \(reason)"
                _ = try? await runPath.store.completeExecutions(
                    pending.map { ExecutionCompletionRequest(processId: $0.processId, outcome: .failed, errorMessage: message) },
                    at: clock.now())
            }
            logger.error("run refused by the broker", metadata: [
                "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)",
                "reason": "\(reason)",
            ])
            throw AutomationError.unavailable("the broker refused the run's commands (event \(event.id)): \(reason)")
        }
        logger.debug("run published", metadata: [
            "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)",
            "commands": "\(result.entries.filter { $0.outcome == .pending }.count)",
        ])
        return .ran(result.entries)
    }

    /// Queues `slot` for the next shared batch; its result once confirmed, nil when not within
    /// `timeout`. Throws the store's error when its batch could not be recorded.
    private func runShared(_ slot: RunBatch.Slot) async throws -> SlotResult? {
        let waiting = Waiting(slot: slot, outcome: ResultBarrier(count: 1))
        let startDraining = queue.withLock { queue in
            queue.waiting.append(waiting)
            defer { queue.draining = true }
            return !queue.draining
        }
        if startDraining { Task { await drain() } }
        return try await waiting.outcome.results(timeout: timeout)[0]?.get()
    }

    /// Records and publishes what waits, batch after batch, until nothing does.
    private func drain() async {
        while true {
            let batch: [Waiting] = queue.withLock { queue in
                let taken = Array(queue.waiting.prefix(batchLimit))
                queue.waiting.removeFirst(taken.count)
                if taken.isEmpty { queue.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try await runPath.run(RunBatch(slots: batch.map(\.slot)), publisher: publisher, recording: .once) { index, result in
                    batch[index].outcome.deliver(0, .success(result))
                }
            } catch {
                for waiting in batch { waiting.outcome.deliver(0, .failure(error)) }
            }
        }
    }

    /// How the waiting client gets this run again.
    private static func retryHint(_ cause: RunCause) -> String {
        if case .webhook = cause { return "a retry with the same webhook-id gets this run" }
        return "retry with the same Idempotency-Key to get this run"
    }
}
