import Automation
import GRDB

/// A row of `executionHistory`. `sequence` is the insertion order: it breaks ties of
/// `dateStarted` (newest first) and is the second half of the history cursor.
struct HistoryRecord: FetchableRecord, Hashable {
    static let databaseTableName = "executionHistory"

    /// The columns written on insert, in the order of ``insertArguments``.
    static let insertColumns = [
        "id", "actionId", "triggerType", "triggerId", "processId", "processType", "dateStarted",
        "dateCompleted", "outcome", "errorMessage", "sourceEventId", "itemIndex", "processHash", "attempt", "retryOf", "dateRunning", "result",
    ]

    var sequence: Int64
    var entry: ExecutionHistoryEntry

    init(row: Row) throws {
        let table = Self.databaseTableName
        sequence = try row.decode(forColumn: "sequence")
        entry = ExecutionHistoryEntry(
            id: try row.identifier(ExecutionID.self, "id", table: table),
            triggerType: try row.enumeration(ExecutionTriggerType.self, "triggerType", table: table),
            triggerId: try row.optionalIdentifier(ExecutionSourceID.self, "triggerId", table: table),
            actionId: try row.identifier(ActionID.self, "actionId", table: table),
            processId: try row.identifier(ProcessID.self, "processId", table: table),
            processType: try row.enumeration(ProcessType.self, "processType", table: table),
            dateStarted: try row.date("dateStarted"),
            dateCompleted: try row.optionalDate("dateCompleted"),
            outcome: try row.enumeration(ExecutionOutcome.self, "outcome", table: table),
            errorMessage: try row.decode(forColumn: "errorMessage"),
            sourceEventId: try row.decode(forColumn: "sourceEventId"),
            itemIndex: try row.decode(forColumn: "itemIndex"),
            attempt: try row.decode(forColumn: "attempt"),
            retryOf: try row.optionalIdentifier(ExecutionID.self, "retryOf", table: table),
            dateRunning: try row.optionalDate("dateRunning"),
            result: try row.optionalJSONValue("result", table: table)
        )
    }

    /// The values of ``insertColumns`` for `entry`. `keyHash` (v4) keeps its default: since v16
    /// the unique index on the key itself does the lookups, and nothing reads the hash.
    static func insertArguments(_ entry: ExecutionHistoryEntry) -> StatementArguments {
        let processId = entry.processId.description
        return [
            entry.id.description, entry.actionId.description, entry.triggerType.rawValue,
            entry.triggerId?.description, processId, entry.processType.rawValue,
            StoredDate.value(entry.dateStarted), StoredDate.value(entry.dateCompleted),
            entry.outcome.rawValue, entry.errorMessage, entry.sourceEventId, entry.itemIndex,
            LookupHash.process(processId), entry.attempt, entry.retryOf?.description,
            StoredDate.value(entry.dateRunning), entry.result?.jsonText,
        ]
    }
}
