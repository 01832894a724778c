import Foundation

/// How every timestamp is stored: a REAL column of seconds since 1970-01-01T00:00:00Z.
///
/// Chosen over ISO-8601 text (GRDB's default) because history is ordered, paged and pruned by
/// `dateStarted`: numbers compare and index cheaply, and ordering never depends on text
/// formatting. Domain timestamps are whole seconds, which a Double holds exactly; read the
/// columns in the `sqlite3` shell with `datetime(dateStarted, 'unixepoch')`.
enum StoredDate {
    static func value(_ date: Date) -> Double { date.timeIntervalSince1970 }
    static func value(_ date: Date?) -> Double? { date.map(value) }
    static func date(_ value: Double) -> Date { Date(timeIntervalSince1970: value) }
}
