import PostgresNIO

/// A failure of the PostgreSQL store itself (configuration, connection, schema), as opposed to a
/// rule outcome (those are `AutomationError`s).
///
/// The description names what is wrong and where (`database.url`, a migration's version), never a
/// password: a URL appears only redacted (``PostgresStoreConfiguration/redacted(_:)``), and a
/// server error only as its SQLSTATE and message, which PostgreSQL writes without parameter values.
public struct PostgresStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case invalidURL
        case unsupportedServer
        case schemaTooNew
        case migrationFailed
        case lockTimeout
        case unreachable
        case queryFailed
        case corruptValue
    }

    private let code: Code
    /// Where: the configuration key, or the migration (`migration 1, statement 3`).
    public let location: String
    /// Why, for people.
    public let reason: String
    /// The server's SQLSTATE when PostgreSQL refused a statement (`23505`, `42P07`…).
    public let sqlState: String?

    private init(_ code: Code, location: String, reason: String, sqlState: String? = nil) {
        self.code = code
        self.location = location
        self.reason = reason
        self.sqlState = sqlState
    }

    /// `database.url` (or whichever `key` it came from) is not a URL the store can use.
    static func invalidURL(key: String, _ reason: String, in redactedURL: String) -> PostgresStoreError {
        PostgresStoreError(.invalidURL, location: key, reason: "\(reason) in \(redactedURL)")
    }

    /// The server is older than the schema needs (`UNIQUE NULLS NOT DISTINCT` is PostgreSQL 15).
    static func unsupportedServer(version: String) -> PostgresStoreError {
        PostgresStoreError(
            .unsupportedServer, location: "server",
            reason: "PostgreSQL \(PostgresMigrator.minimumServerVersion / 10_000) or later is required, the server is \(version)")
    }

    /// The database was migrated by a newer Signalbox: this binary does not know its schema.
    static func schemaTooNew(database: Int, known: Int) -> PostgresStoreError {
        PostgresStoreError(
            .schemaTooNew, location: "schema_migrations",
            reason: "the database is at schema version \(database), this binary knows versions up to \(known); "
                + "run a Signalbox at least as new as the one that migrated it")
    }

    /// A statement of a migration (or of the runner around it) failed; the transaction rolled back.
    static func migrationFailed(_ location: String, _ error: any Error) -> PostgresStoreError {
        let (reason, state) = describe(error)
        return PostgresStoreError(.migrationFailed, location: location, reason: reason, sqlState: state)
    }

    /// Another process held the migration lock longer than the runner waits.
    static func lockTimeout(seconds: Int64) -> PostgresStoreError {
        PostgresStoreError(
            .lockTimeout, location: "schema_migrations",
            reason: "another process held the migration lock for more than \(seconds) s")
    }

    /// No connection could be had, or the server closed it.
    static func unreachable(_ error: any Error) -> PostgresStoreError {
        let (reason, state) = describe(error)
        return PostgresStoreError(.unreachable, location: "server", reason: reason, sqlState: state)
    }

    /// A transaction (or the wait for its connection) did not end within the store's bound: the
    /// server or the connection stopped answering.
    static func unanswered(within timeout: Duration) -> PostgresStoreError {
        PostgresStoreError(.unreachable, location: "server", reason: "no answer within \(timeout.components.seconds) s")
    }

    /// A statement of the store failed for a reason that is not a rule outcome (the connection
    /// dropped, a constraint the store does not expect).
    static func queryFailed(_ error: any Error) -> PostgresStoreError {
        let (reason, state) = describe(error)
        return PostgresStoreError(.queryFailed, location: "server", reason: reason, sqlState: state)
    }

    /// A stored value that does not decode (an unknown enum case, bad JSON): the database was
    /// written around the store.
    static func corruptValue(table: String, column: String, reason: String) -> PostgresStoreError {
        PostgresStoreError(.corruptValue, location: "\(table).\(column)", reason: reason)
    }

    /// The lower layer's error as words safe to log, and its SQLSTATE. `PSQLError`'s own
    /// description hides everything on purpose; its server fields are what is useful here.
    static func describe(_ error: any Error) -> (reason: String, sqlState: String?) {
        if let error = error as? PostgresStoreError { return (error.reason, error.sqlState) }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError {
                return describe(inner)
            }
        }
        guard let psql = error as? PSQLError else { return ("\(error)", nil) }
        if let info = psql.serverInfo {
            let state = info[.sqlState]
            let message = info[.message] ?? "server error"
            return ("\(message) (SQLSTATE \(state ?? "?"))", state)
        }
        if let underlying = psql.underlying { return ("\(psql.code): \(underlying)", nil) }
        return ("\(psql.code)", nil)
    }

    /// The database is at a version this binary does not know (refuse to start).
    public var isSchemaTooNew: Bool { code == .schemaTooNew }
    /// The configuration is wrong (fix it; retrying does not help).
    public var isInvalidConfiguration: Bool { code == .invalidURL }
    /// The server could not be reached (retrying later may help).
    public var isUnreachable: Bool { code == .unreachable }
    /// A stored value is unreadable (as opposed to an I/O problem).
    public var isCorruptValue: Bool { code == .corruptValue }

    public var description: String {
        switch code {
        case .invalidURL, .unsupportedServer, .schemaTooNew, .lockTimeout: "\(location): \(reason)"
        case .migrationFailed: "migration failed at \(location): \(reason)"
        case .unreachable: "PostgreSQL unreachable: \(reason)"
        case .queryFailed: "PostgreSQL statement failed: \(reason)"
        case .corruptValue: "corrupt value in \(location): \(reason)"
        }
    }
}
