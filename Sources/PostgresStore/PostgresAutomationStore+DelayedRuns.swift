import Automation
import Foundation
import PostgresNIO

// MARK: Delayed runs

extension PostgresAutomationStore {
    public func insertDelayedRun(_ run: DelayedRun, requestKey: String?, limit: Int) async throws -> (run: DelayedRun, created: Bool) {
        try await transaction { [self] connection in
            // The action locked: the count of its scheduled runs and this insert are one step for
            // every replica. (The count is kept by a trigger: counting rows would cost the backlog.)
            let owners = try await Self.lockActions([run.actionId], on: connection, logger: logger)
            guard owners[run.actionId] == run.tenantId else { throw AutomationError.notFound("action \(run.actionId) does not exist") }
            let scheduled = try await connection.integer(
                "SELECT scheduled_runs FROM automated_action WHERE id = \(run.actionId.rawValue)", logger: logger)
            guard scheduled < limit else {
                // A retried request is answered with its run even at the limit.
                if let earlier = try await Self.delayedRun(actionId: run.actionId, requestKey: requestKey, on: connection, logger: logger) {
                    return (earlier, false)
                }
                throw AutomationError.limitExceeded("the action has \(scheduled) scheduled runs; at most \(limit)", field: "delaySeconds")
            }
            // The unique (action, Idempotency-Key) decides which request stored the run.
            let stored = try await connection.changes(
                """
                INSERT INTO delayed_run (id, tenant_id, action_id, key, request_key, due_at, status, payload, date_created)
                VALUES (
                    \(run.id.rawValue), \(run.tenantId.rawValue), \(run.actionId.rawValue), \(run.key), \(requestKey), \(run.dueAt),
                    \(run.status.rawValue), \(run.payload?.jsonText), \(run.dateCreated))
                ON CONFLICT (action_id, request_key) DO NOTHING
                RETURNING 1
                """, logger: logger)
            if stored > 0 { return (run, true) }
            guard let earlier = try await Self.delayedRun(actionId: run.actionId, requestKey: requestKey, on: connection, logger: logger) else {
                // Unreachable: the conflict that skipped the insert is a run holding the key.
                throw PostgresStoreError.corruptValue(table: DelayedRunRow.table, column: "request_key", reason: "no run holds the request key")
            }
            return (earlier, false)
        }
    }

    /// The action's run created with the Idempotency-Key `requestKey`, if any.
    private static func delayedRun(
        actionId: ActionID, requestKey: String?, on connection: PostgresConnection, logger: Logger
    ) async throws -> DelayedRun? {
        guard let requestKey else { return nil }
        return try await connection.query(
            "SELECT * FROM delayed_run WHERE action_id = \(actionId.rawValue) AND request_key = \(requestKey)", logger: logger
        ).first(table: DelayedRunRow.table, DelayedRunRow.run)
    }

    public func delayedRun(id: DelayedRunID, tenant: TenantID) async throws -> DelayedRun? {
        try await read { [self] connection in
            try await connection.query(
                "SELECT * FROM delayed_run WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue)", logger: logger
            ).first(table: DelayedRunRow.table, DelayedRunRow.run)
        }
    }

    public func delayedRuns(actionId: ActionID, tenant: TenantID, status: DelayedRunStatus?, page: PageRequest) async throws -> Page<DelayedRun> {
        let limit = max(0, page.limit)
        let after = try page.cursor.map { text throws(AutomationError) in try InstantCursor(parsing: text) }
        // Seconds, rounded by `to_timestamp` to the stored microsecond (see `history(actionId:filter:page:)`).
        return try await read { [self] connection in
            let rows = try await connection.query(
                """
                SELECT * FROM delayed_run
                WHERE action_id = \(actionId.rawValue) AND tenant_id = \(tenant.rawValue)
                    AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                    AND (\(after?.seconds)::float8 IS NULL OR (due_at, sequence) > (to_timestamp(\(after?.seconds)::float8), \(after?.sequence)::int8))
                ORDER BY due_at, sequence LIMIT \(limit + 1)
                """, logger: logger
            ).stored(table: DelayedRunRow.table) { row in (run: try DelayedRunRow.run(row), sequence: try row.value("sequence", as: Int64.self)) }
            let items = rows.prefix(limit)
            let next = rows.count > limit ? items.last.map { InstantCursor($0.run.dueAt, sequence: $0.sequence).text } : nil
            return Page(items: items.map(\.run), nextCursor: next)
        }
    }

