import Automation
import GRDB

/// A row of `cronSchedule`. `position` keeps the action's order of schedules; a one-time
/// schedule's `firedAt` is its `lastFiredOccurrence` (progress, not definition).
struct ScheduleRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "cronSchedule"

    var actionId: ActionID
    var position: Int
    var schedule: CronScheduleDefinition

    init(_ schedule: CronScheduleDefinition, actionId: ActionID, position: Int) {
        self.actionId = actionId
        self.position = position
        self.schedule = schedule
    }

    init(row: Row) throws {
        let table = Self.databaseTableName
        actionId = try row.identifier(ActionID.self, "actionId", table: table)
        position = try row.decode(forColumn: "position")
        let at: String? = try row.decode(forColumn: "at")
        schedule = CronScheduleDefinition(
            id: try row.identifier(ScheduleID.self, "id", table: table),
            name: try row.decode(forColumn: "name"),
            isEnabled: try row.decode(forColumn: "isEnabled"),
            second: try row.decode(forColumn: "second"),
            minute: try row.decode(forColumn: "minute"),
            hour: try row.decode(forColumn: "hour"),
            dayOfMonth: try row.decode(forColumn: "dayOfMonth"),
            month: try row.decode(forColumn: "month"),
            dayOfWeek: try row.decode(forColumn: "dayOfWeek"),
            cron: try row.decode(forColumn: "cron"),
            at: at,
            firedAt: at == nil ? nil : try row.optionalDate("lastFiredOccurrence"),
            timeZone: try row.decode(forColumn: "timeZone"),
            missedRunPolicy: try row.enumeration(MissedRunPolicy.self, "missedRunPolicy", table: table),
            nextOccurrence: try row.optionalDate("nextOccurrence"),
            dateCreated: try row.date("dateCreated")
        )
    }

    func encode(to container: inout PersistenceContainer) {
        container["actionId"] = actionId.description
        container["id"] = schedule.id.description
        container["position"] = position
        container["name"] = schedule.name
        container["isEnabled"] = schedule.isEnabled
        container["second"] = schedule.second
        container["minute"] = schedule.minute
        container["hour"] = schedule.hour
        container["dayOfMonth"] = schedule.dayOfMonth
        container["month"] = schedule.month
        container["dayOfWeek"] = schedule.dayOfWeek
        container["cron"] = schedule.cron
        container["at"] = schedule.at
        container["timeZone"] = schedule.timeZone
        container["missedRunPolicy"] = schedule.missedRunPolicy.rawValue
        container["nextOccurrence"] = StoredDate.value(schedule.nextOccurrence)
        container["dateCreated"] = StoredDate.value(schedule.dateCreated)
    }
}
