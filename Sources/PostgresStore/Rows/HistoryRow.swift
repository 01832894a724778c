import Automation
import Foundation
import PostgresNIO

/// A row of `execution_history`. `sequence` is the insertion order: it breaks ties of
/// `date_started` (newest first) and is the second half of the history cursor.
struct HistoryRow {
    static let table = "execution_history"

    var sequence: Int64
    var entry: ExecutionHistoryEntry

    init(_ row: StoredRow) throws {
        sequence = try row.value("sequence")
        entry = ExecutionHistoryEntry(
            id: try row.id("id"), triggerType: try row.enumeration("trigger_type"), triggerId: try row.optionalID("trigger_id"),
            actionId: try row.id("action_id"), processId: try row.id("process_id"), processType: try row.enumeration("process_type"),
            dateStarted: try row.value("date_started"), dateCompleted: try row.value("date_completed"),
            outcome: try row.enumeration("outcome"), errorMessage: try row.value("error_message"),
            sourceEventId: try row.value("source_event_id"), itemIndex: try row.value("item_index"), attempt: try row.value("attempt"),
            retryOf: try row.optionalID("retry_of"), dateRunning: try row.value("date_running"), result: try row.jsonValue("result"))
    }

    /// Inserts `entries`, in order, in one statement (their rows travel as one JSON parameter):
    /// those whose idempotency key a row holds (stored before, or earlier in `entries`) are
    /// skipped by the schema's unique constraint. Returns the ids of the rows it inserted.
    static func insertUnlessRecorded(_ entries: [ExecutionHistoryEntry]) throws -> PostgresQuery {
        let rows = String(decoding: try keyedEncoder.encode(entries.map(NewRow.init)), as: UTF8.self)
        return """
            INSERT INTO execution_history (
                id, action_id, trigger_type, trigger_id, process_id, process_type, date_started, date_completed, outcome,
                error_message, source_event_id, item_index, attempt, retry_of, date_running, result)
            SELECT id, action_id, trigger_type, trigger_id, process_id, process_type, to_timestamp(date_started),
                to_timestamp(date_completed), outcome, error_message, source_event_id, item_index, attempt, retry_of,
                to_timestamp(date_running), result
            FROM ROWS FROM (json_to_recordset(\(rows)::json) AS (
                id uuid, action_id uuid, trigger_type text, trigger_id uuid, process_id uuid, process_type text, date_started float8,
                date_completed float8, outcome text, error_message text, source_event_id text, item_index integer, attempt integer,
                retry_of uuid, date_running float8, result text)) WITH ORDINALITY AS new (
                id, action_id, trigger_type, trigger_id, process_id, process_type, date_started, date_completed, outcome,
                error_message, source_event_id, item_index, attempt, retry_of, date_running, result, position)
            ORDER BY position
            ON CONFLICT (source_event_id, trigger_id, item_index) DO NOTHING
            RETURNING id
            """
    }

    /// The rows holding `keys`, in one statement.
    static func byKeys(_ keys: [ExecutionKey]) throws -> PostgresQuery {
        let keys = String(decoding: try keyedEncoder.encode(keys.map(KeyRow.init)), as: UTF8.self)
        return """
            SELECT h.* FROM execution_history h
                JOIN json_to_recordset(\(keys)::json) AS k(source_event_id text, trigger_id uuid, item_index integer)
                ON h.source_event_id = k.source_event_id AND h.trigger_id IS NOT DISTINCT FROM k.trigger_id AND h.item_index = k.item_index
            """
    }

    /// snake_case keys, as the columns; nil members left out (NULL in `json_to_recordset`).
    private static let keyedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    /// A row to insert; instants as epoch seconds.
    private struct NewRow: Encodable {
        var id: UUID, actionId: UUID, triggerType: String, triggerId: UUID?, processId: UUID, processType: String
        var dateStarted: Double, dateCompleted: Double?, outcome: String, errorMessage: String?, sourceEventId: String
        var itemIndex: Int, attempt: Int, retryOf: UUID?, dateRunning: Double?, result: String?

        init(_ entry: ExecutionHistoryEntry) {
            id = entry.id.rawValue
            actionId = entry.actionId.rawValue
            triggerType = entry.triggerType.rawValue
            triggerId = entry.triggerId?.rawValue
            processId = entry.processId.rawValue
            processType = entry.processType.rawValue
            dateStarted = entry.dateStarted.timeIntervalSince1970
            dateCompleted = entry.dateCompleted?.timeIntervalSince1970
            outcome = entry.outcome.rawValue
            errorMessage = entry.errorMessage
            sourceEventId = entry.sourceEventId
            itemIndex = entry.itemIndex
            attempt = entry.attempt
            retryOf = entry.retryOf?.rawValue
            dateRunning = entry.dateRunning?.timeIntervalSince1970
            result = entry.result?.jsonText
        }
    }

    private struct KeyRow: Encodable {
        var sourceEventId: String, triggerId: UUID?, itemIndex: Int

        init(_ key: ExecutionKey) {
            sourceEventId = key.sourceEventId
            triggerId = key.triggerId?.rawValue
            itemIndex = key.itemIndex
        }
    }
}

/// The hour bucket of the hourly run counts: whole hours since 1970, as the schema's trigger computes it.
enum RunHour {
    static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 3600).rounded(.down)) }
}
