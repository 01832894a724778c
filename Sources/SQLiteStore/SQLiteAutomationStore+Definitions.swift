import Automation
import Foundation
import GRDB

// MARK: Definitions as code

extension SQLiteAutomationStore {
    public func actions(tenant: TenantID) async throws -> [AutomatedAction] {
        try await writer.read { db in
            let records = try ActionRecord.fetchAll(db, where: "tenantId = ?", arguments: [tenant.rawValue], orderBy: "namespace, name")
            return try ActionGraph.assemble(db, records)
        }
    }

    public func applyDefinitions(_ changes: DefinitionChanges) async throws {
        try await writer.write { db in
            let tenant = changes.tenant
            // Deletions first, so that a name freed by one is free for a creation.
            for id in changes.deleted {
                if let current = try ActionGraph.fetch(db, id: id, tenant: tenant) { try changes.requireUnchangedSincePlanned(current) }
                // Schedules, triggers, webhooks and history go with it: ON DELETE CASCADE.
                try ActionRecord.filter(Column("id") == id.description && Column("tenantId") == tenant.rawValue).deleteAll(db)
            }
            for action in changes.updated {
                guard let existing = try ActionGraph.fetch(db, id: action.id, tenant: tenant) else {
                    // Read by the plan, gone now: plan again; never read: not the apply's to change.
                    throw changes.planned[action.id] != nil
                        ? DefinitionChanges.changedSincePlanned(action, "was deleted")
                        : AutomationError.notFound("action \(action.id) does not exist")
                }
                try changes.requireUnchangedSincePlanned(existing)
                try ActionGraph.checkNameFree(db, action)
                var stored = changes.reconciled(action, with: existing)
                stored.keepStoreOwnedFields(of: existing)
                try ActionGraph.save(db, from: existing, to: stored)
            }
            for action in changes.created {
                guard action.tenantId == tenant else {
                    throw AutomationError.invalidInput(
                        "action \(action.id) is of tenant \(action.tenantId), not of the apply's tenant \(tenant)", field: "tenantId")
                }
                guard try !ActionRecord.exists(db, key: action.id.description) else {
                    throw AutomationError.conflict("action \(action.id) already exists", field: "id")
                }
                try ActionGraph.checkNameFree(db, action)
                var stored = action
                stored.refreshNextScheduledRun()
                try ActionGraph.insert(db, stored)
            }
            for (id, credentials) in changes.webhookCredentials {
                try WebhookCredentialsRecord(credentials, webhookId: id).insert(db)
            }
            // Counted after the writes, in their transaction: a throw undoes them all.
            if let limit = changes.tenantLimit, !changes.created.isEmpty {
                let count = try Self.actionCount(db, tenant: tenant)
                if count > limit { throw AutomationError.actionQuota(limit, has: count - changes.created.count + changes.deleted.count) }
            }
        }
    }
}
