import Foundation
import JSONPath

/// One run of one action item: written `Pending` when its command is planned, closed with
/// `Success` or `Failed` when the started process reports back.
///
/// JSON (seed 000): `id`, `triggerType`, `triggerId`, `actionId`, `processId`, `processType`,
/// `dateStarted`, `dateCompleted`, `outcome`, `errorMessage` (nulls written as `null`), plus
/// `sourceEventId` and `itemIndex`, which together with `triggerId` form the
/// ``idempotencyKey``: a redelivered event never records a run twice.
public struct ExecutionHistoryEntry: Hashable, Sendable, Codable, Identifiable {
    /// How long retention leaves the entry of a run still `Pending` or `Running` alone (its
    /// completion must find it): a day, in seconds. Older, its process is taken as lost and the
    /// entry goes by the count and age rules like a finished one.
    public static let underWayRetentionGrace: TimeInterval = 86_400

    public var id: ExecutionID
    public var triggerType: ExecutionTriggerType
    /// The schedule or message trigger that caused the run; nil for manual runs.
    public var triggerId: ExecutionSourceID?
    public var actionId: ActionID
    public var processId: ProcessID
    public var processType: ProcessType
    public var dateStarted: Date
    public var dateCompleted: Date?
    public var outcome: ExecutionOutcome
    /// Why the process failed, as reported by it, or which occurrences a `Skipped` entry stands
    /// for; nil otherwise.
    public var errorMessage: String?
    /// The event that caused the run: the AMQP message id, `scheduleId@occurrence`, or a new
    /// UUID for a manual run.
    public var sourceEventId: String
    /// The position of the item in the action's `actions`, from 0.
    public var itemIndex: Int
    /// 1 for a first try; n for the (n−1)th retry of the item (``RetryPolicy``).
    public var attempt: Int
    /// The failed entry this one tries again; nil for a first try.
    public var retryOf: ExecutionID?
    /// When the process reported that it started (the entry went `Running`); nil before, or
    /// when it never said so.
    public var dateRunning: Date?
    /// What the process reported with its completion (its `output` or `result`, at most
    /// ``ExecutionResult/maximumBytes`` of JSON).
    public var result: JSONValue?

    /// Seconds from the command to the completion; nil while the run is open.
    public var durationSeconds: Double? {
        guard !outcome.isOpen, outcome != .skipped, let dateCompleted else { return nil }
        return dateCompleted.timeIntervalSince(dateStarted)
    }

    public init(
        id: ExecutionID = .random(),
        triggerType: ExecutionTriggerType,
        triggerId: ExecutionSourceID?,
        actionId: ActionID,
        processId: ProcessID,
        processType: ProcessType,
        dateStarted: Date,
        dateCompleted: Date? = nil,
        outcome: ExecutionOutcome = .pending,
        errorMessage: String? = nil,
        sourceEventId: String,
        itemIndex: Int,
        attempt: Int = 1,
        retryOf: ExecutionID? = nil,
        dateRunning: Date? = nil,
        result: JSONValue? = nil
    ) {
        self.dateRunning = dateRunning
        self.result = result
        self.attempt = attempt
        self.retryOf = retryOf
        self.id = id
        self.triggerType = triggerType
        self.triggerId = triggerId
        self.actionId = actionId
        self.processId = processId
        self.processType = processType
        self.dateStarted = dateStarted
        self.dateCompleted = dateCompleted
        self.outcome = outcome
        self.errorMessage = errorMessage
        self.sourceEventId = sourceEventId
        self.itemIndex = itemIndex
    }

    /// The unique key stores de-duplicate on.
    public var idempotencyKey: ExecutionKey {
        ExecutionKey(sourceEventId: sourceEventId, triggerId: triggerId, itemIndex: itemIndex)
    }

    enum CodingKeys: String, CodingKey {
        case id, triggerType, triggerId, actionId, processId, processType, dateStarted
        case dateCompleted, outcome, errorMessage, sourceEventId, itemIndex, attempt, retryOf, dateRunning, durationSeconds, result
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ExecutionID.self, forKey: .id)
        triggerType = try c.decode(ExecutionTriggerType.self, forKey: .triggerType)
        triggerId = try c.decodeIfPresent(ExecutionSourceID.self, forKey: .triggerId)
        actionId = try c.decode(ActionID.self, forKey: .actionId)
        processId = try c.decode(ProcessID.self, forKey: .processId)
        processType = try c.decode(ProcessType.self, forKey: .processType)
        dateStarted = try c.decode(Date.self, forKey: .dateStarted)
        dateCompleted = try c.decodeIfPresent(Date.self, forKey: .dateCompleted)
        outcome = try c.decode(ExecutionOutcome.self, forKey: .outcome)
        errorMessage = try c.decodeIfPresent(String.self, forKey: .errorMessage)
        sourceEventId = try c.decodeIfPresent(String.self, forKey: .sourceEventId) ?? id.description
        itemIndex = try c.decodeIfPresent(Int.self, forKey: .itemIndex) ?? 0
        attempt = try c.decodeIfPresent(Int.self, forKey: .attempt) ?? 1
        retryOf = try c.decodeIfPresent(ExecutionID.self, forKey: .retryOf)
        dateRunning = try c.decodeIfPresent(Date.self, forKey: .dateRunning)
        result = try c.decodeIfPresent(AnyJSON.self, forKey: .result)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(triggerType, forKey: .triggerType)
        try c.encode(triggerId, forKey: .triggerId)
        try c.encode(actionId, forKey: .actionId)
        try c.encode(processId, forKey: .processId)
        try c.encode(processType, forKey: .processType)
        try c.encode(dateStarted, forKey: .dateStarted)
        try c.encode(dateCompleted, forKey: .dateCompleted)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(sourceEventId, forKey: .sourceEventId)
        try c.encode(itemIndex, forKey: .itemIndex)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(retryOf, forKey: .retryOf)
        try c.encode(dateRunning, forKey: .dateRunning)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(result.map(AnyJSON.init), forKey: .result)
    }
}

