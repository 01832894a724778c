import Automation
import Foundation
import PostgresNIO

// MARK: Actions

extension PostgresAutomationStore {
    func graph(_ connection: PostgresConnection) -> ActionGraph { ActionGraph(connection: connection, logger: logger) }

    public func insertAction(_ action: AutomatedAction, tenantLimit: Int?) async throws {
        try await transaction { [self] connection in
            // The count and the insert under one lock per tenant: concurrent inserts cannot pass the limit.
            if tenantLimit != nil { try await Self.lockTenant(action.tenantId, on: connection, logger: logger) }
            let graph = graph(connection)
            guard try await !graph.exists(action.id) else {
                throw AutomationError.conflict("action \(action.id) already exists", field: "id")
            }
            if let tenantLimit {
                let existing = try await Self.actionCount(connection, tenant: action.tenantId, logger: logger)
                if existing >= tenantLimit { throw AutomationError.actionQuota(tenantLimit, has: existing) }
            }
            try await graph.checkNameFree(action)
            var stored = action
            stored.refreshNextScheduledRun()
            // A name taken meanwhile by a concurrent insert meets the unique index: a conflict.
            try await graph.insert(stored)
        }
    }

    public func updateAction(_ action: AutomatedAction, statusRead: ActionStatus?) async throws -> AutomatedAction {
        try await transaction { [self] connection in
            let graph = graph(connection)
            guard let existing = try await graph.fetch(action.id, tenant: action.tenantId, lock: .forUpdate) else {
                throw AutomationError.notFound("action \(action.id) does not exist")
            }
            try existing.requireEditable()
            try existing.requireNotFileManaged()
            try await graph.checkNameFree(action)
            var stored = action
            // Webhooks change only through their own calls (with their credentials).
            stored.webhooks = existing.webhooks
            stored.keepStatus(of: existing, ifUnchangedFrom: statusRead)
            stored.keepStoreOwnedFields(of: existing)
            try await graph.save(from: existing, to: stored)
            return stored
        }
    }

    public func actionCount(tenant: TenantID) async throws -> Int {
        try await read { [self] connection in try await Self.actionCount(connection, tenant: tenant, logger: logger) }
    }

    static func actionCount(_ connection: PostgresConnection, tenant: TenantID, logger: Logger) async throws -> Int {
        try await connection.integer("SELECT count(*) FROM automated_action WHERE tenant_id = \(tenant.rawValue)", logger: logger)
    }

    public func action(id: ActionID, tenant: TenantID) async throws -> AutomatedAction? {
        try await read { [self] connection in try await graph(connection).fetch(id, tenant: tenant) }
    }

    public func action(named name: String, namespace: NamespaceName, tenant: TenantID) async throws -> AutomatedAction? {
        try await read { [self] connection in
            try await graph(connection).fetchAll(
                """
                SELECT \(unescaped: ActionRow.columns) FROM automated_action a
                WHERE a.tenant_id = \(tenant.rawValue) AND a.namespace = \(namespace.rawValue) AND a.name = \(name)
                """
            ).first
        }
    }

