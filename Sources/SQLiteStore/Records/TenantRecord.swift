import Automation
import GRDB

/// A row of `tenant`.
struct TenantRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "tenant"

    var tenant: Tenant

    init(_ tenant: Tenant) { self.tenant = tenant }

    init(row: Row) throws {
        tenant = Tenant(
            id: TenantID(rawValue: try row.decode(forColumn: "id")),
            name: try row.decode(forColumn: "name"),
            dateCreated: try row.date("dateCreated")
        )
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = tenant.id.rawValue
        container["name"] = tenant.name
        container["dateCreated"] = StoredDate.value(tenant.dateCreated)
    }
}
