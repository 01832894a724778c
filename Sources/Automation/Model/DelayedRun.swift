import Foundation
import JSONPath

/// A run of an action asked for at a later instant (`POST …/runs` with `delaySeconds` or
/// `runAt`): stored before the client is answered, kept in the scheduler's queue beside the cron
/// occurrences, and dispatched through the run path when due — or cancelled before.
///
/// JSON: `{"runId", "actionId", "status", "scheduledFor", "key", "payload", "dateCreated",
/// "dispatchedAt", "cancelledAt"}`.
public struct DelayedRun: Hashable, Sendable, Codable {
    public var id: DelayedRunID
    public var tenantId: TenantID
    public var actionId: ActionID
    /// A name shared by runs that are cancelled together (`DELETE …/runs?key=`).
    public var key: String?
    /// When it is due.
    public var dueAt: Date
    public var status: DelayedRunStatus
    /// The run's event (a JSON object, which `$fromEvent` values read); nil when none was given,
    /// and once the run was dispatched (it is not kept).
    public var payload: JSONValue?
    public var dateCreated: Date
    /// When its commands were confirmed.
    public var dispatchedAt: Date?
    public var cancelledAt: Date?
    /// Set for a retry (``RetryPolicy``): the run tries this one item of the action again.
    public var retry: RetryTarget?
    /// Set for the next item of a sequence (``ActionExecution/sequential``): the run starts this
    /// one item, as part of the run its first item belonged to.
    public var step: StepTarget?

    /// The longest delay (Acteon's limit: 7 days).
    public static let maximumDelay: TimeInterval = 604_800
    /// The shortest delay.
    public static let minimumDelay: TimeInterval = 1
    /// The longest `key`.
    public static let maximumKeyLength = 255
    /// The largest `payload`, as JSON text.
    public static let maximumPayloadBytes = 256 * 1024

    public init(
        id: DelayedRunID = .random(), tenantId: TenantID, actionId: ActionID, key: String? = nil, dueAt: Date,
        status: DelayedRunStatus = .scheduled, payload: JSONValue? = nil, dateCreated: Date, dispatchedAt: Date? = nil,
        cancelledAt: Date? = nil, retry: RetryTarget? = nil, step: StepTarget? = nil
    ) {
        self.retry = retry
        self.step = step
        self.id = id
        self.tenantId = tenantId
        self.actionId = actionId
        self.key = key
        self.dueAt = dueAt
        self.status = status
        self.payload = payload
        self.dateCreated = dateCreated
        self.dispatchedAt = dispatchedAt
        self.cancelledAt = cancelledAt
    }

    /// What the scheduler keeps of a run in its queue: no payload, so 100,000 cost little.
    public var due: DelayedRunDue { DelayedRunDue(id: id, actionId: actionId, tenantId: tenantId, dueAt: dueAt) }

    enum CodingKeys: String, CodingKey {
        case id = "runId", actionId, status, dueAt = "scheduledFor", key, payload, dateCreated, dispatchedAt, cancelledAt, retry, step
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(DelayedRunID.self, forKey: .id)
        tenantId = .default
        actionId = try c.decode(ActionID.self, forKey: .actionId)
        status = try c.decode(DelayedRunStatus.self, forKey: .status)
        dueAt = try c.decode(Date.self, forKey: .dueAt)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        payload = try c.decodeIfPresent(AnyJSON.self, forKey: .payload)?.value
        dateCreated = try c.decode(Date.self, forKey: .dateCreated)
        dispatchedAt = try c.decodeIfPresent(Date.self, forKey: .dispatchedAt)
        cancelledAt = try c.decodeIfPresent(Date.self, forKey: .cancelledAt)
        retry = try c.decodeIfPresent(RetryTarget.self, forKey: .retry)
        step = try c.decodeIfPresent(StepTarget.self, forKey: .step)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(actionId, forKey: .actionId)
        try c.encode(status, forKey: .status)
        try c.encode(dueAt, forKey: .dueAt)
        try c.encode(key, forKey: .key)
        try c.encode(payload.map(AnyJSON.init), forKey: .payload)
        try c.encode(dateCreated, forKey: .dateCreated)
        try c.encode(dispatchedAt, forKey: .dispatchedAt)
        try c.encode(cancelledAt, forKey: .cancelledAt)
        try c.encode(retry, forKey: .retry)
        try c.encodeIfPresent(step, forKey: .step)
    }
}

