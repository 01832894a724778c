import Automation
import Foundation
import GRDB

// MARK: Actions

extension SQLiteAutomationStore {
    public func insertAction(_ action: AutomatedAction, tenantLimit: Int?) async throws {
        try await writer.write { db in
            guard try !ActionRecord.exists(db, key: action.id.description) else {
                throw AutomationError.conflict("action \(action.id) already exists", field: "id")
            }
            if let tenantLimit {
                let existing = try Self.actionCount(db, tenant: action.tenantId)
                if existing >= tenantLimit { throw AutomationError.actionQuota(tenantLimit, has: existing) }
            }
            try ActionGraph.checkNameFree(db, action)
            var stored = action
            stored.refreshNextScheduledRun()
            do {
                try ActionGraph.insert(db, stored)
            } catch let error as DatabaseError where error.isUniqueViolation {
                // Only reachable through a duplicate child id within `action` (the checks above
                // run in this transaction): report it as the conflict it is.
                throw AutomationError.conflict("action \(action.id) has duplicate schedule or trigger ids", field: nil)
            }
        }
    }

    public func updateAction(_ action: AutomatedAction, statusRead: ActionStatus?) async throws -> AutomatedAction {
        try await writer.write { db in
            guard let existing = try ActionGraph.fetch(db, id: action.id, tenant: action.tenantId) else {
                throw AutomationError.notFound("action \(action.id) does not exist")
            }
            try existing.requireEditable()
            try existing.requireNotFileManaged()
            try ActionGraph.checkNameFree(db, action)
            var stored = action
            // Webhooks change only through their own calls (with their credentials): a write of
            // an action read before one was added or removed must not undo that.
            stored.webhooks = existing.webhooks
            stored.keepStatus(of: existing, ifUnchangedFrom: statusRead)
            stored.keepStoreOwnedFields(of: existing)
            try ActionGraph.save(db, from: existing, to: stored)
            return stored
        }
    }

    public func actionCount(tenant: TenantID) async throws -> Int {
        try await writer.read { db in try Self.actionCount(db, tenant: tenant) }
    }

    static func actionCount(_ db: Database, tenant: TenantID) throws -> Int {
        // The automatedAction_name index's prefix (tenantId, namespace, name).
        try Int.fetchOne(db, sql: "SELECT count(*) FROM automatedAction WHERE tenantId = ?", arguments: [tenant.rawValue]) ?? 0
    }

    public func action(id: ActionID, tenant: TenantID) async throws -> AutomatedAction? {
        try await writer.read { db in try ActionGraph.fetch(db, id: id, tenant: tenant) }
    }

    public func action(named name: String, namespace: NamespaceName, tenant: TenantID) async throws -> AutomatedAction? {
        try await writer.read { db in
            let record =
                try ActionRecord
                .filter(Column("tenantId") == tenant.rawValue)
                .filter(Column("namespace") == namespace.rawValue)
                .filter(Column("name") == name)
                .fetchOne(db)
            return try record.flatMap { try ActionGraph.assemble(db, [$0]).first }
        }
    }

    public func actions(_ filter: ActionListFilter, tenant: TenantID, page: PageRequest) async throws -> Page<AutomatedAction> {
        let after = try page.cursor.map { cursor throws(AutomationError) in try ActionListFilter.position(of: cursor) }
        let limit = max(0, page.limit)
        return try await writer.read { db in
            // Walks automatedAction_name (tenantId, namespace, name) in order.
            var request = ActionRecord.filter(Column("tenantId") == tenant.rawValue)
            if let namespace = filter.namespace { request = request.filter(Column("namespace") == namespace.rawValue) }
            if let status = filter.status {
                request = request.filter(Column("status") == status.rawValue)
            } else {
                request = request.filter(Column("status") != ActionStatus.archived.rawValue)
            }
            switch filter.trigger {
            case nil: break
            case .schedule: request = request.filter(sql: "EXISTS (SELECT 1 FROM cronSchedule WHERE actionId = automatedAction.id)")
            case .message: request = request.filter(sql: "EXISTS (SELECT 1 FROM messageTrigger WHERE actionId = automatedAction.id)")
            case .webhook: request = request.filter(sql: "EXISTS (SELECT 1 FROM webhookTrigger WHERE actionId = automatedAction.id)")
            }
            if let after {
                request = request.filter(
                    Column("namespace") > after.namespace || (Column("namespace") == after.namespace && Column("name") > after.name))
            }
            let records = try request.order(Column("namespace"), Column("name")).limit(limit + 1).fetchAll(db)
            let items = try ActionGraph.assemble(db, Array(records.prefix(limit)))
            let next = records.count > limit ? items.last.map(ActionListFilter.cursor(after:)) : nil
            return Page(items: items, nextCursor: next)
        }
    }

