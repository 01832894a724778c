import Automation
import Foundation
import Logging
import PostgresNIO

/// Reads and writes an ``AutomatedAction`` aggregate across its four tables, inside the store's
/// transactions.
struct ActionGraph {
    let connection: PostgresConnection
    let logger: Logger

    /// How a read of an action row locks it.
    enum Lock {
        case none
        /// The action is edited: no other edit, close or delayed-run insert of it until commit.
        case forUpdate
    }

    /// The action with `id`, if it belongs to `tenant` (any tenant when nil).
    func fetch(_ id: ActionID, tenant: TenantID?, lock: Lock = .none) async throws -> AutomatedAction? {
        let locking = lock == .forUpdate ? "FOR UPDATE" : ""
        let rows = try await connection.query(
            """
            SELECT \(unescaped: ActionRow.columns) FROM automated_action a
            WHERE a.id = \(id.rawValue) AND (\(tenant?.rawValue)::text IS NULL OR a.tenant_id = \(tenant?.rawValue))
            \(unescaped: locking)
            """, logger: logger)
        guard let action = try await rows.first(table: ActionRow.table, ActionRow.action) else { return nil }
        return try await assemble([action]).first
    }

    /// The actions `WHERE condition ORDER BY order` (a fragment with bound values), with their children.
    func fetchAll(_ query: PostgresQuery, children: Children = .all) async throws -> [AutomatedAction] {
        let actions = try await connection.query(query, logger: logger).stored(table: ActionRow.table, ActionRow.action)
        return try await assemble(actions, children: children)
    }

    /// Which children to read.
    enum Children {
        case all
        /// Message triggers only: the trigger index does not use the rest.
        case triggers
    }

    /// `actions` with their schedules, triggers and webhooks, in order.
    func assemble(_ actions: [AutomatedAction], children: Children = .all) async throws -> [AutomatedAction] {
        guard !actions.isEmpty else { return [] }
        let ids = actions.map(\.id.rawValue)
        var schedules: [ActionID: [CronScheduleDefinition]] = [:]
        var triggers: [ActionID: [MessageTrigger]] = [:]
        var webhooks: [ActionID: [WebhookTrigger]] = [:]
        if children == .all {
            for (actionId, schedule) in try await connection.query(
                "SELECT * FROM cron_schedule WHERE action_id = ANY(\(ids)) ORDER BY action_id, position", logger: logger
            ).stored(table: ScheduleRow.table, ScheduleRow.read) {
                schedules[actionId, default: []].append(schedule)
            }
            for (actionId, webhook) in try await connection.query(
                "SELECT * FROM webhook_trigger WHERE action_id = ANY(\(ids)) ORDER BY action_id, position", logger: logger
            ).stored(table: WebhookRow.table, WebhookRow.read) {
                webhooks[actionId, default: []].append(webhook)
            }
        }
        for (actionId, trigger) in try await connection.query(
            "SELECT * FROM message_trigger WHERE action_id = ANY(\(ids)) ORDER BY action_id, position", logger: logger
        ).stored(table: TriggerRow.table, TriggerRow.read) {
            triggers[actionId, default: []].append(trigger)
        }
        return actions.map { action in
            var action = action
            action.schedules = schedules[action.id] ?? []
            action.messageTriggers = triggers[action.id] ?? []
            action.webhooks = webhooks[action.id] ?? []
            return action
        }
    }

    /// Inserts a new aggregate.
    func insert(_ action: AutomatedAction) async throws {
        try await connection.query(try ActionRow(action).insert, logger: logger)
        for row in Self.scheduleRows(action) { try await connection.query(row.upsert, logger: logger) }
        for row in Self.triggerRows(action) { try await connection.query(row.upsert, logger: logger) }
        for row in Self.webhookRows(action) { try await connection.query(row.upsert, logger: logger) }
    }

    /// Writes what differs between `old` (as stored) and `new`: the action row if its own fields
    /// changed, and the children added, changed, moved or removed.
    func save(from old: AutomatedAction, to new: AutomatedAction) async throws {
        let row = try ActionRow(new)
        if row != (try ActionRow(old)) { try await connection.query(row.update, logger: logger) }
        try await sync(from: Self.scheduleRows(old), to: Self.scheduleRows(new))
        try await sync(from: Self.triggerRows(old), to: Self.triggerRows(new))
        try await sync(from: Self.webhookRows(old), to: Self.webhookRows(new))
    }

    /// Refuses `action` if another action of its namespace has its name.
    func checkNameFree(_ action: AutomatedAction) async throws {
        let rows = try await connection.query(
            """
            SELECT 1 FROM automated_action
            WHERE tenant_id = \(action.tenantId.rawValue) AND namespace = \(action.namespace.rawValue) AND name = \(action.name)
                AND id <> \(action.id.rawValue)
            LIMIT 1
            """, logger: logger)
        for try await _ in rows { throw Self.nameConflict(action) }
    }

    /// Whether an action with this id exists, of any tenant.
    func exists(_ id: ActionID) async throws -> Bool {
        for try await _ in try await connection.query("SELECT 1 FROM automated_action WHERE id = \(id.rawValue)", logger: logger) {
            return true
        }
        return false
    }

    static func nameConflict(_ action: AutomatedAction) -> AutomationError {
        AutomationError.conflict(
            "an action named \"\(action.name.prefix(200))\" already exists in namespace \"\(action.namespace)\"", field: "name")
    }

    private static func scheduleRows(_ action: AutomatedAction) -> [ScheduleRow] {
        action.schedules.enumerated().map { ScheduleRow(actionId: action.id, position: $0, schedule: $1) }
    }

    private static func triggerRows(_ action: AutomatedAction) -> [TriggerRow] {
        action.messageTriggers.enumerated().map { TriggerRow(actionId: action.id, position: $0, trigger: $1) }
    }

    private static func webhookRows(_ action: AutomatedAction) -> [WebhookRow] {
        action.webhooks.enumerated().map { WebhookRow(actionId: action.id, position: $0, webhook: $1) }
    }

    private func sync<Row: ChildRow>(from old: [Row], to new: [Row]) async throws {
        let kept = Set(new.map(\.childId))
        for row in old where !kept.contains(row.childId) {
            try await connection.query(row.delete, logger: logger)
        }
        let stored = Set(old)
        for row in new where !stored.contains(row) {
            try await connection.query(row.upsert, logger: logger)
        }
    }
}