extension ExecutionHistoryEntry {
    /// How the `errorMessage` of an entry starts when Signalbox closed it because its command
    /// never reached a queue (so no process started).
    public enum NotPublished {
        public static let unroutable = "unroutable:"
        public static let unencodable = "the command could not be encoded:"
        public static let refused = "the command was not published:"
        static let all = [unroutable, unencodable, refused]
    }

    /// Whether a process was started for this entry: not for a `Skipped` occurrence, an item that
    /// could not be planned (closed `Failed` in the instant it started) or a command that never
    /// reached a queue (``NotPublished``).
    public var startedAProcess: Bool {
        switch outcome {
        case .pending, .running, .success: true
        case .skipped: false
        case .failed:
            dateCompleted != dateStarted && !NotPublished.all.contains { errorMessage?.hasPrefix($0) == true }
        }
    }
}

/// The unique key of a history entry: source event + trigger + item index (DESIGN "Record").
public struct ExecutionKey: Hashable, Sendable, Codable {
    public var sourceEventId: String
    public var triggerId: ExecutionSourceID?
    public var itemIndex: Int

    public init(sourceEventId: String, triggerId: ExecutionSourceID?, itemIndex: Int) {
        self.sourceEventId = sourceEventId
        self.triggerId = triggerId
        self.itemIndex = itemIndex
    }
}

/// What started a run.
public enum ExecutionTriggerType: String, Hashable, Sendable, Codable, CaseIterable {
    case schedule = "Schedule"
    case message = "Message"
    case manual = "Manual"
    case webhook = "Webhook"
    /// A delayed run (`POST …/runs`) came due.
    case delayed = "Delayed"
}

/// How a run ended; `Pending` until the process reports back, `Running` once it reported that
/// it started (docs/lifecycle.md), then `Success` or `Failed`. `Skipped` records schedule
/// occurrences missed while Signalbox was down that the schedule's ``MissedRunPolicy`` did not
/// run (its `errorMessage` says which and why); no command was sent for it.
public enum ExecutionOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case success = "Success"
    case failed = "Failed"
    case skipped = "Skipped"

    /// Whether the run is still under way: a completion may close it.
    public var isOpen: Bool { self == .pending || self == .running }
}

/// The kind of process a run started (`processType` in history).
public enum ProcessType: String, Hashable, Sendable, Codable, CaseIterable {
    case app = "App"
    case interaction = "Interaction"
    case capsule = "Capsule"
    /// An HTTP request of a `webhook` item, sent by Signalbox itself.
    case webhook = "Webhook"
}

/// A process reported as ended, to close its history entry with (``RunHistoryStore/completeExecutions(_:at:)``).
public struct ExecutionCompletionRequest: Hashable, Sendable {
    public var processId: ProcessID
    /// The tenant whose entries the completion may close: the tenant of the event that reported
    /// the end, so a publisher of one tenant cannot close another tenant's runs. Nil only where
    /// Signalbox closes an entry it just recorded itself (a manual run the broker refused).
    public var tenantId: TenantID?
    /// `Success` or `Failed`; `Running` only marks a `Pending` entry as started.
    public var outcome: ExecutionOutcome
    /// Why it failed; nil on success.
    public var errorMessage: String?
    /// What the process reported with its end (``Event/completionResult(_:)``).
    public var result: JSONValue?
    /// The body of the event that reported the end: the next item of a sequence reads it
    /// (`$fromPrevious`). Nil when Signalbox closes the entry itself.
    public var eventBody: JSONValue?

    public init(
        processId: ProcessID, tenantId: TenantID? = nil, outcome: ExecutionOutcome, errorMessage: String?, result: JSONValue? = nil,
        eventBody: JSONValue? = nil
    ) {
        self.eventBody = eventBody
        self.result = result
        self.processId = processId
        self.tenantId = tenantId
        self.outcome = outcome
        self.errorMessage = errorMessage
    }
}

/// A closed history entry and the action's counters after it, as returned by
/// ``RunHistoryStore/record(_:)``.
public struct ExecutionCompletion: Hashable, Sendable {
    public var entry: ExecutionHistoryEntry
    public var totalExecutions: Int
    public var consecutiveFailures: Int
    /// The next attempt, when the entry failed and the action's ``RetryPolicy`` tries it again
    /// (then the counters did not move: a run counts once, by its last attempt).
    public var retry: DelayedRunDue?
    /// The next item of a sequence, stored by this close (then the counters did not move: a
    /// sequential run counts once, at its end).
    public var step: DelayedRunDue?
    /// Whether closing the entry paused the action (``FailurePolicies/pauseAfterConsecutiveFailures``).
    public var pausedAction: Bool

    public init(
        entry: ExecutionHistoryEntry, totalExecutions: Int, consecutiveFailures: Int, retry: DelayedRunDue? = nil,
        pausedAction: Bool = false, step: DelayedRunDue? = nil
    ) {
        self.step = step
        self.entry = entry
        self.totalExecutions = totalExecutions
        self.consecutiveFailures = consecutiveFailures
        self.retry = retry
        self.pausedAction = pausedAction
    }

}
