import Foundation
import Logging
import PostgresNIO
import PostgresStore
import PostgresTestSupport
import Testing

/// Uniqueness in the schema: any number of writers may record the same run, one row exists.
@Suite("PostgreSQL schema uniqueness", .enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct SchemaUniquenessTests {
    let logger = TestDatabase.logger

    /// Inserts the history row of (event, trigger, item 0) unless its key exists; true when this
    /// call inserted it. Holds its transaction open a moment so that the writers overlap.
    static func recordOnce(
        _ connection: PostgresConnection, action: UUID, event: String, trigger: UUID?, logger: Logger
    ) async throws -> Bool {
        try await connection.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO execution_history
                    (id, action_id, trigger_type, trigger_id, process_id, process_type, date_started, outcome, source_event_id, item_index)
                VALUES (\(UUID()), \(action), 'Message', \(trigger), \(UUID()), 'App', now(), 'Pending', \(event), 0)
                ON CONFLICT (source_event_id, trigger_id, item_index) DO NOTHING
                RETURNING sequence
                """, logger: logger)
            var inserted = false
            for try await _ in rows.decode(Int64.self) { inserted = true }
            try await connection.query("SELECT pg_sleep(0.05)", logger: logger)
            return inserted
        }
    }

    @Test func concurrentWritersOfOneHistoryKeyLeaveOneRow() async throws {
        let writers = 6
        try await TestDatabase.withDatabase { configuration in
            let action = UUID()
            try await TestDatabase.withClient(configuration) { client in
                _ = try await PostgresMigrator().migrate(client, logger: logger)
                try await insertAction(action, on: client)
            }
            // A trigger's run and a manual run (no trigger id: NULLS NOT DISTINCT makes the keys meet).
            let keys: [(event: String, trigger: UUID?)] = [("event-1", UUID()), ("manual-1", nil)]
            let barrier = Barrier(count: writers)
            let inserted = try await withThrowingTaskGroup(of: [Bool].self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        try await TestDatabase.withClient(configuration) { client in
                            try await client.withConnection { connection in
                                try await connection.query("SELECT 1", logger: TestDatabase.logger)
                                await barrier.arrive()
                                var results: [Bool] = []
                                for key in keys {
                                    results.append(
                                        try await Self.recordOnce(
                                            connection, action: action, event: key.event, trigger: key.trigger, logger: TestDatabase.logger))
                                }
                                return results
                            }
                        }
                    }
                }
                var all: [[Bool]] = []
                for try await results in group { all.append(results) }
                return all
            }
            // Exactly one writer inserted each key; the others did nothing, without an error.
            #expect(inserted.count == writers)
            for index in keys.indices {
                #expect(inserted.filter { $0[index] }.count == 1, "\(keys[index].event): \(inserted)")
            }
            try await TestDatabase.withClient(configuration) { client in
                let rows = try await TestDatabase.integers(
                    "SELECT count(*) FROM execution_history GROUP BY source_event_id ORDER BY source_event_id", on: client)
                #expect(rows == [1, 1])
                // The conflicting inserts were not counted by the statistics trigger either.
                #expect(try await TestDatabase.integer("SELECT sum(runs)::bigint FROM runs_by_hour", on: client) == keys.count)
            }
        }
    }

    @Test func delayedRunsAreUniqueByIdAndByRequestKeyPerAction() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                _ = try await PostgresMigrator().migrate(client, logger: logger)
                let action = UUID()
                try await insertAction(action, on: client)
                func insert(id: UUID, requestKey: String?) async throws -> Int {
                    var inserted = 0
                    let rows = try await client.query(
                        """
                        INSERT INTO delayed_run (id, tenant_id, action_id, request_key, due_at, status, date_created)
                        VALUES (\(id), 'tenant-a', \(action), \(requestKey), now(), 'scheduled', now())
                        ON CONFLICT DO NOTHING RETURNING sequence
                        """, logger: logger)
                    for try await _ in rows.decode(Int64.self) { inserted += 1 }
                    return inserted
                }
                let first = UUID()
                #expect(try await insert(id: first, requestKey: "webhook:msg_1") == 1)
                #expect(try await insert(id: first, requestKey: nil) == 0)  // the same id
                #expect(try await insert(id: UUID(), requestKey: "webhook:msg_1") == 0)  // the same key
                #expect(try await insert(id: UUID(), requestKey: nil) == 1)  // no key: never a conflict
                #expect(try await insert(id: UUID(), requestKey: nil) == 1)
                #expect(try await TestDatabase.integer("SELECT count(*) FROM delayed_run", on: client) == 3)
                // The trigger kept the action's count of scheduled runs.
                #expect(try await TestDatabase.integer("SELECT scheduled_runs FROM automated_action", on: client) == 3)
                try await client.query("UPDATE delayed_run SET status = 'dispatched' WHERE id = \(first)", logger: logger)
                #expect(try await TestDatabase.integer("SELECT scheduled_runs FROM automated_action", on: client) == 2)
            }
        }
    }

    @Test func theTriggersKeepTheDefinitionsVersionAndTheHourlyCounts() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                _ = try await PostgresMigrator().migrate(client, logger: logger)
                func version() async throws -> Int {
                    try await TestDatabase.integer("SELECT version FROM definitions_version", on: client)
                }
                #expect(try await version() == 0)
                let action = UUID()
                try await insertAction(action, on: client)
                #expect(try await version() == 1)
                // Counters are not definitions.
                try await client.query("UPDATE automated_action SET total_executions = 5 WHERE id = \(action)", logger: logger)
                #expect(try await version() == 1)
                try await client.query(
                    """
                    INSERT INTO message_trigger (action_id, id, position, name, is_enabled, trigger_type, event_filter)
                    VALUES (\(action), \(UUID()), 0, 'on import', true, 'AppProcessUpdated', '$.status')
                    """, logger: logger)
                #expect(try await version() == 2)

                // A run that fails later moves from Pending to Failed in the hourly counts.
                let process = UUID()
                try await client.query(
                    """
                    INSERT INTO execution_history
                        (id, action_id, trigger_type, process_id, process_type, date_started, outcome, source_event_id, item_index)
                    VALUES (\(UUID()), \(action), 'Manual', \(process), 'App', '2026-01-02T03:04:05Z', 'Pending', 'manual-2', 0)
                    """, logger: logger)
                try await client.query("UPDATE execution_history SET outcome = 'Failed' WHERE process_id = \(process)", logger: logger)
                var counts: [String: Int] = [:]
                let rows = try await client.query(
                    "SELECT outcome, runs::bigint FROM runs_by_hour WHERE tenant_id = 'tenant-a' AND hour = 490923", logger: logger)
                for try await (outcome, runs) in rows.decode((String, Int).self) { counts[outcome] = runs }
                #expect(counts == ["Pending": 0, "Failed": 1])
                #expect(
                    try await TestDatabase.integer(
                        "SELECT failures::bigint FROM failures_by_hour WHERE action_id = \(action) AND hour = 490923", on: client) == 1)

                // Deleting the action takes its rows with it (ON DELETE CASCADE).
                try await client.query("DELETE FROM automated_action WHERE id = \(action)", logger: logger)
                #expect(try await TestDatabase.integer("SELECT count(*) FROM execution_history", on: client) == 0)
                #expect(try await TestDatabase.integer("SELECT count(*) FROM message_trigger", on: client) == 0)
                #expect(try await version() == 4)
            }
        }
    }

    func insertAction(_ id: UUID, on client: PostgresClient) async throws {
        let name = "action-\(id)"
        try await client.query(
            """
            INSERT INTO automated_action (id, tenant_id, namespace, name, status, items, date_created, date_updated)
            VALUES (\(id), 'tenant-a', 'production', \(name), 'Active', '[]', now(), now())
            """, logger: logger)
    }
}
