import Automation
import Foundation
import GRDB

// MARK: Tenants and tokens

extension SQLiteAutomationStore {
    public func insertTenant(_ tenant: Tenant) async throws {
        try await writer.write { db in
            guard try !TenantRecord.exists(db, key: tenant.id.rawValue) else {
                throw AutomationError.conflict("tenant \(tenant.id) already exists", field: "tenantId")
            }
            try TenantRecord(tenant).insert(db)
        }
    }

    public func tenant(id: TenantID) async throws -> Tenant? {
        try await writer.read { db in try TenantRecord.fetchOne(db, key: id.rawValue)?.tenant }
    }

    public func tenants() async throws -> [Tenant] {
        try await writer.read { db in try TenantRecord.order(Column("id")).fetchAll(db).map(\.tenant) }
    }

    public func insertToken(_ token: APIToken) async throws {
        try await writer.write { db in
            guard try TenantRecord.exists(db, key: token.tenantId.rawValue) else {
                throw AutomationError.notFound("tenant \(token.tenantId) does not exist", field: "tenant")
            }
            let duplicate =
                try TokenRecord
                .filter(Column("id") == token.id.description || Column("secretHash") == token.secretHash)
                .fetchCount(db) > 0
            guard !duplicate else { throw AutomationError.conflict("token already exists", field: nil) }
            try TokenRecord(token).insert(db)
        }
    }

    public func token(secretHash: String) async throws -> APIToken? {
        try await writer.read { db in
            try TokenRecord.filter(Column("secretHash") == secretHash).fetchOne(db)?.token
        }
    }

    public func tokens(tenant: TenantID) async throws -> [APIToken] {
        try await writer.read { db in
            try TokenRecord.filter(Column("tenantId") == tenant.rawValue)
                .order(Column("dateCreated"), Column("id")).fetchAll(db).map(\.token)
        }
    }

    public func deleteToken(id: TokenID, tenant: TenantID) async throws -> Bool {
        try await writer.write { db in
            try TokenRecord.filter(Column("id") == id.description && Column("tenantId") == tenant.rawValue).deleteAll(db) > 0
        }
    }

    public func touchToken(id: TokenID, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ?", arguments: [StoredDate.value(date), id.description])
        }
    }
}
