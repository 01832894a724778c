import Foundation
import JSONPath

/// Everything one batch of the run path writes, in one store transaction (DESIGN "Record"): the
/// completions its events report, the history rows of its new runs, the schedules' progress and
/// the idempotency key of a manual run. Durable before any source of the batch is settled.
public struct RunRecord: Sendable {
    /// Pending entries to close, in order (a second request for the same process closes nothing).
    public var completions: [ExecutionCompletionRequest]
    /// New history rows, idempotent on their ``ExecutionHistoryEntry/idempotencyKey``.
    public var history: [ExecutionHistoryEntry]
    /// Where schedules stand (see ``ScheduleProgress``); schedules that are gone are ignored.
    public var scheduleProgress: [ScheduleProgress]
    /// The key a manual run was requested with: if another run of the action holds it (and it has
    /// not expired), nothing else of the batch is written and ``RecordedRun/heldBy`` names it.
    public var manualRunKey: ManualRunKey?
    /// The requests of `webhook` items, kept in the outbox (by process id) until their entries
    /// close; a request whose entry was recorded before is not stored again.
    public var httpRequests: [OutboundHTTPRequest]
    /// Runs scheduled by triggers with `delay`, stored unless stored before (same id).
    public var delayedRuns: [DelayedRun]
    /// Cancellations asked by triggers with `cancels`, applied to runs not yet claimed.
    public var cancellations: [DelayedRunCancellation]
    /// Events kept for retries of the runs they started (``FailurePolicies/keepsEvents(for:)``).
    public var retainedEvents: [RetainedEvent]
    /// When completions close (their `dateCompleted`).
    public var at: Date

    public init(
        completions: [ExecutionCompletionRequest] = [], history: [ExecutionHistoryEntry] = [],
        scheduleProgress: [ScheduleProgress] = [], manualRunKey: ManualRunKey? = nil,
        httpRequests: [OutboundHTTPRequest] = [], delayedRuns: [DelayedRun] = [], cancellations: [DelayedRunCancellation] = [],
        retainedEvents: [RetainedEvent] = [], at: Date
    ) {
        self.retainedEvents = retainedEvents
        self.completions = completions
        self.history = history
        self.scheduleProgress = scheduleProgress
        self.manualRunKey = manualRunKey
        self.httpRequests = httpRequests
        self.delayedRuns = delayedRuns
        self.cancellations = cancellations
        self.at = at
    }

    public var isEmpty: Bool {
        completions.isEmpty && history.isEmpty && scheduleProgress.isEmpty && manualRunKey == nil && httpRequests.isEmpty
            && delayedRuns.isEmpty && cancellations.isEmpty && retainedEvents.isEmpty
    }
}

/// One run of an action: its history entries share the source event.
public struct RunKey: Hashable, Sendable {
    public var actionId: ActionID
    public var sourceEventId: String

    public init(actionId: ActionID, sourceEventId: String) {
        self.actionId = actionId
        self.sourceEventId = sourceEventId
    }
}

extension ExecutionHistoryEntry {
    /// The run the entry belongs to.
    public var run: RunKey { RunKey(actionId: actionId, sourceEventId: sourceEventId) }
}

/// The event a run of an action started for, kept so that a retry of one of its items reads the
/// same values (`$fromEvent`, `interactionProcessIdFromEvent`), until no entry of the run is
/// Pending (or retention prunes it by age).
public struct RetainedEvent: Hashable, Sendable {
    public var actionId: ActionID
    /// The entries' ``ExecutionHistoryEntry/sourceEventId``.
    public var sourceEventId: String
    public var body: JSONValue

    public init(actionId: ActionID, sourceEventId: String, body: JSONValue) {
        self.actionId = actionId
        self.sourceEventId = sourceEventId
        self.body = body
    }

    public var run: RunKey { RunKey(actionId: actionId, sourceEventId: sourceEventId) }
}

/// What ``RunHistoryStore/record(_:)`` wrote.
public struct RecordedRun: Sendable {
    /// Per completion request, in order: the closed entry, or nil when nothing changed.
    public var completions: [ExecutionCompletion?]
    /// Per history row, in order: the row as stored (the earlier one for a duplicate key).
    public var history: [ExecutionHistoryEntry]
    /// Per history row, in order: whether its key was recorded before this batch (by an earlier
    /// batch, or by an earlier row of this one), so that ``history`` holds the earlier row.
    public var alreadyRecorded: [Bool]
    /// The earlier run that holds the batch's manual-run key, when one does (then nothing was written).
    public var heldBy: ManualRunKey?
    /// The delayed runs this batch stored (not those stored before): the scheduler queues them.
    public var insertedDelayedRuns: [DelayedRunDue] = []
    /// The scheduled runs the batch's cancellations cancelled: the scheduler forgets them.
    public var cancelledDelayedRuns: [DelayedRunID] = []
    /// Notifications the batch put in the outbox (the publisher sends them).
    public var queuedNotifications = 0
    /// Actions the batch's completions paused (the scheduler stops their schedules).
    public var pausedActions: [ActionNotification.Action] = []

    /// The retries the batch's completions scheduled, with the runs it inserted.
    public var scheduledRuns: [DelayedRunDue] {
        insertedDelayedRuns + completions.compactMap { $0?.retry } + completions.compactMap { $0?.step }
    }

    public init(
        completions: [ExecutionCompletion?] = [], history: [ExecutionHistoryEntry] = [], alreadyRecorded: [Bool]? = nil,
        heldBy: ManualRunKey? = nil
    ) {
        self.completions = completions
        self.history = history
        self.alreadyRecorded = alreadyRecorded ?? Array(repeating: false, count: history.count)
        self.heldBy = heldBy
    }

    /// Whether the history rows at `rows` (one run's) all were recorded before this batch.
    public func recordedBefore(_ rows: Range<Int>) -> Bool {
        !rows.isEmpty && alreadyRecorded[rows].allSatisfy { $0 }
    }
}

/// An `Idempotency-Key` of a manual run: the same key on the same action within
/// ``ManualRunKey/lifetime`` answers with the first run instead of starting another.
public struct ManualRunKey: Hashable, Sendable {
    /// How long a key is remembered.
    public static let lifetime: TimeInterval = 24 * 3600
    /// The longest key accepted (Stripe's limit).
    public static let maximumLength = 255

    public var tenantId: TenantID
    public var actionId: ActionID
    public var key: String
    /// The manual event the key started: its history entries share this ``ExecutionHistoryEntry/sourceEventId``.
    public var eventId: String
    public var createdAt: Date

    public init(tenantId: TenantID, actionId: ActionID, key: String, eventId: String, createdAt: Date) {
        self.tenantId = tenantId
        self.actionId = actionId
        self.key = key
        self.eventId = eventId
        self.createdAt = createdAt
    }

    /// Whether the key still holds at `now`.
    public func isLive(at now: Date) -> Bool { now.timeIntervalSince(createdAt) < Self.lifetime }
}