extension DelayedRun {
    /// The completion of the item before that this run's item reads with `$fromPrevious` (a
    /// sequence's step, or the retry of an item after the first); nil for other runs.
    public var previousCompletion: JSONValue? { retry?.previous ?? step?.previous }
}

/// What a retry tries again: one item of a failed entry, as attempt ``attempt``.
///
/// JSON: `{"retryOf": "<entry id>", "itemIndex": 0, "itemName": "Import", "processType": "App", "attempt": 2}`,
/// with `"previous": {…}` for an item of a sequence after the first.
public struct RetryTarget: Hashable, Sendable, Codable {
    /// The failed entry.
    public var retryOf: ExecutionID
    public var itemIndex: Int
    /// The item's name when it failed: a retry runs the item only if it is still the one at
    /// ``itemIndex`` (items edited or reordered since are not run in its place).
    public var itemName: String?
    public var processType: ProcessType
    /// The attempt this run is: the failed entry's plus one.
    public var attempt: Int
    /// For an item of a sequence after the first: the completion of the item before, which
    /// `$fromPrevious` values read again in every attempt. Nil otherwise.
    public var previous: JSONValue?

    public init(
        retryOf: ExecutionID, itemIndex: Int, itemName: String?, processType: ProcessType, attempt: Int, previous: JSONValue? = nil
    ) {
        self.retryOf = retryOf
        self.itemIndex = itemIndex
        self.itemName = itemName
        self.processType = processType
        self.attempt = attempt
        self.previous = previous
    }

    enum CodingKeys: String, CodingKey { case retryOf, itemIndex, itemName, processType, attempt, previous }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        retryOf = try c.decode(ExecutionID.self, forKey: .retryOf)
        itemIndex = try c.decode(Int.self, forKey: .itemIndex)
        itemName = try c.decodeIfPresent(String.self, forKey: .itemName)
        processType = try c.decode(ProcessType.self, forKey: .processType)
        attempt = try c.decode(Int.self, forKey: .attempt)
        previous = try c.decodeIfPresent(AnyJSON.self, forKey: .previous)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(retryOf, forKey: .retryOf)
        try c.encode(itemIndex, forKey: .itemIndex)
        try c.encodeIfPresent(itemName, forKey: .itemName)
        try c.encode(processType, forKey: .processType)
        try c.encode(attempt, forKey: .attempt)
        try c.encodeIfPresent(previous.map(AnyJSON.init), forKey: .previous)
    }
}

/// The next item of a sequential run: item ``itemIndex``, started because the item before it
/// (entry ``after``) completed successfully. Its history entry belongs to the run the sequence
/// started as: the same event id and trigger (``sourceEventId``, ``triggerType``, ``triggerId``),
/// so its command id and history key are those of item ``itemIndex`` of that run, and firing the
/// step twice records one entry and publishes one command id.
///
/// JSON: `{"after": "<entry id>", "itemIndex": 1, "itemName": "Convert", "sourceEventId": "…",
/// "triggerType": "Message", "triggerId": "…", "previous": {…}}`.
public struct StepTarget: Hashable, Sendable, Codable {
    /// The entry of the item before, closed `Success`.
    public var after: ExecutionID
    public var itemIndex: Int
    /// The item's name when the step was stored: it runs only if it is still the one at ``itemIndex``.
    public var itemName: String?
    /// The run's event id, trigger type and trigger (those of its first item's entry).
    public var sourceEventId: String
    public var triggerType: ExecutionTriggerType
    public var triggerId: ExecutionSourceID?
    /// The body of the event that reported the item before as finished: what `$fromPrevious`
    /// values read. Nil when the completion carried none.
    public var previous: JSONValue?

