@testable import PostgresStore
import Testing

/// What the runner decides from the applied versions: no server.
@Suite("Migration plan")
struct MigrationPlanTests {
    static let known = (1...3).map { PostgresMigration(version: $0, name: "m\($0)", statements: ["SELECT \($0)"]) }

    @Test func anEmptyDatabaseGetsEveryMigrationInOrder() {
        #expect(MigrationPlan.decide(applied: [], known: Self.known) == .apply(Self.known))
    }

    @Test func aDatabaseBehindGetsOnlyWhatItLacks() {
        #expect(MigrationPlan.decide(applied: [1], known: Self.known) == .apply(Array(Self.known[1...])))
    }

    @Test func aCurrentDatabaseIsLeftAlone() {
        #expect(MigrationPlan.decide(applied: [1, 2, 3], known: Self.known) == .upToDate(version: 3))
    }

    @Test func aNewerDatabaseIsRefused() {
        #expect(MigrationPlan.decide(applied: [1, 2, 3, 4], known: Self.known) == .refuse(databaseVersion: 4, knownVersion: 3))
    }

    @Test func theShippedMigrationsAreNumberedFromOne() {
        #expect(PostgresSchema.migrations.map(\.version) == Array(1...PostgresSchema.migrations.count))
        #expect(PostgresMigrator().knownVersion == PostgresSchema.migrations.count)
    }
}
