import Automation
import Foundation
import GRDB

// MARK: Schedules and message triggers

extension SQLiteAutomationStore {
    /// Stores where schedules stand (the progress part of ``record(_:)``), inside its transaction.
    static func recordScheduleProgress(_ db: Database, _ progress: [ScheduleProgress]) throws {
        guard !progress.isEmpty else { return }
        let schedule = try db.cachedStatement(sql: """
            UPDATE cronSchedule SET nextOccurrence = ?, lastFiredOccurrence = coalesce(?, lastFiredOccurrence)
            WHERE actionId = ? AND id = ?
            """)
        // The derived field, as AutomatedAction.computedNextScheduledRunAt defines it.
        let action = try db.cachedStatement(sql: """
            UPDATE automatedAction SET nextScheduledRunAt = CASE WHEN status = ? THEN
                (SELECT min(nextOccurrence) FROM cronSchedule WHERE actionId = automatedAction.id AND isEnabled)
                END
            WHERE id = ?
            """)
        var actions = Set<ActionID>()
        for step in progress {
            try schedule.execute(arguments: [
                StoredDate.value(step.nextOccurrence), StoredDate.value(step.lastFired),
                step.actionId.description, step.scheduleId.description,
            ])
            actions.insert(step.actionId)
        }
        for id in actions {
            try action.execute(arguments: [ActionStatus.active.rawValue, id.description])
        }
    }

    public func lastFiredOccurrences() async throws -> [ScheduleID: Date] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, lastFiredOccurrence FROM cronSchedule WHERE lastFiredOccurrence IS NOT NULL")
            var result: [ScheduleID: Date] = [:]
            for row in rows {
                let id: String = row["id"]
                let seconds: Double = row["lastFiredOccurrence"]
                guard let schedule = ScheduleID(id) else { continue }
                result[schedule] = StoredDate.date(seconds)
            }
            return result
        }
    }

}
