/// What one run of an action produces: the commands to publish and the history rows to record
/// first (DESIGN "Plan" → "Record" → "Publish").
public struct CommandPlan: Hashable, Sendable {
    /// One per item that can run, in item order.
    public var commands: [ProcessStartCommand]
    /// One per item, in item order: `Pending` for an item with a command, `Failed` (with an
    /// `errorMessage`, already completed) for an item that could not be planned.
    public var history: [ExecutionHistoryEntry]
    /// One per `webhook` item that can run, in item order: sent by Signalbox, not published.
    public var httpRequests: [OutboundHTTPRequest]
    /// A run scheduled for later instead (a trigger with `delay`).
    public var delayedRuns: [DelayedRun]
    /// Scheduled runs cancelled instead (a trigger with `cancels`).
    public var cancellations: [DelayedRunCancellation]
    /// The event, kept for retries when the action retries items that read it.
    public var retainedEvents: [RetainedEvent] = []

    public init(
        commands: [ProcessStartCommand] = [], history: [ExecutionHistoryEntry] = [], httpRequests: [OutboundHTTPRequest] = [],
        delayedRuns: [DelayedRun] = [], cancellations: [DelayedRunCancellation] = []
    ) {
        self.commands = commands
        self.history = history
        self.httpRequests = httpRequests
        self.delayedRuns = delayedRuns
        self.cancellations = cancellations
    }

    /// The entries of items that could not be planned.
    public var failures: [ExecutionHistoryEntry] { history.filter { $0.outcome == .failed } }
}
