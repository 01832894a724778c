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

    public func tokens(tenant: TenantID, page: PageRequest) async throws -> Page<APIToken> {
        let limit = max(0, page.limit)
        let after = try page.cursor.map { text throws(AutomationError) in
            guard let cursor = TokenCursor(text) else { throw AutomationError.invalidInput("cursor is not valid", field: "cursor") }
            return cursor
        }
        return try await writer.read { db in
            var request = TokenRecord.filter(Column("tenantId") == tenant.rawValue)
            if let after {
                request = request.filter(sql: "(dateCreated, id) > (?, ?)", arguments: [after.dateCreated, after.id])
            }
            let tokens = try request.order(Column("dateCreated"), Column("id")).limit(limit + 1).fetchAll(db).map(\.token)
            let items = Array(tokens.prefix(limit))
            return Page(items: items, nextCursor: tokens.count > limit ? items.last.map { TokenCursor($0).description } : nil)
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
