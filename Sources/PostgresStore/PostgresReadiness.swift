import Logging
import PostgresNIO

/// Whether the store can serve: PostgreSQL answers, and its schema is the one this binary knows.
/// What `/health/ready` shows for the store.
public struct PostgresReadiness: Hashable, Sendable, CustomStringConvertible {
    public enum Status: String, Hashable, Sendable {
        /// Reachable, schema current.
        case ready
        /// No answer within the probe's time, or the connection failed.
        case unreachable
        /// Reachable, but migrations this binary knows are not applied (start-up migrates).
        case migrationsPending
        /// Reachable, but a newer Signalbox migrated it: this binary must not serve.
        case schemaTooNew
    }

    public var status: Status
    /// The newest applied migration (0: none); nil when unreachable.
    public var schemaVersion: Int?
    /// The newest migration this binary knows.
    public var expectedVersion: Int
    /// Why it is not ready, safe to show (no password, no data).
    public var detail: String?

    public var isReady: Bool { status == .ready }

    public var description: String {
        var text = "PostgreSQL \(status.rawValue)"
        if let schemaVersion { text += ", schema \(schemaVersion) of \(expectedVersion)" }
        if let detail { text += ": \(detail)" }
        return text
    }

    /// Asks the server for the applied schema version, within `timeout`. Never throws: every
    /// failure is a status.
    public static func probe(
        _ client: PostgresClient, expectedVersion: Int = PostgresMigrator().knownVersion, timeout: Duration = .seconds(2),
        logger: Logger
    ) async -> PostgresReadiness {
        let version: Int
        do {
            version = try await withDeadline(timeout) {
                try await client.withConnection { connection in try await schemaVersion(connection, logger: logger) }
            }
        } catch is ProbeTimeout {
            return PostgresReadiness(
                status: .unreachable, schemaVersion: nil, expectedVersion: expectedVersion,
                detail: "no answer within \(timeout.components.seconds) s")
        } catch {
            return PostgresReadiness(
                status: .unreachable, schemaVersion: nil, expectedVersion: expectedVersion,
                detail: PostgresStoreError.describe(error).reason)
        }
        let status: Status = version == expectedVersion ? .ready : version < expectedVersion ? .migrationsPending : .schemaTooNew
        let detail: String? =
            switch status {
            case .ready, .unreachable: nil
            case .migrationsPending: "migrations \(version + 1) to \(expectedVersion) are not applied"
            case .schemaTooNew: "a newer Signalbox migrated the database to version \(version)"
            }
        return PostgresReadiness(status: status, schemaVersion: version, expectedVersion: expectedVersion, detail: detail)
    }

    /// The newest version in `schema_migrations`, 0 when the table does not exist yet.
    static func schemaVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    private struct ProbeTimeout: Error {}

    /// `operation`'s result, or ``ProbeTimeout`` after `timeout` (the operation is cancelled: a
    /// pool waiting for a connection to a dead server gives up its request).
    private static func withDeadline<Value: Sendable>(
        _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ProbeTimeout()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw ProbeTimeout() }
            return first
        }
    }
}
