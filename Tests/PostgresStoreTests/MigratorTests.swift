import Logging
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Testing

/// The migration runner against the real server of `scripts/test.sh`, a database per test.
@Suite("PostgreSQL migrations", .enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct MigratorTests {
    /// A first connection under the whole suite's load took over the production default (2 s):
    /// these tests are about the schema, not the probe's speed.
    static let probeTimeout = Duration.seconds(30)

    let logger = TestDatabase.logger
    let known = PostgresMigrator().knownVersion

    /// The tables of version 1: the SQLite store's, translated, and the runner's own.
    static let tables = [
        "action_signing_credentials", "api_token", "automated_action", "cron_schedule", "definitions_version",
        "delayed_run", "execution_history", "failures_by_hour", "http_outbox", "manual_run_key", "message_trigger",
        "notification_outbox", "run_event", "runs_by_hour", "schema_migrations", "tenant", "webhook_credentials",
        "webhook_trigger",
    ]

    @Test func anEmptyDatabaseIsMigratedAndASecondRunIsANoOp() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                let before = await PostgresReadiness.probe(client, timeout: Self.probeTimeout, logger: logger)
                #expect(before.status == .migrationsPending)
                #expect(before.schemaVersion == 0)

                let first = try await PostgresMigrator().migrate(client, logger: logger)
                #expect(first.previousVersion == 0)
                #expect(first.applied == Array(1...known))
                #expect(first.version == known)
                #expect(try await tableNames(client) == Self.tables)

                let second = try await PostgresMigrator().migrate(client, logger: logger)
                #expect(second.previousVersion == known)
                #expect(second.applied.isEmpty)
                #expect(second.version == known)
                #expect(try await TestDatabase.integers("SELECT version FROM schema_migrations ORDER BY version", on: client) == Array(1...known))

                let after = await PostgresReadiness.probe(client, timeout: Self.probeTimeout, logger: logger)
                #expect(after.isReady, "\(after)")
                #expect(after.schemaVersion == known)
            }
        }
    }

    @Test func eightMigratorsStartingTogetherApplyTheSchemaOnce() async throws {
        let contenders = 8
        try await TestDatabase.withDatabase { configuration in
            let barrier = Barrier(count: contenders)
            let outcomes = try await withThrowingTaskGroup(of: PostgresMigrator.Outcome.self) { group in
                for _ in 0..<contenders {
                    group.addTask {
                        // Each its own pool, as separate replicas; connected before the start.
                        try await TestDatabase.withClient(configuration) { client in
                            _ = try await TestDatabase.integer("SELECT 1", on: client)
                            await barrier.arrive()
                            return try await PostgresMigrator().migrate(client, logger: TestDatabase.logger)
                        }
                    }
                }
                var outcomes: [PostgresMigrator.Outcome] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.count == contenders)
            #expect(outcomes.filter { !$0.applied.isEmpty }.count == 1, "\(outcomes)")
            #expect(outcomes.allSatisfy { $0.version == known })
            try await TestDatabase.withClient(configuration) { client in
                let rows = try await TestDatabase.integer("SELECT count(*) FROM schema_migrations", on: client)
                #expect(rows == known)
                #expect(try await tableNames(client) == Self.tables)
            }
        }
    }

    @Test func aDatabaseAtANewerVersionIsRefused() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                _ = try await PostgresMigrator().migrate(client, logger: logger)
                let newer = known + 1
                try await client.query("INSERT INTO schema_migrations (version, name) VALUES (\(newer), 'from a newer Signalbox')", logger: logger)

                do throws(PostgresStoreError) {
                    let outcome = try await PostgresMigrator().migrate(client, logger: logger)
                    Issue.record("migrated a newer database: \(outcome)")
                } catch {
                    #expect(error.isSchemaTooNew)
                    #expect(
                        error.description
                            == "schema_migrations: the database is at schema version \(newer), this binary knows versions up to \(known); "
                            + "run a Signalbox at least as new as the one that migrated it")
                }
                // Refused without touching it.
                #expect(try await TestDatabase.integers("SELECT version FROM schema_migrations ORDER BY version", on: client) == Array(1...newer))
                let readiness = await PostgresReadiness.probe(client, timeout: Self.probeTimeout, logger: logger)
                #expect(readiness.status == .schemaTooNew)
                #expect(readiness.schemaVersion == newer)
            }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let broken = [
            PostgresSchema.v1,
            PostgresMigration(version: 2, name: "broken", statements: ["CREATE TABLE half_done (id integer)", "SELECT * FROM no_such_table"]),
        ]
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                do throws(PostgresStoreError) {
                    _ = try await PostgresMigrator(migrations: broken).migrate(client, logger: logger)
                    Issue.record("a broken migration went through")
                } catch {
                    #expect(error.description.hasPrefix("migration failed at migration 2 (broken), statement 2: "), "\(error)")
                    #expect(error.sqlState == "42P01")
                }
                // The whole run rolled back: not even version 1 or the runner's own table is there.
                let tables = try await tableNames(client)
                #expect(tables.isEmpty, "\(tables)")
            }
        }
    }

    /// The tables in the public schema, sorted.
    func tableNames(_ client: PostgresClient) async throws -> [String] {
        var names: [String] = []
        let rows = try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", logger: logger)
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }
}

/// Readiness when there is no server: no test database needed.
@Suite("PostgreSQL readiness without a server")
struct UnreachableReadinessTests {
    /// A hang guard, not a timing: the probe gives up after its own 2 s, however slow the machine.
    @Test(.timeLimit(.minutes(1))) func aServerThatDoesNotAnswerIsUnreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let configuration = PostgresStoreConfiguration(
            host: "127.0.0.1", port: 1, username: "nobody", password: "s3cret", database: "none", tls: .disable)
        let readiness = try await TestDatabase.withClient(configuration) { client in
            await PostgresReadiness.probe(client, timeout: .seconds(2), logger: TestDatabase.logger)
        }
        #expect(readiness.status == .unreachable, "\(readiness)")
        #expect(readiness.schemaVersion == nil)
        #expect(!readiness.isReady)
        #expect(!readiness.description.contains("s3cret"))
    }
}