    public func actions(_ filter: ActionListFilter, tenant: TenantID, page: PageRequest) async throws -> Page<AutomatedAction> {
        let after = try page.cursor.map { cursor throws(AutomationError) in try ActionListFilter.position(of: cursor) }
        let limit = max(0, page.limit)
        let trigger: String? =
            switch filter.trigger {
            case nil: nil
            case .schedule: "cron_schedule"
            case .message: "message_trigger"
            case .webhook: "webhook_trigger"
            }
        // The table name comes from the enum above, never from the caller's text.
        let hasTrigger = trigger.map { "AND EXISTS (SELECT 1 FROM \($0) c WHERE c.action_id = a.id)" } ?? ""
        return try await read { [self] connection in
            // Walks automated_action_name (tenant_id, namespace, name) in order.
            let actions = try await graph(connection).fetchAll(
                """
                SELECT \(unescaped: ActionRow.columns) FROM automated_action a
                WHERE a.tenant_id = \(tenant.rawValue)
                    AND (\(filter.namespace?.rawValue)::text IS NULL OR a.namespace = \(filter.namespace?.rawValue))
                    AND (CASE WHEN \(filter.status?.rawValue)::text IS NULL THEN a.status <> 'archived'
                        ELSE a.status = \(filter.status?.rawValue) END)
                    \(unescaped: hasTrigger)
                    AND (\(after?.namespace)::text IS NULL
                        OR (a.namespace, a.name) > (\(after?.namespace)::text COLLATE "C", \(after?.name)::text COLLATE "C"))
                ORDER BY a.namespace, a.name
                LIMIT \(limit + 1)
                """)
            let items = Array(actions.prefix(limit))
            let next = actions.count > limit ? items.last.map(ActionListFilter.cursor(after:)) : nil
            return Page(items: items, nextCursor: next)
        }
    }

    public func deleteAction(id: ActionID, tenant: TenantID) async throws -> Bool {
        // Schedules, triggers, webhooks, history and delayed runs go with it: ON DELETE CASCADE.
        try await transaction { [self] connection in
            try await connection.changes(
                "DELETE FROM automated_action WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue) RETURNING 1", logger: logger) > 0
        }
    }

    // MARK: Pipeline and scheduler queries

    public func actionsWithEnabledSchedules(tenant: TenantID?) async throws -> [AutomatedAction] {
        try await read { [self] connection in
            try await graph(connection).fetchAll(
                """
                SELECT \(unescaped: ActionRow.columns) FROM automated_action a
                WHERE a.status = 'active' AND (\(tenant?.rawValue)::text IS NULL OR a.tenant_id = \(tenant?.rawValue))
                    AND EXISTS (SELECT 1 FROM cron_schedule s WHERE s.action_id = a.id AND s.is_enabled)
                ORDER BY a.tenant_id, a.namespace, a.name
                """)
        }
    }

    public func actionsWithEnabledTriggers() async throws -> [AutomatedAction] {
        try await read { [self] connection in
            try await graph(connection).fetchAll(
                """
                SELECT \(unescaped: ActionRow.columns) FROM automated_action a
                WHERE a.status = 'active' AND EXISTS (SELECT 1 FROM message_trigger t WHERE t.action_id = a.id AND t.is_enabled)
                ORDER BY a.tenant_id, a.namespace, a.name
                """, children: .triggers)
        }
    }

    public func definitionsVersion() async throws -> Int64 {
        try await read { [self] connection in
            Int64(try await connection.integer("SELECT version FROM definitions_version WHERE id = 1", logger: logger))
        }
    }

    /// Loads an action of `tenant` in a transaction with its row locked, applies `change`, stamps
    /// `dateUpdated`, refreshes `nextScheduledRunAt` and writes what changed, with a new
    /// webhook's credentials when given — the schedule, trigger and webhook methods' common path
    /// (``ActionEditingStore``), so a limit check and its insert are one transaction.
    public func editAction(
        _ actionId: ActionID, tenant: TenantID, at date: Date, storing credentials: (webhookId: WebhookID, credentials: WebhookCredentials)?,
        _ change: @escaping @Sendable (inout AutomatedAction) throws(AutomationError) -> Void
    ) async throws -> AutomatedAction {
        try await transaction { [self] connection in
            let graph = graph(connection)
            guard let existing = try await graph.fetch(actionId, tenant: tenant, lock: .forUpdate) else {
                throw AutomationError.notFound("action \(actionId) does not exist")
            }
            var action = existing
            try change(&action)
            action.dateUpdated = date
            action.refreshNextScheduledRun()
            try await graph.save(from: existing, to: action)
            if let credentials {
                try await connection.query(
                    StoredCredentials.upsert(
                        credentials.credentials, table: "webhook_credentials", keyColumn: "webhook_id", owner: credentials.webhookId.rawValue),
                    logger: logger)
            }
            return action
        }
    }
}
