import AMQPClient
import Foundation
import Automation

/// A batch of runs on the run path (DESIGN "One run path"): one ``Slot`` per source — an event
/// delivery, a due schedule occurrence, a manual request — holding what that source produced.
/// Every source builds one of these and hands it to ``RunPath``; nothing else plans, records or
/// publishes.
public struct RunBatch: Sendable {
    /// What one source produced, settled as one.
    public struct Slot: Sendable {
        /// The commands of its runs, in plan order.
        public var commands: [ProcessStartCommand] = []
        /// The history rows of its runs (items that could not be planned come `Failed` already).
        public var history: [ExecutionHistoryEntry] = []
        /// The requests of its runs' `webhook` items, sent by ``HTTPRequestSender`` once recorded.
        public var httpRequests: [OutboundHTTPRequest] = []
        /// Runs its triggers scheduled for later, and cancellations they asked for.
        public var delayedRuns: [DelayedRun] = []
        public var cancellations: [DelayedRunCancellation] = []
        public var retainedEvents: [RetainedEvent] = []
        /// The process this source reports as ended, to close in the batch's transaction.
        public var completion: ExecutionCompletionRequest?
        /// Messages published for the source but not recorded: a poison event's dead-letter copy.
        var unrecorded: [AMQPOutboundMessage.Draft] = []
        /// Whether the commands are published again when every run of the slot was recorded
        /// before: yes for a redelivered event (at-least-once: the first publish may not have
        /// happened); no for a webhook call retried with its `webhook-id`, which is answered with
        /// the first run (``SlotResult/replayed``).
        public var republishesRecordedRuns = true

        public init() {}

        /// Adds one run's plan.
        public mutating func add(_ plan: CommandPlan) {
            commands += plan.commands
            history += plan.history
            httpRequests += plan.httpRequests
            delayedRuns += plan.delayedRuns
            cancellations += plan.cancellations
            retainedEvents += plan.retainedEvents
        }

        /// Removes the runs of `actions` (deleted while they were planned).
        mutating func drop(actions: Set<ActionID>) {
            commands.removeAll { actions.contains($0.body.automatedAction.id) }
            history.removeAll { actions.contains($0.actionId) }
            httpRequests.removeAll { actions.contains($0.actionId) }
            delayedRuns.removeAll { actions.contains($0.actionId) }
            cancellations.removeAll { actions.contains($0.actionId) }
            retainedEvents.removeAll { actions.contains($0.actionId) }
        }
    }

    public var slots: [Slot]
    /// Where schedules stand, written in the batch's transaction.
    public var scheduleProgress: [ScheduleProgress]
    /// A manual run's idempotency key, claimed in the batch's transaction.
    public var manualRunKey: ManualRunKey?

    public init(slots: [Slot] = [], scheduleProgress: [ScheduleProgress] = [], manualRunKey: ManualRunKey? = nil) {
        self.slots = slots
        self.scheduleProgress = scheduleProgress
        self.manualRunKey = manualRunKey
    }
}

/// How one slot of a batch ended, told once to its source.
public struct SlotResult: Sendable {
    /// The slot's history rows as stored, in order; entries whose command the broker could not
    /// route, or that could not be encoded, are closed `Failed` with the reason.
    public var entries: [ExecutionHistoryEntry]
    /// The entry the slot's completion closed, if any.
    public var completion: ExecutionCompletion?
    /// Set when the slot is not done: a message was refused (`basic.nack`) or the connection
    /// failed before its confirm. The source runs it again; the ids are the same.
    public var retryReason: String?
    /// Every run of the slot was recorded before and nothing was published again (a slot that
    /// does not ``Slot/republishesRecordedRuns``).
    public var replayed = false
    /// When the broker had answered for all of the slot's messages (set by
    /// ``RunPath/runAndWait(_:publisher:recording:publishAt:timeout:)``).
    public var settledAt: Date?

    public var isDone: Bool { retryReason == nil }
}
