import Automation
import Foundation
import PostgresNIO

// MARK: Tenants and tokens

extension PostgresAutomationStore {
    public func insertTenant(_ tenant: Tenant) async throws {
        try await transaction { [self] connection in
            let inserted = try await connection.changes(
                """
                INSERT INTO tenant (id, name, date_created) VALUES (\(tenant.id.rawValue), \(tenant.name), \(tenant.dateCreated))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger: logger)
            guard inserted > 0 else { throw AutomationError.conflict("tenant \(tenant.id) already exists", field: "tenantId") }
        }
    }

    public func tenant(id: TenantID) async throws -> Tenant? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM tenant WHERE id = \(id.rawValue)", logger: logger).first(table: "tenant", Self.tenant)
        }
    }

    public func tenants() async throws -> [Tenant] {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM tenant ORDER BY id", logger: logger).stored(table: "tenant", Self.tenant)
        }
    }

    private static func tenant(_ row: StoredRow) throws -> Tenant {
        Tenant(id: TenantID(rawValue: try row.value("id")), name: try row.value("name"), dateCreated: try row.value("date_created"))
    }

    public func insertToken(_ token: APIToken) async throws {
        try await transaction { [self] connection in
            guard try await connection.changes("SELECT 1 FROM tenant WHERE id = \(token.tenantId.rawValue)", logger: logger) > 0 else {
                throw AutomationError.notFound("tenant \(token.tenantId) does not exist", field: "tenant")
            }
            // Unique on its id and on its hash: a duplicate of either inserts nothing.
            let inserted = try await connection.changes(
                """
                INSERT INTO api_token (id, tenant_id, role, name, secret_hash, date_created, expires_at, last_used_at)
                VALUES (
                    \(token.id.rawValue), \(token.tenantId.rawValue), \(token.role.rawValue), \(token.name), \(token.secretHash),
                    \(token.dateCreated), \(token.expiresAt), \(token.lastUsedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            guard inserted > 0 else { throw AutomationError.conflict("token already exists", field: nil) }
        }
    }

    public func token(secretHash: String) async throws -> APIToken? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM api_token WHERE secret_hash = \(secretHash)", logger: logger)
                .first(table: "api_token", Self.token)
        }
    }

    public func tokens(tenant: TenantID, page: PageRequest) async throws -> Page<APIToken> {
        let limit = max(0, page.limit)
        let after = try page.cursor.map { text throws(AutomationError) in
            guard let cursor = TokenCursor(text), let id = UUID(uuidString: cursor.id) else {
                throw AutomationError.invalidInput("cursor is not valid", field: "cursor")
            }
            return (date: Date(timeIntervalSince1970: cursor.dateCreated), id: id)
        }
        return try await read { [self] connection in
            let tokens = try await connection.query(
                """
                SELECT * FROM api_token
                WHERE tenant_id = \(tenant.rawValue)
                    AND (\(after?.date)::timestamptz IS NULL OR (date_created, id) > (\(after?.date)::timestamptz, \(after?.id)::uuid))
                ORDER BY date_created, id LIMIT \(limit + 1)
                """, logger: logger
            ).stored(table: "api_token", Self.token)
            let items = Array(tokens.prefix(limit))
            return Page(items: items, nextCursor: tokens.count > limit ? items.last.map { TokenCursor($0).description } : nil)
        }
    }

    private static func token(_ row: StoredRow) throws -> APIToken {
        APIToken(
            id: try row.id("id"), tenantId: TenantID(rawValue: try row.value("tenant_id")), role: try row.enumeration("role"),
            name: try row.value("name"), secretHash: try row.value("secret_hash"), dateCreated: try row.value("date_created"),
            expiresAt: try row.value("expires_at"), lastUsedAt: try row.value("last_used_at"))
    }

    public func deleteToken(id: TokenID, tenant: TenantID) async throws -> Bool {
        try await transaction { [self] connection in
            try await connection.changes(
                "DELETE FROM api_token WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue) RETURNING 1", logger: logger) > 0
        }
    }

    public func touchToken(id: TokenID, at date: Date) async throws {
        try await transaction { [self] connection in
            _ = try await connection.query("UPDATE api_token SET last_used_at = \(date) WHERE id = \(id.rawValue)", logger: logger)
        }
    }
}
