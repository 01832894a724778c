import Automation
import Foundation
import GRDB

// MARK: Statistics

extension SQLiteAutomationStore {
    public func tenantStatistics(tenant: TenantID, since: Date, horizon: Date, topFailing: Int) async throws -> StoredTenantStatistics {
        let firstHour = Int64((since.timeIntervalSince1970 / 3600).rounded(.down))
        return try await writer.read { db in
            // A tenant's actions: the automatedAction_name index's prefix.
            var byStatus: [ActionStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM automatedAction WHERE tenantId = ? GROUP BY status", arguments: [tenant.rawValue]) {
                if let status = ActionStatus(rawValue: row["status"]) { byStatus[status] = row["n"] }
            }
            // Hourly counts kept by the history's triggers (migration v13): one row per hour and outcome.
            var byOutcome: [ExecutionOutcome: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT outcome, sum(runs) AS n FROM runsByHour WHERE tenantId = ? AND hour >= ? GROUP BY outcome",
                arguments: [tenant.rawValue, firstHour])
            {
                if let outcome = ExecutionOutcome(rawValue: row["outcome"]) { byOutcome[outcome] = row["n"] }
            }
            // Only hours with failures have rows; failuresByHour_tenant covers the sum.
            let failing = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.namespace, a.name, a.status, a.consecutiveFailures, t.failures
                    FROM (SELECT actionId, sum(failures) AS failures FROM failuresByHour
                          WHERE tenantId = ? AND hour >= ? GROUP BY actionId) t
                    JOIN automatedAction a ON a.id = t.actionId
                    ORDER BY t.failures DESC, a.namespace, a.name LIMIT ?
                    """,
                arguments: [tenant.rawValue, firstHour, topFailing]
            ).map { row in
                FailingAction(
                    actionId: try row.identifier(ActionID.self, "id", table: "automatedAction"),
                    namespace: NamespaceName(row["namespace"]), name: row["name"],
                    status: try row.enumeration(ActionStatus.self, "status", table: "automatedAction"),
                    failures: row["failures"], consecutiveFailures: row["consecutiveFailures"])
            }
            let schedules = try ScheduleRecord.fetchAll(
                db,
                sql: """
                    SELECT s.* FROM cronSchedule s JOIN automatedAction a ON a.id = s.actionId
                    WHERE a.tenantId = ? AND a.status = 'active' AND s.isEnabled AND s.nextOccurrence <= ?
                    """,
                arguments: [tenant.rawValue, StoredDate.value(horizon)]
            ).map(\.schedule)
            // delayedRun_pending: the scheduled runs by due instant.
            let delayed = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM delayedRun WHERE status = 'scheduled' AND dueAt <= ? AND tenantId = ?",
                arguments: [StoredDate.value(horizon), tenant.rawValue]) ?? 0
            return StoredTenantStatistics(
                actionsByStatus: byStatus, runsByOutcome: byOutcome, topFailing: failing, schedulesDue: schedules, delayedRunsDue: delayed)
        }
    }

    public func pruneRunCounts(before date: Date) async throws -> Int {
        let hour = Int64((date.timeIntervalSince1970 / 3600).rounded(.down))
        return try await writer.write { db in
            try db.execute(sql: "DELETE FROM runsByHour WHERE hour < ?", arguments: [hour])
            let runs = db.changesCount
            try db.execute(sql: "DELETE FROM failuresByHour WHERE hour < ?", arguments: [hour])
            return runs + db.changesCount
        }
    }

    public func actionStatistics(actionId: ActionID, tenant: TenantID, since: Date, durationSample: Int) async throws -> StoredActionStatistics? {
        try await writer.read { db in
            guard try Bool.fetchOne(
                db, sql: "SELECT EXISTS(SELECT 1 FROM automatedAction WHERE id = ? AND tenantId = ?)",
                arguments: [actionId.description, tenant.rawValue]) == true
            else { return nil }
            let id = actionId.description, start = StoredDate.value(since)
            // Each query reads executionHistory_action alone (actionId, dateStarted, …, outcome, dateCompleted).
            var byOutcome: [ExecutionOutcome: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT outcome, count(*) AS n FROM executionHistory WHERE actionId = ? AND dateStarted >= ? GROUP BY outcome",
                arguments: [id, start])
            {
                if let outcome = ExecutionOutcome(rawValue: row["outcome"]) { byOutcome[outcome] = row["n"] }
            }
            let finished = (byOutcome[.success] ?? 0) + (byOutcome[.failed] ?? 0)
            // Both percentiles from one sort of the latest finished runs' durations (read newest
            // first from the index, so a busy action sorts at most `durationSample` of them).
            let sampled = min(finished, durationSample)
            var percentiles: (Double?, Double?) = (nil, nil)
            if sampled > 0, let row = try Row.fetchOne(
                db,
                sql: """
                    WITH latest AS MATERIALIZED (
                        SELECT dateCompleted - dateStarted AS duration FROM executionHistory
                        WHERE actionId = ? AND dateStarted >= ? AND outcome IN ('Success', 'Failed')
                        ORDER BY dateStarted DESC, sequence DESC LIMIT ?),
                    durations AS MATERIALIZED (SELECT duration FROM latest ORDER BY duration)
                    SELECT (SELECT duration FROM durations LIMIT 1 OFFSET ?) AS p50,
                           (SELECT duration FROM durations LIMIT 1 OFFSET ?) AS p95
                    """,
                arguments: [id, start, sampled, StoredActionStatistics.rank(0.5, of: sampled), StoredActionStatistics.rank(0.95, of: sampled)])
            {
                percentiles = (row["p50"], row["p95"])
            }
            let last = try Row.fetchOne(
                db, sql: "SELECT dateStarted, outcome FROM executionHistory WHERE actionId = ? ORDER BY dateStarted DESC, sequence DESC LIMIT 1",
                arguments: [id])
            return StoredActionStatistics(
                runsByOutcome: byOutcome, p50DurationSeconds: percentiles.0, p95DurationSeconds: percentiles.1, durationSampleSize: sampled,
                lastRunAt: try last.map { try $0.date("dateStarted") }, lastOutcome: last.flatMap { ExecutionOutcome(rawValue: $0["outcome"]) })
        }
    }
}
