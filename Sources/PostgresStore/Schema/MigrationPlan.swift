/// What the runner does with a database, decided from the versions it has applied and the
/// migrations this binary knows: plain values, tested without a server.
enum MigrationPlan: Equatable, Sendable {
    /// Every known migration is applied.
    case upToDate(version: Int)
    /// These, in order, are missing.
    case apply([PostgresMigration])
    /// The database has a version this binary does not know: a newer Signalbox migrated it, and
    /// running on would read and write a schema this code was not written for.
    case refuse(databaseVersion: Int, knownVersion: Int)

    /// - Parameters:
    ///   - applied: the versions in `schema_migrations`.
    ///   - known: the migrations of this binary, in version order.
    static func decide(applied: Set<Int>, known: [PostgresMigration]) -> MigrationPlan {
        let knownVersion = known.last?.version ?? 0
        if let newest = applied.max(), newest > knownVersion {
            return .refuse(databaseVersion: newest, knownVersion: knownVersion)
        }
        let missing = known.filter { !applied.contains($0.version) }
        return missing.isEmpty ? .upToDate(version: knownVersion) : .apply(missing)
    }
}