    public func cancelDelayedRuns(actionId: ActionID, tenant: TenantID, ids: [DelayedRunID]?, key: String?, at date: Date) async throws -> [DelayedRun] {
        if let ids, ids.isEmpty { return [] }
        guard ids != nil || key != nil else { return [] }
        return try await transaction { [self] connection in
            // The action first (the lock order): its counters and scheduled-run count change.
            _ = try await Self.lockActions([actionId], on: connection, logger: logger)
            // A row that cannot be read is cancelled all the same; it is left out of the answer.
            let cancelled = try await connection.query(
                """
                UPDATE delayed_run SET status = 'cancelled', cancelled_at = \(date)
                WHERE action_id = \(actionId.rawValue) AND tenant_id = \(tenant.rawValue) AND status = 'scheduled' AND claimed_at IS NULL
                    AND (CASE WHEN \(ids.map { $0.map(\.rawValue) })::uuid[] IS NOT NULL THEN id = ANY(\(ids.map { $0.map(\.rawValue) }))
                        ELSE key = \(key) END)
                RETURNING *
                """, logger: logger
            ).stored(table: DelayedRunRow.table) { try? DelayedRunRow.run($0) }.compactMap { $0 }
            // A cancelled retry ends its run, which failed: counted once, as a failure.
            let ended = cancelled.filter { $0.retry != nil }.count
            if ended > 0 {
                try await connection.query(
                    """
                    UPDATE automated_action SET total_executions = total_executions + \(ended),
                        consecutive_failures = consecutive_failures + \(ended)
                    WHERE id = \(actionId.rawValue)
                    """, logger: logger)
            }
            return cancelled.sorted { $0.dueAt < $1.dueAt }
        }
    }

    public func pendingDelayedRuns() async throws -> [DelayedRunDue] {
        try await read { [self] connection in
            var runs: [DelayedRunDue] = []
            for try await (id, actionId, tenant, due) in try await connection.query(
                "SELECT id, action_id, tenant_id, due_at FROM delayed_run WHERE status = 'scheduled' ORDER BY due_at", logger: logger
            ).decode((UUID, UUID, String, Date).self) {
                runs.append(DelayedRunDue(id: DelayedRunID(rawValue: id), actionId: ActionID(rawValue: actionId), tenantId: TenantID(rawValue: tenant), dueAt: due))
            }
            return runs
        }
    }

    public func claimDelayedRuns(_ ids: [DelayedRunID], at date: Date) async throws -> [DelayedRun] {
        let unique = Array(Set(ids.map(\.rawValue)))
        guard !unique.isEmpty else { return [] }
        return try await transaction { [self] connection in
            // Their actions first (the lock order): a cancelled unreadable run changes its action's count.
            try await Self.lockActionsOfRuns(unique, on: connection, logger: logger)
            try await connection.query(
                "UPDATE delayed_run SET claimed_at = \(date) WHERE status = 'scheduled' AND claimed_at IS NULL AND id = ANY(\(unique))",
                logger: logger)
            var claimed: [DelayedRun] = []
            var unreadable: [UUID] = []
            for try await row in try await connection.query(
                "SELECT * FROM delayed_run WHERE status = 'scheduled' AND id = ANY(\(unique))", logger: logger)
            {
                // One row that cannot be read must not hold up the others: it is cancelled.
                let stored = StoredRow(row, table: DelayedRunRow.table)
                if let run = try? DelayedRunRow.run(stored) { claimed.append(run) } else { unreadable.append(try stored.value("id")) }
            }
            if !unreadable.isEmpty {
                try await connection.query(
                    "UPDATE delayed_run SET status = 'cancelled', cancelled_at = \(date) WHERE id = ANY(\(unreadable))", logger: logger)
            }
            return claimed
        }
    }

    public func finishDelayedRuns(_ ids: [DelayedRunID], as status: DelayedRunStatus, at date: Date) async throws {
        guard !ids.isEmpty, status != .scheduled else { return }
        let unique = Array(Set(ids.map(\.rawValue)))
        try await transaction { [self] connection in
            try await Self.lockActionsOfRuns(unique, on: connection, logger: logger)
            if status == .dispatched {
                try await connection.query(
                    """
                    UPDATE delayed_run SET status = 'dispatched', dispatched_at = \(date), payload = NULL
                    WHERE id = ANY(\(unique)) AND status = 'scheduled'
                    """, logger: logger)
            } else {
                try await connection.query(
                    "UPDATE delayed_run SET status = 'cancelled', cancelled_at = \(date) WHERE id = ANY(\(unique)) AND status = 'scheduled'",
                    logger: logger)
            }
        }
    }

    public func pruneDelayedRuns(finishedBefore date: Date) async throws -> Int {
        try await transaction { [self] connection in
            try await Self.deleted(
                "DELETE FROM delayed_run WHERE status <> 'scheduled' AND coalesce(dispatched_at, cancelled_at) < \(date) RETURNING 1",
                on: connection, logger: logger)
        }
    }

    /// Locks the actions of the runs `ids` (their scheduled-run counts change with the runs' status).
    private static func lockActionsOfRuns(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        let actions = try await connection.query(
            "SELECT DISTINCT action_id FROM delayed_run WHERE id = ANY(\(ids))", logger: logger
        ).decode(UUID.self).collect()
        _ = try await lockActions(actions.map(ActionID.init(rawValue:)), on: connection, logger: logger)
    }
}

/// A row of `delayed_run`.
enum DelayedRunRow {
    static let table = "delayed_run"

    static func run(_ row: StoredRow) throws -> DelayedRun {
        DelayedRun(
            id: try row.id("id"), tenantId: TenantID(rawValue: try row.value("tenant_id")), actionId: try row.id("action_id"),
            key: try row.value("key"), dueAt: try row.value("due_at"), status: try row.enumeration("status"),
            payload: try row.jsonValue("payload"), dateCreated: try row.value("date_created"),
            dispatchedAt: try row.value("dispatched_at"), cancelledAt: try row.value("cancelled_at"),
            retry: try row.optionalJSON("retry"), step: try row.optionalJSON("step"))
    }
}
