import Automation
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The ``AutomationStore`` on PostgreSQL, through a postgres-nio pool: the store that several
/// replicas share.
///
/// It matches `SQLiteAutomationStore` and ``InMemoryAutomationStore`` call for call (the same
/// contract tests run against all three). Each port method is one transaction: at READ
/// COMMITTED for writes, a read-only snapshot for reads. What SQLite gets from its single writer,
/// this store gets from the schema and from locks (docs/architecture.md, "The PostgreSQL store"):
/// - uniqueness in the schema (history key, delayed runs, outboxes, manual-run keys), written
///   with `INSERT … ON CONFLICT`, so concurrent writers of one row leave one row;
/// - a check and the write it guards (a limit, a close of a pending entry) under a row lock on the
///   action (`FOR UPDATE` / `FOR NO KEY UPDATE`) or, for a tenant's action count, a transaction
///   advisory lock on the tenant;
/// - one lock order for every transaction, so replicas do not deadlock: the tenant's advisory
///   lock, then actions by id, then the hourly statistics rows by key, then (at commit, from
///   deferred triggers) the definitions version row. A deadlock or serialization failure that
///   slips through all the same is retried (``maximumAttempts``).
///
/// The client's `run()` is the caller's, in a task that outlives the store (`serve` runs it beside
/// the services). Cursors are this store's own: `n:<name>` for actions, ``InstantCursor`` for
/// history and delayed runs.
public final class PostgresAutomationStore: AutomationStore, ActionEditingStore {
    let client: PostgresClient
    let logger: Logger

    /// How often a transaction runs before a deadlock or serialization failure is reported.
    static let maximumAttempts = 5
    /// How long one transaction (waiting for a connection included) may take before the store
    /// reports the server unreachable instead of waiting on (see ``firstAnswer(within:late:_:)``).
    let transactionTimeout: Duration
    /// Transactions run again after a deadlock or serialization failure since the store opened:
    /// zero while every writer keeps the lock order.
    private let retries = Atomic<Int>(0)
    public var retriedTransactions: Int { retries.load(ordering: .relaxed) }

    /// Migrates the database to the schema this binary knows (``PostgresMigrator``, under its
    /// advisory lock), then serves. `client` must be running.
    public init(
        client: PostgresClient, logger: Logger, migrator: PostgresMigrator = PostgresMigrator(), transactionTimeout: Duration = .seconds(60)
    ) async throws(PostgresStoreError) {
        self.client = client
        self.logger = logger
        self.transactionTimeout = transactionTimeout
        _ = try await migrator.migrate(client, logger: logger)
    }

    /// Whether the store can serve now: PostgreSQL answers and its schema is current.
    public func readiness(timeout: Duration = .seconds(2)) async -> PostgresReadiness {
        await PostgresReadiness.probe(client, timeout: timeout, logger: logger)
    }

    // MARK: Transactions

    /// Runs `body` in one transaction, again when PostgreSQL aborted it for a deadlock or a
    /// serialization failure (the work is redone from the start, nothing of the failed attempt
    /// stays). Rule outcomes (`AutomationError`) and store errors come out as thrown; any other
    /// failure as a ``PostgresStoreError``; no answer within ``transactionTimeout`` as an unreachable
    /// server.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await answered { [client, logger] in
                    try await client.withTransaction(logger: logger) { connection in try await body(connection) }
                }
            } catch {
                let failure = Self.unwrap(error)
                if attempt < Self.maximumAttempts, Self.isTransient(failure) {
                    logger.warning(
                        "PostgreSQL transaction retried", metadata: ["attempt": "\(attempt)", "reason": "\(PostgresStoreError.describe(failure).reason)"])
                    attempt += 1
                    retries.add(1, ordering: .relaxed)
                    // A short, growing pause so that the transactions that met do not meet again.
                    try await Task.sleep(for: .milliseconds(5 * attempt * attempt))
                    continue
                }
                throw Self.storeError(failure)
            }
        }
    }

    /// A read in one snapshot (a read-only REPEATABLE READ transaction): an aggregate read in
    /// several statements (an action, then its children) is as one moment left it, as SQLite's
    /// read transactions give. Takes no locks and never fails for a concurrent writer; the same
    /// error mapping and bound as ``transaction(_:)``.
    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await answered { [client, logger] in
                try await client.withConnection { connection in
                    try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            }
        } catch {
            throw Self.storeError(Self.unwrap(error))
        }
    }

    /// `work` (one transaction with the lease of its connection) within ``transactionTimeout``.
    private func answered<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let timeout = transactionTimeout
        return try await firstAnswer(within: timeout, late: { PostgresStoreError.unanswered(within: timeout) }, work)
    }

    /// The error the transaction's closure (or its BEGIN, COMMIT) threw.
    private static func unwrap(_ error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? error
    }

    /// SQLSTATE 40001 (serialization failure) and 40P01 (deadlock detected): the server rolled the
    /// transaction back, and running it again may succeed.
    static func isTransient(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// Rule outcomes pass; a unique violation that a check in the transaction should have caught
    /// becomes the conflict it is; everything else a ``PostgresStoreError``.
    private static func storeError(_ error: any Error) -> any Error {
        if error is AutomationError || error is PostgresStoreError || error is CancellationError { return error }
        if let psql = error as? PSQLError, let info = psql.serverInfo, info[.sqlState] == "23505" {
            return AutomationError.conflict(conflictMessage(constraint: info[.constraintName]), field: conflictField(constraint: info[.constraintName]))
        }
        return PostgresStoreError.queryFailed(error)
    }

    private static func conflictMessage(constraint: String?) -> String {
        switch constraint {
        case "automated_action_name": "an action of that name already exists in the namespace"
        case "automated_action_pkey": "the action already exists"
        case "tenant_pkey": "the tenant already exists"
        case "api_token_pkey", "api_token_secret_hash": "token already exists"
        default: "a schedule, trigger or webhook id is used twice"
        }
    }

    private static func conflictField(constraint: String?) -> String? {
        switch constraint {
        case "automated_action_name": "name"
        case "automated_action_pkey": "id"
        case "tenant_pkey": "tenantId"
        default: nil
        }
    }

    // MARK: Locks

    /// Locks the actions among `ids` that exist, in id order (the store's lock order), for a
    /// transaction that updates their rows; returns each one's tenant. `FOR NO KEY UPDATE` lets
    /// inserts of rows that reference them (history, delayed runs) go on.
    static func lockActions(_ ids: some Collection<ActionID>, on connection: PostgresConnection, logger: Logger) async throws -> [ActionID: TenantID] {
        guard !ids.isEmpty else { return [:] }
        // Rows are locked as the sorted scan returns them: in id order.
        let rows = try await connection.query(
            "SELECT id, tenant_id FROM automated_action WHERE id = ANY(\(Array(Set(ids.map(\.rawValue))))) ORDER BY id FOR NO KEY UPDATE",
            logger: logger)
        var tenants: [ActionID: TenantID] = [:]
        for try await (id, tenant) in rows.decode((UUID, String).self) { tenants[ActionID(rawValue: id)] = TenantID(rawValue: tenant) }
        return tenants
    }

    /// Serialises the transactions that count a tenant's actions against its limit (taken first).
    static func lockTenant(_ tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("signalbox tenant " + tenant.rawValue), 0))", logger: logger)
    }
}
