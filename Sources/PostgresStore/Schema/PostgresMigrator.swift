import Logging
import PostgresNIO

/// Brings a database to the schema this binary knows, at start, before the store is used.
///
/// Everything happens in one transaction that first takes `pg_advisory_xact_lock(lockKey)`:
/// replicas starting together queue on the lock, the first applies what is missing and commits,
/// the others then find nothing to do. A failure rolls the whole run back (PostgreSQL's DDL is
/// transactional), so a database is never left half-migrated. A database at a version newer than
/// the newest known here is refused (``PostgresStoreError/isSchemaTooNew``): an older replica
/// must not run against a schema it was not written for.
public struct PostgresMigrator: Sendable {
    /// The advisory lock every Signalbox migrator takes: the bytes of "Signalbx". Advisory locks
    /// are per database, so databases on one server do not wait for each other.
    public static let lockKey: Int64 = 0x5369_676E_616C_6278
    /// `UNIQUE NULLS NOT DISTINCT` (the history's idempotency key) is PostgreSQL 15.
    static let minimumServerVersion = 150_000

    /// What a run found and did.
    public struct Outcome: Hashable, Sendable {
        /// The schema version before the run (0: an empty database).
        public var previousVersion: Int
        /// The versions this run applied, in order; empty when the database was current.
        public var applied: [Int]
        /// The schema version after the run.
        public var version: Int
    }

    public let migrations: [PostgresMigration]
    /// How long to wait for another process's migration (lock_timeout of the run).
    public var lockTimeout: Duration

    public init(migrations: [PostgresMigration] = PostgresSchema.migrations, lockTimeout: Duration = .seconds(120)) {
        precondition(zip(migrations, 1...).allSatisfy { $0.version == $1 }, "migrations are numbered 1, 2, 3… in order")
        self.migrations = migrations
        self.lockTimeout = lockTimeout
    }

    /// The newest version this binary knows.
    public var knownVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the missing migrations; a no-op on a current database.
    public func migrate(_ client: PostgresClient, logger: Logger) async throws(PostgresStoreError) -> Outcome {
        let outcome: Outcome
        do {
            outcome = try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in
                    try await self.run(on: connection, logger: logger)
                }
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? PostgresStoreError { throw inner }
            if let inner = error.closureError as? PSQLError, inner.serverInfo?[.sqlState] == Self.lockNotAvailable {
                throw .lockTimeout(seconds: lockTimeout.components.seconds)
            }
            // BEGIN failing means no connection worked; COMMIT failing means the run did not land.
            if error.beginError != nil { throw .unreachable(error) }
            throw .migrationFailed("the migration transaction", error)
        } catch {
            throw .unreachable(error)
        }
        if !outcome.applied.isEmpty {
            logger.info(
                "PostgreSQL schema migrated",
                metadata: ["from": "\(outcome.previousVersion)", "to": "\(outcome.version)", "applied": "\(outcome.applied)"])
        }
        return outcome
    }

    /// SQLSTATE lock_not_available: lock_timeout expired.
    private static let lockNotAvailable = "55P03"

    private func run(on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let milliseconds = lockTimeout.components.seconds * 1000 + lockTimeout.components.attoseconds / 1_000_000_000_000_000
        try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)"), logger: logger)
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)

        let serverVersion = try await Self.serverVersion(connection, logger: logger)
        guard serverVersion.number >= Self.minimumServerVersion else { throw PostgresStoreError.unsupportedServer(version: serverVersion.text) }

        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var applied = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            applied.insert(version)
        }
        let previous = applied.max() ?? 0

        switch MigrationPlan.decide(applied: applied, known: migrations) {
        case .refuse(let database, let known):
            throw PostgresStoreError.schemaTooNew(database: database, known: known)
        case .upToDate(let version):
            return Outcome(previousVersion: previous, applied: [], version: version)
        case .apply(let missing):
            for migration in missing {
                for (index, statement) in migration.statements.enumerated() {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch {
                        throw PostgresStoreError.migrationFailed(
                            "migration \(migration.version) (\(migration.name)), statement \(index + 1)", error)
                    }
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
            return Outcome(previousVersion: previous, applied: missing.map(\.version), version: knownVersion)
        }
    }

    /// `server_version_num` (150004) and `server_version` ("15.4 (Debian…)").
    static func serverVersion(_ connection: PostgresConnection, logger: Logger) async throws -> (number: Int, text: String) {
        let rows = try await connection.query(
            "SELECT current_setting('server_version_num')::integer, current_setting('server_version')", logger: logger)
        for try await (number, text) in rows.decode((Int, String).self) { return (number, text) }
        return (0, "unknown")
    }
}
