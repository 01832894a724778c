import Automation
import GRDB

/// What the web console reads in one go: the run summaries of a page of actions.
extension SQLiteAutomationStore {
    /// Two statements per action, both answered from `executionHistory_action` (actionId,
    /// dateStarted DESC, sequence DESC, outcome, …) alone: the outcome counts (a range scan of
    /// the action's retained entries, which retention bounds) and the newest entry (one probe).
    /// All in one read transaction, so a page of 100 actions costs one round trip to the store.
    public func runSummaries(actionIds: [ActionID]) async throws -> [ActionRunSummary] {
        guard !actionIds.isEmpty else { return [] }
        return try await writer.read { db in
            let counts = try db.cachedStatement(sql: """
                SELECT ifnull(SUM(outcome = 'Success'), 0), ifnull(SUM(outcome = 'Failed'), 0)
                FROM executionHistory WHERE actionId = ?
                """)
            let newest = try db.cachedStatement(sql: """
                SELECT * FROM executionHistory WHERE actionId = ? ORDER BY dateStarted DESC, sequence DESC LIMIT 1
                """)
            return try actionIds.map { id in
                let arguments: StatementArguments = [id.description]
                let row = try Row.fetchOne(counts, arguments: arguments)
                return ActionRunSummary(
                    actionId: id, successes: row?[0] ?? 0, failures: row?[1] ?? 0,
                    last: try HistoryRecord.fetchOne(newest, arguments: arguments)?.entry)
            }
        }
    }
}
