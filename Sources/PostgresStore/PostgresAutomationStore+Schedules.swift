import Automation
import Foundation
import PostgresNIO

// MARK: Schedules and message triggers

extension PostgresAutomationStore {
    /// Stores where schedules stand (the progress part of ``record(_:)``), inside its transaction
    /// (which locked the actions).
    static func recordScheduleProgress(_ progress: [ScheduleProgress], on connection: PostgresConnection, logger: Logger) async throws {
        guard !progress.isEmpty else { return }
        var actions = Set<ActionID>()
        for step in progress {
            try await connection.query(
                """
                UPDATE cron_schedule SET next_occurrence = \(step.nextOccurrence),
                    last_fired_occurrence = coalesce(\(step.lastFired), last_fired_occurrence)
                WHERE action_id = \(step.actionId.rawValue) AND id = \(step.scheduleId.rawValue)
                """, logger: logger)
            actions.insert(step.actionId)
        }
        // The derived field, as AutomatedAction.computedNextScheduledRunAt defines it.
        try await connection.query(
            """
            UPDATE automated_action a SET next_scheduled_run_at = CASE WHEN a.status = 'active' THEN
                (SELECT min(s.next_occurrence) FROM cron_schedule s WHERE s.action_id = a.id AND s.is_enabled) END
            WHERE a.id = ANY(\(actions.map(\.rawValue)))
            """, logger: logger)
    }

    public func lastFiredOccurrences() async throws -> [ScheduleID: Date] {
        try await read { [self] connection in
            var result: [ScheduleID: Date] = [:]
            let rows = try await connection.query(
                "SELECT id, last_fired_occurrence FROM cron_schedule WHERE last_fired_occurrence IS NOT NULL", logger: logger)
            for try await (id, date) in rows.decode((UUID, Date).self) { result[ScheduleID(rawValue: id)] = date }
            return result
        }
    }

}
