import Automation
import Foundation
import GRDB
import JSONPath

/// A row of `automatedAction`: the action's own fields, its items as a JSON array in `items`.
/// Schedules and triggers have their own tables (``ScheduleRecord``, ``TriggerRecord``).
struct ActionRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "automatedAction"

    var id: ActionID
    var tenantId: TenantID
    var namespace: NamespaceName
    var name: String
    var description: String?
    var status: ActionStatus
    var items: [ActionItem]
    var nextScheduledRunAt: Date?
    var totalExecutions: Int
    var consecutiveFailures: Int
    var dateCreated: Date
    var dateUpdated: Date
    var policies: FailurePolicies
    var pausedReason: String?
    var pausedAt: Date?
    var managedBy: ActionManager?
    var definedIn: String?
    var execution: ActionExecution

    init(_ action: AutomatedAction) {
        execution = action.execution
        managedBy = action.managedBy
        definedIn = action.definedIn
        policies = action.policies
        pausedReason = action.pausedReason
        pausedAt = action.pausedAt
        id = action.id
        tenantId = action.tenantId
        namespace = action.namespace
        name = action.name
        description = action.description
        status = action.status
        items = action.actions
        nextScheduledRunAt = action.nextScheduledRunAt
        totalExecutions = action.totalExecutions
        consecutiveFailures = action.consecutiveFailures
        dateCreated = action.dateCreated
        dateUpdated = action.dateUpdated
    }

    init(row: Row) throws {
        let table = Self.databaseTableName
        id = try row.identifier(ActionID.self, "id", table: table)
        tenantId = TenantID(rawValue: try row.decode(forColumn: "tenantId"))
        namespace = NamespaceName(rawValue: try row.decode(forColumn: "namespace"))
        name = try row.decode(forColumn: "name")
        description = try row.decode(forColumn: "description")
        status = try row.enumeration(ActionStatus.self, "status", table: table)
        items = try row.json([ActionItem].self, "items", table: table)
        nextScheduledRunAt = try row.optionalDate("nextScheduledRunAt")
        totalExecutions = try row.decode(forColumn: "totalExecutions")
        consecutiveFailures = try row.decode(forColumn: "consecutiveFailures")
        dateCreated = try row.date("dateCreated")
        dateUpdated = try row.date("dateUpdated")
        policies = try row.optionalJSON(FailurePolicies.self, "policies", table: table) ?? FailurePolicies()
        pausedReason = try row.decode(forColumn: "pausedReason")
        pausedAt = try row.optionalDate("pausedAt")
        managedBy = try Self.manager(try row.decode(forColumn: "managedBy"), table: table)
        definedIn = try row.decode(forColumn: "definedIn")
        execution = try row.enumeration(ActionExecution.self, "execution", table: table)
    }

    /// The actions `WHERE condition ORDER BY order` (bulk reads: columns by position, one decode
    /// per distinct items text).
    static func fetchAll(_ db: Database, where condition: String, arguments: StatementArguments, orderBy order: String) throws -> [ActionRecord] {
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(databaseTableName) WHERE \(condition) ORDER BY \(order)"
        var items = ItemsDecoder()
        var records: [ActionRecord] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { records.append(try ActionRecord(positionalRow: row, items: &items)) }
        return records
    }

    /// The columns of the table, in the order ``init(positionalRow:items:)`` reads them.
    static let columns = [
        "id", "tenantId", "namespace", "name", "description", "status", "items", "nextScheduledRunAt",
        "totalExecutions", "consecutiveFailures", "dateCreated", "dateUpdated", "policies", "pausedReason", "pausedAt",
        "managedBy", "definedIn", "execution",
    ]

    /// Reads ``columns`` by position (no lookup by name per value: start-up reads 100,000 rows).
    init(positionalRow row: Row, items decoder: inout ItemsDecoder) throws {
        let table = Self.databaseTableName
        id = try row.identifier(ActionID.self, atIndex: 0, column: "id", table: table)
        tenantId = TenantID(rawValue: try row.decode(atIndex: 1))
        namespace = NamespaceName(rawValue: try row.decode(atIndex: 2))
        name = try row.decode(atIndex: 3)
        description = try row.decode(atIndex: 4)
        let status: String = try row.decode(atIndex: 5)
        guard let known = ActionStatus(rawValue: status) else {
            throw SQLiteStoreError.corruptValue(table: table, column: "status", reason: "unknown value")
        }
        self.status = known
        items = try decoder.items(try row.decode(atIndex: 6), table: table)
        nextScheduledRunAt = try row.decode(Double?.self, atIndex: 7).map(StoredDate.date)
        totalExecutions = try row.decode(atIndex: 8)
        consecutiveFailures = try row.decode(atIndex: 9)
        dateCreated = StoredDate.date(try row.decode(atIndex: 10))
        dateUpdated = StoredDate.date(try row.decode(atIndex: 11))
        let policiesText: String? = try row.decode(atIndex: 12)
        policies = try policiesText.map { try decoder.policies($0, table: table) } ?? FailurePolicies()
        pausedReason = try row.decode(atIndex: 13)
        pausedAt = try row.decode(Double?.self, atIndex: 14).map(StoredDate.date)
        managedBy = try Self.manager(try row.decode(atIndex: 15), table: table)
        definedIn = try row.decode(atIndex: 16)
        let execution: String = try row.decode(atIndex: 17)
        guard let knownExecution = ActionExecution(rawValue: execution) else {
            throw SQLiteStoreError.corruptValue(table: table, column: "execution", reason: "unknown value")
        }
        self.execution = knownExecution
    }

    /// The `managedBy` column: NULL or a known ``ActionManager``.
    private static func manager(_ text: String?, table: String) throws -> ActionManager? {
        guard let text else { return nil }
        guard let manager = ActionManager(rawValue: text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: "managedBy", reason: "unknown value")
        }
        return manager
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id.description
        container["tenantId"] = tenantId.rawValue
        container["namespace"] = namespace.rawValue
        container["name"] = name
        container["description"] = description
        container["status"] = status.rawValue
        container["items"] = try jsonText(items)
        container["nextScheduledRunAt"] = StoredDate.value(nextScheduledRunAt)
        container["totalExecutions"] = totalExecutions
        container["consecutiveFailures"] = consecutiveFailures
        container["dateCreated"] = StoredDate.value(dateCreated)
        container["dateUpdated"] = StoredDate.value(dateUpdated)
        container["policies"] = policies.isEmpty ? nil : try jsonText(policies)
        container["pausedReason"] = pausedReason
        container["pausedAt"] = StoredDate.value(pausedAt)
        container["managedBy"] = managedBy?.rawValue
        container["definedIn"] = definedIn
        container["execution"] = execution.rawValue
    }

    /// The aggregate, given its children in order.
    func action(schedules: [CronScheduleDefinition], triggers: [MessageTrigger]) -> AutomatedAction {
        AutomatedAction(
            id: id,
            tenantId: tenantId,
            namespace: namespace,
            name: name,
            description: description,
            status: status,
            actions: items,
            schedules: schedules,
            messageTriggers: triggers,
            nextScheduledRunAt: nextScheduledRunAt,
            totalExecutions: totalExecutions,
            consecutiveFailures: consecutiveFailures,
            dateCreated: dateCreated,
            dateUpdated: dateUpdated,
            policies: policies,
            pausedReason: pausedReason,
            pausedAt: pausedAt,
            managedBy: managedBy,
            definedIn: definedIn,
            execution: execution
        )
    }
}

/// Decodes the `items` column, remembering each distinct text it decoded: actions made from one
/// template share their items, and then they also share one array in memory. Lives for one read.
struct ItemsDecoder {
    private let decoder = AutomationJSON.decoder()
    /// Keyed by bytes: an item holding "café" precomposed is not one holding it decomposed.
    private var decoded: [ExactText: [ActionItem]] = [:]

    mutating func items(_ text: String, table: String) throws -> [ActionItem] {
        if let items = decoded[ExactText(text)] { return items }
        let items: [ActionItem]
        do {
            items = try decoder.decode([ActionItem].self, from: Data(text.utf8))
        } catch {
            throw SQLiteStoreError.corruptValue(table: table, column: "items", reason: "JSON does not decode")
        }
        // Bounded: past 4,096 distinct texts it starts afresh.
        if decoded.count >= 4096 { decoded.removeAll(keepingCapacity: true) }
        decoded[ExactText(text)] = items
        return items
    }

    func policies(_ text: String, table: String) throws -> FailurePolicies {
        do {
            return try decoder.decode(FailurePolicies.self, from: Data(text.utf8))
        } catch {
            throw SQLiteStoreError.corruptValue(table: table, column: "policies", reason: "JSON does not decode")
        }
    }
}
