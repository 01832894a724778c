/// The in-memory store's history table: rows in insertion order and a unique index on their
/// idempotency key, as SQLite's `executionHistory_idempotency` (migration v16).
///
/// Why a type of its own: exactly-once history is a property of the table, not of the code that
/// inserts into it. ``insert(_:)`` is `INSERT … ON CONFLICT DO NOTHING`, and no mutation can
/// leave two rows with one key, whichever path of the store writes.
struct InMemoryHistoryTable: RandomAccessCollection {
    typealias Row = (sequence: Int, entry: ExecutionHistoryEntry)

    private var rows: [Row] = []
    /// The unique index: the sequence of the row holding each key.
    private var sequenceByKey: [ExecutionKey: Int] = [:]
    private var nextSequence = 0

    var startIndex: Int { rows.startIndex }
    var endIndex: Int { rows.endIndex }
    subscript(position: Int) -> Row { rows[position] }

    /// Inserts `entry` unless a row holds its key; returns the row as stored, and whether it was
    /// this call that inserted it.
    mutating func insert(_ entry: ExecutionHistoryEntry) -> (stored: ExecutionHistoryEntry, inserted: Bool) {
        if let existing = self[key: entry.idempotencyKey] { return (existing, false) }
        sequenceByKey[entry.idempotencyKey] = nextSequence
        rows.append((nextSequence, entry))
        nextSequence += 1
        return (entry, true)
    }

    /// The row holding `key`.
    subscript(key key: ExecutionKey) -> ExecutionHistoryEntry? {
        // Rows are in sequence order, so the index's sequence is found by binary search.
        guard let sequence = sequenceByKey[key] else { return nil }
        var low = 0, high = rows.count
        while low < high {
            let middle = (low + high) / 2
            if rows[middle].sequence < sequence { low = middle + 1 } else { high = middle }
        }
        return rows[low].entry
    }

    /// Changes the row at `position` in place; its key (event, trigger, item) must stay.
    mutating func update(at position: Int, _ change: (inout ExecutionHistoryEntry) -> Void) {
        let key = rows[position].entry.idempotencyKey
        change(&rows[position].entry)
        precondition(rows[position].entry.idempotencyKey == key, "a history row's idempotency key never changes")
    }

    mutating func removeAll(where shouldBeRemoved: (Row) throws -> Bool) rethrows {
        try rows.removeAll(where: shouldBeRemoved)
        sequenceByKey = Dictionary(uniqueKeysWithValues: rows.map { ($0.entry.idempotencyKey, $0.sequence) })
    }
}
