import Automation
import GRDB

/// Reads and writes an ``AutomatedAction`` aggregate across its three tables. Called inside the
/// store's transactions only.
enum ActionGraph {
    /// Bound parameters per `IN (…)` list, well under SQLite's limit.
    private static let chunkSize = 500

    /// The action with `id`, if it belongs to `tenant` (any tenant when nil).
    static func fetch(_ db: Database, id: ActionID, tenant: TenantID?) throws -> AutomatedAction? {
        var request = ActionRecord.filter(Column("id") == id.description)
        if let tenant { request = request.filter(Column("tenantId") == tenant.rawValue) }
        guard let record = try request.fetchOne(db) else { return nil }
        return try assemble(db, [record]).first
    }

    /// The actions of `records`, in that order, with their schedules and triggers.
    static func assemble(_ db: Database, _ records: [ActionRecord]) throws -> [AutomatedAction] {
        var schedules: [ActionID: [CronScheduleDefinition]] = [:]
        var triggers: [ActionID: [MessageTrigger]] = [:]
        var webhooks: [ActionID: [WebhookTrigger]] = [:]
        for start in stride(from: 0, to: records.count, by: chunkSize) {
            let keys = records[start..<min(start + chunkSize, records.count)].map(\.id.description)
            let scheduleRows = try ScheduleRecord.filter(keys.contains(Column("actionId")))
                .order(Column("actionId"), Column("position")).fetchAll(db)
            for row in scheduleRows { schedules[row.actionId, default: []].append(row.schedule) }
            let triggerRows = try TriggerRecord.filter(keys.contains(Column("actionId")))
                .order(Column("actionId"), Column("position")).fetchAll(db)
            for row in triggerRows { triggers[row.actionId, default: []].append(row.trigger) }
            let webhookRows = try WebhookRecord.filter(keys.contains(Column("actionId")))
                .order(Column("actionId"), Column("position")).fetchAll(db)
            for row in webhookRows { webhooks[row.actionId, default: []].append(row.webhook) }
        }
        return records.map { record in
            var action = record.action(schedules: schedules[record.id] ?? [], triggers: triggers[record.id] ?? [])
            action.webhooks = webhooks[record.id] ?? []
            return action
        }
    }

    /// Inserts a new aggregate.
    static func insert(_ db: Database, _ action: AutomatedAction) throws {
        try ActionRecord(action).insert(db)
        for record in scheduleRecords(action) { try record.insert(db) }
        for record in triggerRecords(action) { try record.insert(db) }
        for record in webhookRecords(action) { try record.insert(db) }
    }

    /// Writes what differs between `old` (as stored) and `new`: the action row if its own fields
    /// changed, and the children added, changed, moved or removed.
    static func save(_ db: Database, from old: AutomatedAction, to new: AutomatedAction) throws {
        let record = ActionRecord(new)
        if record != ActionRecord(old) { try record.update(db) }
        try sync(db, actionId: new.id, from: scheduleRecords(old), to: scheduleRecords(new), id: \.schedule.id.description)
        try sync(db, actionId: new.id, from: triggerRecords(old), to: triggerRecords(new), id: \.trigger.id.description)
        try sync(db, actionId: new.id, from: webhookRecords(old), to: webhookRecords(new), id: \.webhook.id.description)
    }

    /// Refuses `action` if another action of its namespace has its name, with the in-memory
    /// store's error.
    static func checkNameFree(_ db: Database, _ action: AutomatedAction) throws {
        let clash =
            try ActionRecord
            .filter(Column("tenantId") == action.tenantId.rawValue)
            .filter(Column("namespace") == action.namespace.rawValue)
            .filter(Column("name") == action.name)
            .filter(Column("id") != action.id.description)
            .fetchCount(db) > 0
        if clash { throw nameConflict(action) }
    }

    static func nameConflict(_ action: AutomatedAction) -> AutomationError {
        AutomationError.conflict(
            "an action named \"\(action.name.prefix(200))\" already exists in namespace \"\(action.namespace)\""
        )
    }

    private static func scheduleRecords(_ action: AutomatedAction) -> [ScheduleRecord] {
        action.schedules.enumerated().map { ScheduleRecord($1, actionId: action.id, position: $0) }
    }

    private static func triggerRecords(_ action: AutomatedAction) -> [TriggerRecord] {
        action.messageTriggers.enumerated().map { TriggerRecord($1, actionId: action.id, position: $0) }
    }

    private static func webhookRecords(_ action: AutomatedAction) -> [WebhookRecord] {
        action.webhooks.enumerated().map { WebhookRecord($1, actionId: action.id, position: $0) }
    }

    private static func sync<Record: PersistableRecord & Hashable>(
        _ db: Database,
        actionId: ActionID,
        from old: [Record],
        to new: [Record],
        id: KeyPath<Record, String>
    ) throws {
        let kept = Set(new.map { $0[keyPath: id] })
        for record in old where !kept.contains(record[keyPath: id]) {
            _ = try Record.deleteOne(db, key: ["actionId": actionId.description, "id": record[keyPath: id]])
        }
        let stored = Set(old)
        for record in new where !stored.contains(record) {
            try record.upsert(db)
        }
    }
}
