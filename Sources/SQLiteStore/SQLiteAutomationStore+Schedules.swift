import Automation
import Foundation
import GRDB

// MARK: Schedules and message triggers

extension SQLiteAutomationStore {
    public func insertSchedule(
        _ schedule: CronScheduleDefinition,
        actionId: ActionID,
        tenant: TenantID,
        limit: Int,
        at date: Date
    ) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard action.schedules.count < limit else {
                throw .limitExceeded("an action can have at most \(limit) schedules", field: "schedules")
            }
            guard action.schedule(schedule.id) == nil else {
                throw .conflict("schedule \(schedule.id) already exists", field: "scheduleId")
            }
            action.schedules.append(schedule)
        }
    }

    public func updateSchedule(
        _ schedule: CronScheduleDefinition,
        actionId: ActionID,
        tenant: TenantID,
        at date: Date
    ) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard let index = action.schedules.firstIndex(where: { $0.id == schedule.id }) else {
                throw .notFound("schedule \(schedule.id) does not exist", field: "scheduleId")
            }
            action.schedules[index] = schedule
        }
    }

    public func deleteSchedule(id: ScheduleID, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard let index = action.schedules.firstIndex(where: { $0.id == id }) else {
                throw .notFound("schedule \(id) does not exist", field: "scheduleId")
            }
            action.schedules.remove(at: index)
        }
    }

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

    public func insertTrigger(
        _ trigger: MessageTrigger,
        actionId: ActionID,
        tenant: TenantID,
        limit: Int,
        at date: Date
    ) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard action.messageTriggers.count < limit else {
                throw .limitExceeded("an action can have at most \(limit) message triggers", field: "messageTriggers")
            }
            guard action.messageTrigger(trigger.id) == nil else {
                throw .conflict("message trigger \(trigger.id) already exists", field: "triggerId")
            }
            action.messageTriggers.append(trigger)
        }
    }

    public func updateTrigger(_ trigger: MessageTrigger, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard let index = action.messageTriggers.firstIndex(where: { $0.id == trigger.id }) else {
                throw .notFound("message trigger \(trigger.id) does not exist", field: "triggerId")
            }
            action.messageTriggers[index] = trigger
        }
    }

    public func deleteTrigger(id: TriggerID, actionId: ActionID, tenant: TenantID, at date: Date) async throws -> AutomatedAction {
        try await modify(actionId, tenant, at: date) { action throws(AutomationError) in
            guard let index = action.messageTriggers.firstIndex(where: { $0.id == id }) else {
                throw .notFound("message trigger \(id) does not exist", field: "triggerId")
            }
            action.messageTriggers.remove(at: index)
        }
    }
}
