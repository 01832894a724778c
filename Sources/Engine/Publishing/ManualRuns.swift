import AMQPClient
import Automation
import Foundation
import Logging

/// Runs someone waits for — manual runs (`POST …/trigger`) and webhook calls — on the ``RunPath``:
/// one slot, recorded once (a store failure is answered at once, not retried: someone waits), then
/// the confirms are awaited up to `timeout`.
public struct PublishingActionRunner: ActionRunner {
    private let runPath: RunPath
    private let publisher: any PipelinePublisher
    private let planner = CommandPlanner()
    private let clock: any WallClock
    private let timeout: Duration
    private let logger: Logger

    /// `timeout` bounds how long the API request waits for the broker's confirms.
    public init(
        runPath: RunPath, publisher: any PipelinePublisher, clock: any WallClock, timeout: Duration = .seconds(10), logger: Logger
    ) {
        self.runPath = runPath
        self.publisher = publisher
        self.clock = clock
        self.timeout = timeout
        self.logger = logger
    }

    public func run(_ action: AutomatedAction, cause: RunCause, event: Event, key: ManualRunKey?) async throws -> ActionRunResult {
        var slot = RunBatch.Slot()
        slot.add(planner.plan(action, cause: cause, for: event, at: clock.now()))
        let (recorded, results) = try await runPath.runAndWait(
            RunBatch(slots: [slot], manualRunKey: key), publisher: publisher, recording: .once, timeout: timeout)
        if let holder = recorded.heldBy {
            logger.info("manual run answered from its idempotency key", metadata: [
                "action_id": "\(action.id)", "event_id": "\(holder.eventId)",
            ])
            return .heldBy(holder)
        }
        guard let result = results[0] else {
            logger.warning("run not confirmed in time", metadata: [
                "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)",
            ])
            throw AutomationError.unavailable(
                "the run is recorded (event \(event.id)) but the broker did not confirm its commands within \(timeout); "
                    + "they are published when the broker is reachable (\(Self.retryHint(cause)))")
        }
        if let reason = result.retryReason {
            // Nothing will start these processes: close their entries so history says why.
            let message = "\(ExecutionHistoryEntry.NotPublished.refused) \(reason)"
            let pending = result.entries.filter { $0.outcome == .pending }
            _ = try? await runPath.store.completeExecutions(
                pending.map { ExecutionCompletionRequest(processId: $0.processId, outcome: .failed, errorMessage: message) },
                at: clock.now())
            logger.error("run refused by the broker", metadata: [
                "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)",
                "reason": "\(reason)",
            ])
            throw AutomationError.unavailable("the broker refused the run's commands (event \(event.id)): \(reason)")
        }
        logger.info("run published", metadata: [
            "trigger_type": "\(cause.executionTriggerType.rawValue)", "action_id": "\(action.id)", "event_id": "\(event.id)", "commands": "\(result.entries.filter { $0.outcome == .pending }.count)",
        ])
        return .ran(result.entries)
    }

    /// How the waiting client gets this run again.
    private static func retryHint(_ cause: RunCause) -> String {
        if case .webhook = cause { return "a retry with the same webhook-id gets this run" }
        return "retry with the same Idempotency-Key to get this run"
    }
}