    public init(
        after: ExecutionID, itemIndex: Int, itemName: String?, sourceEventId: String, triggerType: ExecutionTriggerType,
        triggerId: ExecutionSourceID?, previous: JSONValue?
    ) {
        self.after = after
        self.itemIndex = itemIndex
        self.itemName = itemName
        self.sourceEventId = sourceEventId
        self.triggerType = triggerType
        self.triggerId = triggerId
        self.previous = previous
    }

    enum CodingKeys: String, CodingKey { case after, itemIndex, itemName, sourceEventId, triggerType, triggerId, previous }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        after = try c.decode(ExecutionID.self, forKey: .after)
        itemIndex = try c.decode(Int.self, forKey: .itemIndex)
        itemName = try c.decodeIfPresent(String.self, forKey: .itemName)
        sourceEventId = try c.decode(String.self, forKey: .sourceEventId)
        triggerType = try c.decode(ExecutionTriggerType.self, forKey: .triggerType)
        triggerId = try c.decodeIfPresent(ExecutionSourceID.self, forKey: .triggerId)
        previous = try c.decodeIfPresent(AnyJSON.self, forKey: .previous)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(after, forKey: .after)
        try c.encode(itemIndex, forKey: .itemIndex)
        try c.encodeIfPresent(itemName, forKey: .itemName)
        try c.encode(sourceEventId, forKey: .sourceEventId)
        try c.encode(triggerType, forKey: .triggerType)
        try c.encodeIfPresent(triggerId, forKey: .triggerId)
        try c.encodeIfPresent(previous.map(AnyJSON.init), forKey: .previous)
    }

    /// The run's cause, as the planner needs it for the step's ids.
    public var cause: RunCause { .step(triggerType, triggerId) }
}

public enum DelayedRunStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Waiting for its instant (or being dispatched: then it can no longer be cancelled).
    case scheduled
    /// Its commands were confirmed.
    case dispatched
    case cancelled
}

/// A scheduled run as the scheduler's queue holds it.
public struct DelayedRunDue: Hashable, Sendable {
    public var id: DelayedRunID
    public var actionId: ActionID
    public var tenantId: TenantID
    public var dueAt: Date

    public init(id: DelayedRunID, actionId: ActionID, tenantId: TenantID, dueAt: Date) {
        self.id = id
        self.actionId = actionId
        self.tenantId = tenantId
        self.dueAt = dueAt
    }
}

/// Body of `POST /automated-actions/by-id/{id}/runs`: exactly one of `delaySeconds` (1 to
/// 604800) and `runAt` (an RFC 3339 instant 1 s to 7 days ahead); `payload` a JSON object, the
/// run's event; `key` a name to cancel by.
public struct ScheduleRunRequest: Hashable, Sendable, Codable {
    public var delaySeconds: Double?
    public var runAt: Date?
    public var payload: JSONValue?
    public var key: String?

    public init(delaySeconds: Double? = nil, runAt: Date? = nil, payload: JSONValue? = nil, key: String? = nil) {
        self.delaySeconds = delaySeconds
        self.runAt = runAt
        self.payload = payload
        self.key = key
    }

    enum CodingKeys: String, CodingKey { case delaySeconds, runAt, payload, key }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        delaySeconds = try c.decodeIfPresent(Double.self, forKey: .delaySeconds)
        runAt = try c.decodeIfPresent(Date.self, forKey: .runAt)
        payload = try c.decodeIfPresent(AnyJSON.self, forKey: .payload)?.value
        key = try c.decodeIfPresent(String.self, forKey: .key)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(delaySeconds, forKey: .delaySeconds)
        try c.encodeIfPresent(runAt, forKey: .runAt)
        try c.encodeIfPresent(payload.map(AnyJSON.init), forKey: .payload)
        try c.encodeIfPresent(key, forKey: .key)
    }
}

/// The cancellation a trigger with `cancels` asks for: the action's scheduled runs with `key`.
public struct DelayedRunCancellation: Hashable, Sendable {
    public var actionId: ActionID
    public var tenantId: TenantID
    public var key: String

    public init(actionId: ActionID, tenantId: TenantID, key: String) {
        self.actionId = actionId
        self.tenantId = tenantId
        self.key = key
    }
}
