import Automation
import Foundation
import PostgresNIO

// MARK: Definitions as code

extension PostgresAutomationStore {
    public func actions(tenant: TenantID) async throws -> [AutomatedAction] {
        try await read { [self] connection in
            try await graph(connection).fetchAll(
                "SELECT \(unescaped: ActionRow.columns) FROM automated_action a WHERE a.tenant_id = \(tenant.rawValue) ORDER BY a.namespace, a.name")
        }
    }

    public func applyDefinitions(_ changes: DefinitionChanges) async throws {
        try await transaction { [self] connection in
            let tenant = changes.tenant
            let graph = graph(connection)
            // The lock order: the tenant (its action count), then the actions this apply changes, by id.
            if changes.tenantLimit != nil { try await Self.lockTenant(tenant, on: connection, logger: logger) }
            _ = try await Self.lockActions(changes.deleted + changes.updated.map(\.id), on: connection, logger: logger)
            // Deletions first, so that a name freed by one is free for a creation.
            for id in changes.deleted {
                if let current = try await graph.fetch(id, tenant: tenant) { try changes.requireUnchangedSincePlanned(current) }
                // Schedules, triggers, webhooks and history go with it: ON DELETE CASCADE.
                try await connection.query(
                    "DELETE FROM automated_action WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue)", logger: logger)
            }
            for action in changes.updated {
                guard let existing = try await graph.fetch(action.id, tenant: tenant) else {
                    // Read by the plan, gone now: plan again; never read: not the apply's to change.
                    throw changes.planned[action.id] != nil
                        ? DefinitionChanges.changedSincePlanned(action, "was deleted")
                        : AutomationError.notFound("action \(action.id) does not exist")
                }
                try changes.requireUnchangedSincePlanned(existing)
                try await graph.checkNameFree(action)
                var stored = changes.reconciled(action, with: existing)
                stored.keepStoreOwnedFields(of: existing)
                try await graph.save(from: existing, to: stored)
            }
            for action in changes.created {
                guard action.tenantId == tenant else {
                    throw AutomationError.invalidInput(
                        "action \(action.id) is of tenant \(action.tenantId), not of the apply's tenant \(tenant)", field: "tenantId")
                }
                guard try await !graph.exists(action.id) else {
                    throw AutomationError.conflict("action \(action.id) already exists", field: "id")
                }
                try await graph.checkNameFree(action)
                var stored = action
                stored.refreshNextScheduledRun()
                try await graph.insert(stored)
            }
            for (id, credentials) in changes.webhookCredentials {
                try await connection.query(
                    StoredCredentials.upsert(credentials, table: "webhook_credentials", keyColumn: "webhook_id", owner: id.rawValue),
                    logger: logger)
            }
            // Counted after the writes, in their transaction: a throw undoes them all.
            if let limit = changes.tenantLimit, !changes.created.isEmpty {
                let count = try await Self.actionCount(connection, tenant: tenant, logger: logger)
                if count > limit { throw AutomationError.actionQuota(limit, has: count - changes.created.count + changes.deleted.count) }
            }
        }
    }
}
