/// What the database file looks like from inside: for health checks, `signalbox` diagnostics and
/// the store's own tests.
public struct SQLiteStoreDiagnostics: Hashable, Sendable {
    /// `wal` for a file database.
    public var journalMode: String
    /// `PRAGMA synchronous` of the connection that answered: 2 (FULL) syncs the WAL at every commit.
    public var synchronous: Int
    /// Whether `PRAGMA foreign_keys` is on for the connection that answered.
    public var foreignKeysEnabled: Bool
    /// Rows that `PRAGMA foreign_key_check` reports as dangling; 0 in a healthy file.
    public var foreignKeyViolations: Int
    /// The identifiers of the applied migrations, in order.
    public var appliedMigrations: [String]
    /// Whether every migration this build knows is applied.
    public var isSchemaCurrent: Bool
    /// Row count per table of the schema.
    public var rowCounts: [String: Int]
    /// The names of the schema's indexes (SQLite's automatic ones excluded).
    public var indexes: Set<String>
    /// Page cache of a reading connection and of the writing one, in KiB.
    public var readerCacheKiB: Int
    public var writerCacheKiB: Int
}
