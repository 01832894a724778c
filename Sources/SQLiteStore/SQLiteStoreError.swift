/// A failure of the SQLite store itself, as opposed to a rule outcome (those are
/// `AutomationError`s). The service reports these as `unavailable`.
///
/// The description names the table and column, never the stored value, so it is safe to log.
public struct SQLiteStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case corruptValue
        case cannotCreateDirectory
    }

    private let code: Code
    /// Where: `table.column` for a corrupt value, the folder for a directory failure.
    public let location: String
    /// Why, for people.
    public let reason: String

    private init(_ code: Code, location: String, reason: String) {
        self.code = code
        self.location = location
        self.reason = reason
    }

    /// A stored value that does not decode (a malformed UUID, an unknown enum case, bad JSON):
    /// the file was written around the store.
    static func corruptValue(table: String, column: String, reason: String) -> SQLiteStoreError {
        SQLiteStoreError(.corruptValue, location: "\(table).\(column)", reason: reason)
    }

    /// The folder that should hold the database file could not be created.
    static func cannotCreateDirectory(_ path: String, reason: String) -> SQLiteStoreError {
        SQLiteStoreError(.cannotCreateDirectory, location: path, reason: reason)
    }

    /// Whether the value in the file is unreadable (as opposed to an I/O problem).
    public var isCorruptValue: Bool { code == .corruptValue }

    public var description: String {
        switch code {
        case .corruptValue: "corrupt value in \(location): \(reason)"
        case .cannotCreateDirectory: "cannot create directory \(location): \(reason)"
        }
    }
}
