import Automation
import Foundation
import GRDB

/// The ``AutomationStore`` on SQLite, through GRDB: one database file in WAL mode, read by a pool
/// of connections while one writer serialises the transactions.
///
/// It matches ``InMemoryAutomationStore`` call for call (the tests run the same checks against
/// both). Each port method is one transaction; rule outcomes are `AutomationError`s, anything
/// else (I/O, a locked or corrupt file) is a GRDB `DatabaseError` or ``SQLiteStoreError``.
/// Cursors are this store's own: `n:<name>` for actions, `<epoch seconds>:<sequence>` for history.
public final class SQLiteAutomationStore: AutomationStore, ActionEditingStore {
    /// The GRDB connection(s); `DatabasePool` and `DatabaseQueue` are both `Sendable`.
    let writer: any DatabaseWriter
    /// Where the file is, and the retention policy.
    public let configuration: SQLiteStoreConfiguration
    /// Keeps the WAL short off the commit path (file databases only).
    private let checkpointer: WALCheckpointer?

    /// Opens (creating if needed) the database at `configuration.path`, creating its folder, and
    /// migrates it to the current schema.
    public init(configuration: SQLiteStoreConfiguration) throws {
        let url = URL(fileURLWithPath: configuration.path)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SQLiteStoreError.cannotCreateDirectory(folder, reason: "\((error as NSError).localizedDescription)")
        }
        let pool = try DatabasePool(path: configuration.path, configuration: Self.grdbConfiguration(configuration))
        try StoreMigrations.migrator.migrate(pool)
        self.writer = pool
        self.configuration = configuration
        self.checkpointer = try WALCheckpointer(
            path: configuration.path, interval: .milliseconds(500), busyTimeout: configuration.busyTimeout)
    }

    /// Opens the database file at `path` with the default retention.
    public convenience init(path: String) throws {
        try self.init(configuration: SQLiteStoreConfiguration(path: path))
    }

    /// A private database in memory, gone when the store is released: for tests of the layers
    /// above that want SQL behaviour without a file.
    public init(inMemoryWith configuration: SQLiteStoreConfiguration = SQLiteStoreConfiguration(path: ":memory:")) throws {
        let queue = try DatabaseQueue(configuration: Self.grdbConfiguration(configuration))
        try StoreMigrations.migrator.migrate(queue)
        self.writer = queue
        self.configuration = configuration
        self.checkpointer = nil
    }

    /// Closes the connections; any later call fails. Releasing the store closes them too.
    public func close() throws {
        checkpointer?.stop()
        try writer.close()
    }

    private static func grdbConfiguration(_ configuration: SQLiteStoreConfiguration) -> Configuration {
        var grdb = Configuration()
        // On by default in GRDB; stated because cascades (action → children, history) rely on it.
        grdb.foreignKeysEnabled = true
        grdb.busyMode = .timeout(configuration.busyTimeout)
        grdb.prepareDatabase { db in
            // The writer's batches of history touch pages all over three indexes: 64 MiB of cache
            // keeps them from spilling mid-transaction. Readers scan (start-up reads every
            // definition once) or look up a few rows: 4 MiB each, the rest is the OS's page cache,
            // not this process's memory.
            let cacheKiB = db.configuration.readonly ? 4096 : 65536
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
            // WAL + FULL (the default): the WAL is synced at every commit, so a transaction is on
            // disk when it returns — before the run path acks an event, answers a request or marks
            // an occurrence fired (DESIGN "Record"). One fsync per batch: the pipeline commits once
            // per batch, the scheduler once per chunk.
            try db.execute(sql: "PRAGMA synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
            // The store's WALCheckpointer checkpoints off the commit path every 500 ms; the
            // writer's own checkpoint, inside a commit, only if the WAL reaches 64k pages (256 MiB)
            // all the same (a checkpointer that cannot keep up or cannot open the file).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 65536")
        }
        grdb.label = "SQLiteAutomationStore"
        return grdb
    }

    // MARK: Retention

    /// Prunes history by ``configuration``'s policy as of `now`; returns the number deleted.
    @discardableResult
    public func applyRetention(now: Date) async throws -> Int {
        try await pruneHistory(
            keepLastPerAction: configuration.keepLastPerAction, startedBefore: configuration.startedBefore(now: now),
            underWayStartedBefore: now - ExecutionHistoryEntry.underWayRetentionGrace, tenant: nil)
    }

    // MARK: Diagnostics

    /// Proves the database takes writes now, for readiness checks: takes the write lock
    /// (`BEGIN IMMEDIATE`, waiting at most the busy timeout), writes to a scratch table and rolls
    /// back, so nothing durable changes. Throws GRDB's error when the file is read-only, locked
    /// past the busy timeout, failing I/O, or the store is closed. A full disk shows only at
    /// commit, so it is not detected here.
    public func checkWritable() async throws {
        try await writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE signalboxWriteProbe (probe INTEGER)")
                try db.execute(sql: "INSERT INTO signalboxWriteProbe (probe) VALUES (1)")
                return .rollback
            }
        }
    }

    /// The file's journal mode, foreign-key state, migrations, row counts and indexes.
    public func diagnostics() async throws -> SQLiteStoreDiagnostics {
        let writerCache = try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0 }
        return try await writer.read { db in
            let tables = ["tenant", "apiToken", "automatedAction", "cronSchedule", "messageTrigger", "executionHistory", "manualRunKey"]
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            let applied = try StoreMigrations.migrator.appliedMigrations(db)
            return SQLiteStoreDiagnostics(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                foreignKeysEnabled: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                foreignKeyViolations: try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
                appliedMigrations: applied,
                isSchemaCurrent: try StoreMigrations.migrator.hasCompletedMigrations(db),
                rowCounts: counts,
                indexes: Set(
                    try String.fetchAll(
                        db,
                        sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
                    )
                ),
                // Negative cache sizes are in KiB.
                readerCacheKiB: -(try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0),
                writerCacheKiB: -writerCache
            )
        }
    }
}
