import Automation
import Foundation
import PostgresNIO

// MARK: Statistics

extension PostgresAutomationStore {
    public func tenantStatistics(tenant: TenantID, since: Date, horizon: Date, topFailing: Int) async throws -> StoredTenantStatistics {
        let firstHour = RunHour.of(since)
        return try await read { [self] connection in
            var byStatus: [ActionStatus: Int] = [:]
            for try await (status, count) in try await connection.query(
                "SELECT status, count(*) FROM automated_action WHERE tenant_id = \(tenant.rawValue) GROUP BY status", logger: logger
            ).decode((String, Int).self) {
                if let status = ActionStatus(rawValue: status) { byStatus[status] = count }
            }
            // Hourly counts kept by the history's triggers: one row per hour and outcome.
            var byOutcome: [ExecutionOutcome: Int] = [:]
            for try await (outcome, count) in try await connection.query(
                """
                SELECT outcome, sum(runs)::int8 FROM runs_by_hour WHERE tenant_id = \(tenant.rawValue) AND hour >= \(firstHour)
                GROUP BY outcome
                """, logger: logger
            ).decode((String, Int).self) {
                if let outcome = ExecutionOutcome(rawValue: outcome) { byOutcome[outcome] = count }
            }
            // Rows at zero are those a recording locked ahead and did not count in: not failures.
            let failing = try await connection.query(
                """
                SELECT a.id, a.namespace, a.name, a.status, a.consecutive_failures, t.failures
                FROM (SELECT action_id, sum(failures)::int8 AS failures FROM failures_by_hour
                      WHERE tenant_id = \(tenant.rawValue) AND hour >= \(firstHour) GROUP BY action_id HAVING sum(failures) > 0) t
                JOIN automated_action a ON a.id = t.action_id
                ORDER BY t.failures DESC, a.namespace, a.name LIMIT \(max(0, topFailing))
                """, logger: logger
            ).stored(table: ActionRow.table) { row in
                FailingAction(
                    actionId: try row.id("id"), namespace: NamespaceName(rawValue: try row.value("namespace")), name: try row.value("name"),
                    status: try row.enumeration("status"), failures: try row.value("failures"),
                    consecutiveFailures: try row.value("consecutive_failures"))
            }
            let schedules = try await connection.query(
                """
                SELECT s.* FROM cron_schedule s JOIN automated_action a ON a.id = s.action_id
                WHERE a.tenant_id = \(tenant.rawValue) AND a.status = 'active' AND s.is_enabled AND s.next_occurrence <= \(horizon)
                """, logger: logger
            ).stored(table: ScheduleRow.table) { try ScheduleRow.read($0).schedule }
            let delayed = try await connection.integer(
                """
                SELECT count(*) FROM delayed_run WHERE status = 'scheduled' AND due_at <= \(horizon) AND tenant_id = \(tenant.rawValue)
                """, logger: logger)
            return StoredTenantStatistics(
                actionsByStatus: byStatus, runsByOutcome: byOutcome, topFailing: failing, schedulesDue: schedules, delayedRunsDue: delayed)
        }
    }

    public func pruneRunCounts(before date: Date) async throws -> Int {
        let hour = RunHour.of(date)
        return try await transaction { [self] connection in
            let runs = try await Self.deleted("DELETE FROM runs_by_hour WHERE hour < \(hour) RETURNING 1", on: connection, logger: logger)
            return runs + (try await Self.deleted("DELETE FROM failures_by_hour WHERE hour < \(hour) RETURNING 1", on: connection, logger: logger))
        }
    }

    public func actionStatistics(actionId: ActionID, tenant: TenantID, since: Date, durationSample: Int) async throws -> StoredActionStatistics? {
        try await read { [self] connection in
            guard try await connection.changes(
                "SELECT 1 FROM automated_action WHERE id = \(actionId.rawValue) AND tenant_id = \(tenant.rawValue)", logger: logger) > 0
            else { return nil }
            var byOutcome: [ExecutionOutcome: Int] = [:]
            for try await (outcome, count) in try await connection.query(
                """
                SELECT outcome, count(*) FROM execution_history WHERE action_id = \(actionId.rawValue) AND date_started >= \(since)
                GROUP BY outcome
                """, logger: logger
            ).decode((String, Int).self) {
                if let outcome = ExecutionOutcome(rawValue: outcome) { byOutcome[outcome] = count }
            }
            let finished = (byOutcome[.success] ?? 0) + (byOutcome[.failed] ?? 0)
            // Both percentiles from one sort of the latest finished runs' durations (read newest
            // first from the index, so a busy action sorts at most `durationSample` of them).
            let sampled = min(finished, durationSample)
            var percentiles: (Double?, Double?) = (nil, nil)
            if sampled > 0 {
                for try await row in try await connection.query(
                    """
                    WITH durations AS (
                        SELECT extract(epoch FROM date_completed - date_started)::float8 AS duration FROM execution_history
                        WHERE action_id = \(actionId.rawValue) AND date_started >= \(since) AND outcome IN ('Success', 'Failed')
                        ORDER BY date_started DESC, sequence DESC LIMIT \(sampled))
                    SELECT (SELECT duration FROM durations ORDER BY duration LIMIT 1 OFFSET \(StoredActionStatistics.rank(0.5, of: sampled))),
                           (SELECT duration FROM durations ORDER BY duration LIMIT 1 OFFSET \(StoredActionStatistics.rank(0.95, of: sampled)))
                    """, logger: logger
                ).decode((Double?, Double?).self) {
                    percentiles = row
                }
            }
            let last = try await connection.query(
                """
                SELECT date_started, outcome FROM execution_history WHERE action_id = \(actionId.rawValue)
                ORDER BY date_started DESC, sequence DESC LIMIT 1
                """, logger: logger
            ).first(table: HistoryRow.table) { row in (date: try row.value("date_started", as: Date.self), outcome: try row.value("outcome", as: String.self)) }
            return StoredActionStatistics(
                runsByOutcome: byOutcome, p50DurationSeconds: percentiles.0, p95DurationSeconds: percentiles.1, durationSampleSize: sampled,
                lastRunAt: last?.date, lastOutcome: last.flatMap { ExecutionOutcome(rawValue: $0.outcome) })
        }
    }
}
