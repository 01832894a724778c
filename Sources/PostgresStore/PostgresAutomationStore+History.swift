import Automation
import Foundation
import PostgresNIO

// MARK: History

extension PostgresAutomationStore {
    public func existingActionIDs(_ ids: Set<ActionID>) async throws -> Set<ActionID> {
        guard !ids.isEmpty else { return [] }
        return try await read { [self] connection in
            Set(try await connection.query("SELECT id FROM automated_action WHERE id = ANY(\(ids.map(\.rawValue)))", logger: logger)
                .decode(UUID.self).collect().map(ActionID.init(rawValue:)))
        }
    }

    public func manualRunKey(_ key: String, actionId: ActionID, tenant: TenantID) async throws -> ManualRunKey? {
        try await read { [self] connection in try await Self.manualRunKey(key, actionId: actionId, tenant: tenant, on: connection, logger: logger) }
    }

    static func manualRunKey(
        _ key: String, actionId: ActionID, tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws -> ManualRunKey? {
        for try await (eventId, created) in try await connection.query(
            """
            SELECT event_id, created_at FROM manual_run_key
            WHERE tenant_id = \(tenant.rawValue) AND action_id = \(actionId.rawValue) AND key = \(key)
            """, logger: logger
        ).decode((String, Date).self) {
            return ManualRunKey(tenantId: tenant, actionId: actionId, key: key, eventId: eventId, createdAt: created)
        }
        return nil
    }

    public func pruneManualRunKeys(createdBefore: Date) async throws -> Int {
        try await transaction { [self] connection in
            try await Self.deleted("DELETE FROM manual_run_key WHERE created_at < \(createdBefore) RETURNING 1", on: connection, logger: logger)
        }
    }

    public func history(keys: [ExecutionKey], actionId: ActionID) async throws -> [ExecutionHistoryEntry] {
        guard !keys.isEmpty else { return [] }
        return try await read { [self] connection in
            var byKey: [ExecutionKey: ExecutionHistoryEntry] = [:]
            for row in try await connection.query(HistoryRow.byKeys(keys), logger: logger).stored(table: HistoryRow.table, HistoryRow.init)
            where row.entry.actionId == actionId {
                byKey[row.entry.idempotencyKey] = row.entry
            }
            return keys.compactMap { byKey[$0] }
        }
    }

    public func forgetHistory(keys: [ExecutionKey], actionId: ActionID) async throws {
        guard !keys.isEmpty else { return }
        try await transaction { [self] connection in
            // The lock order: the action, then its counter rows by key.
            guard let tenant = try await Self.lockActions([actionId], on: connection, logger: logger)[actionId] else { return }
            var runs: [ForgottenRun: Int] = [:]
            for key in keys {
                for try await (started, outcome) in try await connection.query(
                    """
                    DELETE FROM execution_history
                    WHERE source_event_id = \(key.sourceEventId) AND trigger_id IS NOT DISTINCT FROM \(key.triggerId?.rawValue)::uuid
                        AND item_index = \(key.itemIndex) AND action_id = \(actionId.rawValue)
                    RETURNING date_started, outcome
                    """, logger: logger
                ).decode((Date, String).self) {
                    runs[ForgottenRun(hour: RunHour.of(started), outcome: outcome), default: 0] += 1
                }
            }
            // A forgotten run never happened (the broker refused it): unlike a pruned one, it
            // leaves the hourly counts its row added.
            for (run, count) in runs.sorted(by: { ($0.key.hour, $0.key.outcome) < ($1.key.hour, $1.key.outcome) }) {
                try await connection.query(
                    """
                    UPDATE runs_by_hour SET runs = runs - \(count)
                    WHERE tenant_id = \(tenant.rawValue) AND hour = \(run.hour) AND outcome = \(run.outcome)
                    """, logger: logger)
            }
            for (run, count) in runs.sorted(by: { $0.key.hour < $1.key.hour }) where run.outcome == ExecutionOutcome.failed.rawValue {
                try await connection.query(
                    "UPDATE failures_by_hour SET failures = failures - \(count) WHERE action_id = \(actionId.rawValue) AND hour = \(run.hour)",
                    logger: logger)
            }
            // A forgotten entry's request has nothing to close.
            try await Self.deleteOrphanedOutboxRows(connection, logger: logger)
        }
    }

    private struct ForgottenRun: Hashable {
        var hour: Int64
        var outcome: String
    }

    public func history(actionId: ActionID, page: PageRequest) async throws -> Page<ExecutionHistoryEntry> {
        try await history(actionId: actionId, filter: HistoryFilter(), page: page)
    }

    public func history(actionId: ActionID, filter: HistoryFilter, page: PageRequest) async throws -> Page<ExecutionHistoryEntry> {
        let cursor = try page.cursor.map { text throws(AutomationError) in try InstantCursor(parsing: text) }
        let limit = max(0, page.limit)
        // The cursor's instant goes as seconds, which `to_timestamp` rounds to the microsecond the
        // row holds: bound as a `Date`, postgres-nio truncates, often to the microsecond before,
        // and the rows sharing the last one's `date_started` (a batch's) were left out of the next page.
        return try await read { [self] connection in
            let rows = try await connection.query(
                """
                SELECT * FROM execution_history
                WHERE action_id = \(actionId.rawValue)
                    AND (\(filter.outcome?.rawValue)::text IS NULL OR outcome = \(filter.outcome?.rawValue))
                    AND (\(filter.triggerType?.rawValue)::text IS NULL OR trigger_type = \(filter.triggerType?.rawValue))
                    AND (\(cursor?.seconds)::float8 IS NULL
                        OR (date_started, sequence) < (to_timestamp(\(cursor?.seconds)::float8), \(cursor?.sequence)::int8))
                ORDER BY date_started DESC, sequence DESC
                LIMIT \(limit + 1)
                """, logger: logger
            ).stored(table: HistoryRow.table, HistoryRow.init)
            let items = rows.prefix(limit)
            let next = rows.count > limit ? items.last.map { InstantCursor($0.entry.dateStarted, sequence: $0.sequence).text } : nil
            return Page(items: items.map(\.entry), nextCursor: next)
        }
    }

    public func historyEntry(processId: ProcessID) async throws -> ExecutionHistoryEntry? {
        try await read { [self] connection in
            try await RunWriter(connection: connection, logger: logger).firstEntry(processId, tenant: nil)?.entry
        }
    }

    /// What the web console reads in one go: per action, its entries counted by outcome and its
    /// newest entry, in one statement.
    public func runSummaries(actionIds: [ActionID]) async throws -> [ActionRunSummary] {
        guard !actionIds.isEmpty else { return [] }
        return try await read { [self] connection in
            var summaries: [ActionID: ActionRunSummary] = [:]
            for summary in try await connection.query(
                """
                SELECT ids.id AS summary_action, c.successes, c.failures, h.*
                FROM unnest(\(actionIds.map(\.rawValue))::uuid[]) AS ids(id)
                CROSS JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE outcome = 'Success') AS successes, count(*) FILTER (WHERE outcome = 'Failed') AS failures
                    FROM execution_history WHERE action_id = ids.id) c
                LEFT JOIN LATERAL (
                    SELECT * FROM execution_history WHERE action_id = ids.id ORDER BY date_started DESC, sequence DESC LIMIT 1) h ON true
                """, logger: logger
            ).stored(table: HistoryRow.table, { row in
                ActionRunSummary(
                    actionId: try row.id("summary_action"), successes: try row.value("successes"), failures: try row.value("failures"),
                    last: try row.value("sequence", as: Int64?.self) == nil ? nil : try HistoryRow(row).entry)
            }) {
                summaries[summary.actionId] = summary
            }
            return actionIds.map { summaries[$0] ?? ActionRunSummary(actionId: $0, successes: 0, failures: 0, last: nil) }
        }
    }

    public func pruneHistory(
        keepLastPerAction: Int?, startedBefore: Date?, underWayStartedBefore: Date?, tenant: TenantID?
    ) async throws -> Int {
        guard keepLastPerAction != nil || startedBefore != nil else { return 0 }
        let tenantId = tenant?.rawValue
        return try await transaction { [self] connection in
            // Every tenant's entries, or those of one tenant's actions; a run under way (its
            // completion must find its entry) goes only once started before `underWayStartedBefore`.
            let pruned = try await Self.deleted(
                """
                DELETE FROM execution_history WHERE sequence IN (
                    SELECT sequence FROM (
                        SELECT sequence, date_started, outcome,
                            row_number() OVER (PARTITION BY action_id ORDER BY date_started DESC, sequence DESC) AS rank
                        FROM execution_history
                        WHERE \(tenantId)::text IS NULL OR action_id IN (SELECT id FROM automated_action WHERE tenant_id = \(tenantId))
                    ) ranked
                    WHERE (rank > \(keepLastPerAction.map { max(0, $0) })::int8 OR date_started < \(startedBefore)::timestamptz)
                        AND (outcome NOT IN ('Pending', 'Running') OR date_started < \(underWayStartedBefore)::timestamptz))
                RETURNING 1
                """, on: connection, logger: logger)
            try await Self.deleteOrphanedOutboxRows(connection, logger: logger)
            if let startedBefore, let underWayStartedBefore {
                // Events kept for runs under way go by the rule of their entries.
                try await connection.query(
                    """
                    DELETE FROM run_event
                    WHERE (\(tenantId)::text IS NULL OR action_id IN (SELECT id FROM automated_action WHERE tenant_id = \(tenantId)))
                        AND created_at < \(startedBefore) AND created_at < \(underWayStartedBefore)
                    """, logger: logger)
            }
            // And those of runs left without a Pending entry (pruned by count).
            try await connection.query(
                """
                DELETE FROM run_event e
                WHERE (\(tenantId)::text IS NULL OR e.action_id IN (SELECT id FROM automated_action WHERE tenant_id = \(tenantId)))
                    AND NOT EXISTS (
                        SELECT 1 FROM execution_history h
                        WHERE h.action_id = e.action_id AND h.source_event_id = e.source_event_id AND h.outcome IN ('Pending', 'Running'))
                """, logger: logger)
            return pruned
        }
    }

    /// Drops the outbox rows whose entry is gone: with no entry to close, they are not sent.
    static func deleteOrphanedOutboxRows(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "DELETE FROM http_outbox o WHERE NOT EXISTS (SELECT 1 FROM execution_history h WHERE h.process_id = o.process_id)",
            logger: logger)
    }

    /// How many rows a `DELETE … RETURNING 1` deleted, counted by the server.
    static func deleted(_ statement: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.integer(
            PostgresQuery(unsafeSQL: "WITH deleted AS (\(statement.sql)) SELECT count(*) FROM deleted", binds: statement.binds), logger: logger)
    }

    // MARK: Notifications outbox

    public func pendingNotifications(limit: Int) async throws -> [ActionNotification] {
        try await read { [self] connection in
            try await connection.query(
                "SELECT id, kind, body FROM notification_outbox ORDER BY sequence LIMIT \(max(0, limit))", logger: logger
            ).stored(table: "notification_outbox") { row in
                ActionNotification(id: try row.value("id"), kind: try row.enumeration("kind"), body: try row.value("body"))
            }
        }
    }

    public func deleteNotifications(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await transaction { [self] connection in
            _ = try await connection.query("DELETE FROM notification_outbox WHERE id = ANY(\(ids))", logger: logger)
        }
    }
}