    public func deleteAction(id: ActionID, tenant: TenantID) async throws -> Bool {
        // Schedules, triggers and history go with it: ON DELETE CASCADE.
        try await writer.write { db in
            try ActionRecord.filter(Column("id") == id.description && Column("tenantId") == tenant.rawValue).deleteAll(db) > 0
        }
    }

    // MARK: Pipeline and scheduler queries

    public func actionsWithEnabledSchedules(tenant: TenantID?) async throws -> [AutomatedAction] {
        try await writer.read { db in
            var condition = "status = ? AND id IN (SELECT actionId FROM cronSchedule WHERE isEnabled)"
            var arguments: StatementArguments = [ActionStatus.active.rawValue]
            if let tenant {
                condition += " AND tenantId = ?"
                arguments += [tenant.rawValue]
            }
            let records = try ActionRecord.fetchAll(db, where: condition, arguments: arguments, orderBy: "tenantId, namespace, name")
            return try ActionGraph.assemble(db, records)
        }
    }

    public func definitionsVersion() async throws -> Int64 {
        try await writer.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM definitionsVersion WHERE id = 1")) ?? 0
        }
    }

    public func actionsWithEnabledTriggers() async throws -> [AutomatedAction] {
        try await writer.read { db in
            var all: [AutomatedAction] = []
            try Self.readTriggerDefinitions(db, inChunksOf: .max) { all += $0 }
            return all
        }
    }

    public func actionsWithEnabledTriggers(
        inChunksOf size: Int, _ each: @escaping @Sendable ([AutomatedAction]) -> Void
    ) async throws {
        try await writer.read { db in try Self.readTriggerDefinitions(db, inChunksOf: size, each) }
    }

    /// Start-up reads every one of them: one ordered scan of actions joined to their triggers (no
    /// schedules: matching does not use them), columns by position, one decode per distinct
    /// items text, and each chunk handed over as soon as its last action is complete.
    private static func readTriggerDefinitions(
        _ db: Database, inChunksOf size: Int, _ each: ([AutomatedAction]) -> Void
    ) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(ActionRecord.columns.map { "a.\($0)" }.joined(separator: ", ")),
                t.id, t.name, t.isEnabled, t.triggerType, t.eventFilter, t.timing
            FROM automatedAction a JOIN messageTrigger t ON t.actionId = a.id
            WHERE a.status = ? AND EXISTS (SELECT 1 FROM messageTrigger e WHERE e.actionId = a.id AND e.isEnabled)
            ORDER BY a.tenantId, a.namespace, a.name, t.position
            """, arguments: [ActionStatus.active.rawValue])
        let size = max(1, size)
        var items = ItemsDecoder()
        var chunk: [AutomatedAction] = []
        var current: AutomatedAction?
        while let row = try rows.next() {
            let actionId = try row.identifier(ActionID.self, atIndex: 0, column: "id", table: ActionRecord.databaseTableName)
            if current?.id != actionId {
                if let complete = current {
                    chunk.append(complete)
                    if chunk.count == size {
                        each(chunk)
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                current = try ActionRecord(positionalRow: row, items: &items).action(schedules: [], triggers: [])
            }
            current?.messageTriggers.append(try TriggerRecord.trigger(row, from: ActionRecord.columns.count))
        }
        if let complete = current { chunk.append(complete) }
        if !chunk.isEmpty { each(chunk) }
    }

    /// Loads an action of `tenant` in a write transaction, applies `change`, stamps `dateUpdated`,
    /// refreshes `nextScheduledRunAt` and writes what changed, with a new webhook's credentials
    /// when given — the schedule, trigger and webhook methods' common path
    /// (``ActionEditingStore``), so a limit check and its insert are one transaction.
    public func editAction(
        _ actionId: ActionID, tenant: TenantID, at date: Date, storing credentials: (webhookId: WebhookID, credentials: WebhookCredentials)?,
        _ change: @escaping @Sendable (inout AutomatedAction) throws(AutomationError) -> Void
    ) async throws -> AutomatedAction {
        try await writer.write { db in
            guard let existing = try ActionGraph.fetch(db, id: actionId, tenant: tenant) else {
                throw AutomationError.notFound("action \(actionId) does not exist")
            }
            var action = existing
            try change(&action)
            action.dateUpdated = date
            action.refreshNextScheduledRun()
            try ActionGraph.save(db, from: existing, to: action)
            if let credentials { try WebhookCredentialsRecord(credentials.credentials, webhookId: credentials.webhookId).insert(db) }
            return action
        }
    }
}
