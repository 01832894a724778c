import Automation
import GRDB

/// A row of `apiToken`: the token's hash, never its secret.
struct TokenRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "apiToken"

    var token: APIToken

    init(_ token: APIToken) { self.token = token }

    init(row: Row) throws {
        let table = Self.databaseTableName
        token = APIToken(
            id: try row.identifier(TokenID.self, "id", table: table),
            tenantId: TenantID(rawValue: try row.decode(forColumn: "tenantId")),
            role: try row.enumeration(Role.self, "role", table: table),
            name: try row.decode(forColumn: "name"),
            secretHash: try row.decode(forColumn: "secretHash"),
            dateCreated: try row.date("dateCreated"),
            expiresAt: try row.optionalDate("expiresAt"),
            lastUsedAt: try row.optionalDate("lastUsedAt")
        )
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = token.id.description
        container["tenantId"] = token.tenantId.rawValue
        container["role"] = token.role.rawValue
        container["name"] = token.name
        container["secretHash"] = token.secretHash
        container["dateCreated"] = StoredDate.value(token.dateCreated)
        container["expiresAt"] = token.expiresAt.map(StoredDate.value)
        container["lastUsedAt"] = token.lastUsedAt.map(StoredDate.value)
    }
}
