import Foundation

/// The result of a change that validated user text: the action as stored, and the warnings
/// found on the way (filters that compile but probably do not mean what was written).
public struct ActionChange: Hashable, Sendable, Codable {
    public var action: AutomatedAction
    public var warnings: [ValidationWarning]

    public init(action: AutomatedAction, warnings: [ValidationWarning] = []) {
        self.action = action
        self.warnings = warnings
    }
}

/// What a manual trigger started: one process per action item, in item order.
public struct ManualTriggerResult: Hashable, Sendable, Codable {
    /// The id of the synthetic event all the entries share.
    public var eventId: String
    public var processIds: [ProcessID]
    public var entries: [ExecutionHistoryEntry]
    /// True when an earlier request with the same idempotency key started this run: nothing new
    /// was published.
    public var replayed: Bool

    public init(eventId: String, processIds: [ProcessID], entries: [ExecutionHistoryEntry], replayed: Bool = false) {
        self.eventId = eventId
        self.processIds = processIds
        self.entries = entries
        self.replayed = replayed
    }
}

/// A bulk operation over several actions (seed 001).
public enum BulkOperation: String, Hashable, Sendable, Codable, CaseIterable {
    case pause
    case resume
    case archive
    case delete
}

/// The outcome of a bulk operation for one action: each is applied on its own, so one missing
/// action does not stop the others.
public struct BulkItemResult: Hashable, Sendable, Codable {
    public var actionId: ActionID
    /// True when the operation was applied (or there was nothing to do).
    public var succeeded: Bool
    /// The error code (`notFound`, …) when it failed.
    public var errorCode: String?
    public var errorMessage: String?

    public init(actionId: ActionID, succeeded: Bool, errorCode: String? = nil, errorMessage: String? = nil) {
        self.actionId = actionId
        self.succeeded = succeeded
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// How much history to keep: the last `keepLastPerAction` entries of each action, none older
/// than `maximumAgeDays`. Either bound may be nil (no limit).
public struct RetentionPolicy: Hashable, Sendable, Codable {
    public var keepLastPerAction: Int?
    public var maximumAgeDays: Int?

    public init(keepLastPerAction: Int? = 1000, maximumAgeDays: Int? = 90) {
        self.keepLastPerAction = keepLastPerAction
        self.maximumAgeDays = maximumAgeDays
    }
}

/// Body of `POST /maintenance/history-cleanup` (admin): delete the caller's tenant's history
/// entries started more than `olderThanDays` ago, and/or all but the newest `keepPerAction` of
/// each action. At least one must be given.
public struct HistoryCleanupRequest: Hashable, Sendable, Codable {
    public var olderThanDays: Int?
    public var keepPerAction: Int?

    public init(olderThanDays: Int? = nil, keepPerAction: Int? = nil) {
        self.olderThanDays = olderThanDays
        self.keepPerAction = keepPerAction
    }
}

/// What a history clean-up deleted: `{"deleted", "olderThanDays", "keepPerAction", "startedBefore"}`.
public struct HistoryCleanupResult: Hashable, Sendable, Codable {
    public var deleted: Int
    public var olderThanDays: Int?
    public var keepPerAction: Int?
    /// The age cut-off applied, when `olderThanDays` was given.
    public var startedBefore: Date?

    public init(deleted: Int, olderThanDays: Int?, keepPerAction: Int?, startedBefore: Date?) {
        self.deleted = deleted
        self.olderThanDays = olderThanDays
        self.keepPerAction = keepPerAction
        self.startedBefore = startedBefore
    }

    enum CodingKeys: String, CodingKey { case deleted, olderThanDays, keepPerAction, startedBefore }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(olderThanDays, forKey: .olderThanDays)
        try c.encode(keepPerAction, forKey: .keepPerAction)
        try c.encode(startedBefore, forKey: .startedBefore)
    }
}
