import Automation
import Foundation
import PostgresNIO

/// A row of `automated_action`: the action's own fields, its items as a JSON array in `items`.
/// Schedules, triggers and webhooks have their own tables (``ChildRows``).
struct ActionRow: Hashable {
    static let table = "automated_action"

    /// The columns ``action(_:)`` reads, for `SELECT \(columns) FROM automated_action a`.
    static let columns = """
        a.id, a.tenant_id, a.namespace, a.name, a.description, a.status, a.items, a.next_scheduled_run_at, a.total_executions,
        a.consecutive_failures, a.date_created, a.date_updated, a.policies, a.paused_reason, a.paused_at, a.managed_by,
        a.defined_in, a.execution
        """

    /// The action without its children: what the row holds (equal rows: nothing to write).
    let own: AutomatedAction
    /// The JSON columns as written.
    let items: String
    let policies: String?

    init(_ action: AutomatedAction) throws {
        var own = action
        own.schedules = []
        own.messageTriggers = []
        own.webhooks = []
        self.own = own
        items = try StoredJSON.text(action.actions)
        policies = action.policies.isEmpty ? nil : try StoredJSON.text(action.policies)
    }

    /// The aggregate without its children, read from ``columns``.
    static func action(_ row: StoredRow) throws -> AutomatedAction {
        let managedBy = try row.value("managed_by", as: String?.self).map { text in
            guard let manager = ActionManager(rawValue: text) else {
                throw PostgresStoreError.corruptValue(table: table, column: "managed_by", reason: "unknown value")
            }
            return manager
        }
        return AutomatedAction(
            id: try row.id("id"),
            tenantId: TenantID(rawValue: try row.value("tenant_id")),
            namespace: NamespaceName(rawValue: try row.value("namespace")),
            name: try row.value("name"),
            description: try row.value("description"),
            status: try row.enumeration("status"),
            actions: try row.json("items"),
            schedules: [],
            messageTriggers: [],
            nextScheduledRunAt: try row.value("next_scheduled_run_at"),
            totalExecutions: try row.value("total_executions"),
            consecutiveFailures: try row.value("consecutive_failures"),
            dateCreated: try row.value("date_created"),
            dateUpdated: try row.value("date_updated"),
            policies: try row.optionalJSON("policies") ?? FailurePolicies(),
            pausedReason: try row.value("paused_reason"),
            pausedAt: try row.value("paused_at"),
            managedBy: managedBy,
            definedIn: try row.value("defined_in"),
            execution: try row.enumeration("execution"))
    }

    var insert: PostgresQuery {
        let a = own
        return """
            INSERT INTO automated_action (
                id, tenant_id, namespace, name, description, status, items, next_scheduled_run_at, total_executions,
                consecutive_failures, date_created, date_updated, policies, paused_reason, paused_at, managed_by, defined_in, execution)
            VALUES (
                \(a.id.rawValue), \(a.tenantId.rawValue), \(a.namespace.rawValue), \(a.name), \(a.description), \(a.status.rawValue),
                \(items), \(a.nextScheduledRunAt), \(a.totalExecutions), \(a.consecutiveFailures), \(a.dateCreated), \(a.dateUpdated),
                \(policies), \(a.pausedReason), \(a.pausedAt), \(a.managedBy?.rawValue), \(a.definedIn), \(a.execution.rawValue))
            """
    }

    /// Writes every column but the id (a tenant never changes: it is in the WHERE).
    var update: PostgresQuery {
        let a = own
        return """
            UPDATE automated_action SET
                namespace = \(a.namespace.rawValue), name = \(a.name), description = \(a.description), status = \(a.status.rawValue),
                items = \(items), next_scheduled_run_at = \(a.nextScheduledRunAt), total_executions = \(a.totalExecutions),
                consecutive_failures = \(a.consecutiveFailures), date_created = \(a.dateCreated), date_updated = \(a.dateUpdated),
                policies = \(policies), paused_reason = \(a.pausedReason), paused_at = \(a.pausedAt), managed_by = \(a.managedBy?.rawValue),
                defined_in = \(a.definedIn), execution = \(a.execution.rawValue)
            WHERE id = \(a.id.rawValue) AND tenant_id = \(a.tenantId.rawValue)
            """
    }
}
