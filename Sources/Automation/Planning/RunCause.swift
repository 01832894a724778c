import Foundation

/// What made an action run, as the planner needs it: which trigger (for ids and history) and,
/// for schedules, the occurrence.
public enum RunCause: Hashable, Sendable {
    /// A message trigger of the given type matched the event.
    case message(TriggerID, TriggerType)
    /// A schedule's occurrence came due.
    case schedule(ScheduleID, occurrence: Date)
    /// Someone asked for a run.
    case manual
    /// A webhook was called (and its filter, if any, held).
    case webhook(WebhookID)
    /// A delayed run came due.
    case delayed(DelayedRunID)
    /// The next item of a sequence (``StepTarget``): recorded as part of the run that started
    /// with the given trigger type and trigger, so its ids are that run's.
    case step(ExecutionTriggerType, ExecutionSourceID?)

    /// The cause carried by a schedule or manual event; nil for a message event, whose cause is
    /// the trigger that matched it (``TriggerMatch``).
    public init?(_ source: EventSource) {
        switch source {
        case .message: return nil
        case .schedule(let schedule, let occurrence): self = .schedule(schedule, occurrence: occurrence)
        case .manual: self = .manual
        case .webhook(let webhook): self = .webhook(webhook)
        case .delayed(let run): self = .delayed(run)
        }
    }

    /// How history records the run.
    public var executionTriggerType: ExecutionTriggerType {
        switch self {
        case .message: .message
        case .schedule: .schedule
        case .manual: .manual
        case .webhook: .webhook
        case .delayed: .delayed
        case .step(let type, _): type
        }
    }

    /// Whether a run whose history is already recorded is answered with that history instead of
    /// being published again: a webhook call retried with its `webhook-id` is (its sender retries
    /// until answered), a redelivered event is not (its first publish may never have happened).
    public var answersRetriesFromHistory: Bool {
        if case .webhook = self { return true }
        return false
    }

    /// The history entry's `triggerId`: the trigger, schedule or webhook; nil for manual runs.
    public var sourceID: ExecutionSourceID? {
        switch self {
        case .message(let trigger, _): ExecutionSourceID(trigger)
        case .schedule(let schedule, _): ExecutionSourceID(schedule)
        case .manual: nil
        case .webhook(let webhook): ExecutionSourceID(webhook)
        case .delayed(let run): ExecutionSourceID(run)
        case .step(_, let source): source
        }
    }
}
