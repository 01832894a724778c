import Foundation

/// What an action's retained history says at a glance, for the console's actions list: counted
/// by the store in one query over a page of actions, never entry by entry over HTTP.
public struct ActionRunSummary: Hashable, Sendable, Codable {
    public var actionId: ActionID
    /// Retained entries that ended `Success`.
    public var successes: Int
    /// Retained entries that ended `Failed`.
    public var failures: Int
    /// The newest entry (by `dateStarted`), if any.
    public var last: ExecutionHistoryEntry?

    public init(actionId: ActionID, successes: Int = 0, failures: Int = 0, last: ExecutionHistoryEntry? = nil) {
        self.actionId = actionId
        self.successes = successes
        self.failures = failures
        self.last = last
    }

    /// Successes over finished runs (success or failed), nil before any finished.
    public var successRate: Double? {
        let finished = successes + failures
        return finished == 0 ? nil : Double(successes) / Double(finished)
    }
}

/// An action with its ``ActionRunSummary``: one row of the console's actions list.
public struct ActionSummary: Hashable, Sendable, Codable {
    public var action: AutomatedAction
    public var runs: ActionRunSummary

    public init(action: AutomatedAction, runs: ActionRunSummary) {
        self.action = action
        self.runs = runs
    }
}
