import Foundation

extension AutomationService {
    /// The caller a bearer token stands for; `unauthorized` when the token is malformed or
    /// unknown (the two are not distinguished).
    public func authenticate(bearerToken: String) async throws(AutomationError) -> Caller {
        let secret = bearerToken.trimmingCharacters(in: .whitespaces)
        guard TokenSecret.isWellFormed(secret) else { throw .unauthorized() }
        let hash = TokenSecret.hash(secret)
        guard let token = try await storeCall({ try await store.token(secretHash: hash) }) else {
            throw .unauthorized()
        }
        return Caller(tenantId: token.tenantId, role: token.role, tokenId: token.id)
    }

    /// Creates a token for `tenant` with `role` and returns its secret, which is shown once and
    /// stored only as a hash. For operator tools working on the database (`signalbox token
    /// create`); the tenant must exist.
    public func issueToken(tenant: TenantID, role: Role, name: String? = nil) async throws(AutomationError) -> IssuedToken {
        try AutomationValidator.validateTenantID(tenant)
        if let name { try AutomationValidator.validateName(name, field: "name") }
        guard try await storeCall({ try await store.tenant(id: tenant) }) != nil else {
            throw .notFound("tenant \(tenant) does not exist", field: "tenant")
        }
        let secret = TokenSecret.generate()
        let token = APIToken(tenantId: tenant, role: role, name: name, secretHash: TokenSecret.hash(secret), dateCreated: now())
        try await storeCall { try await store.insertToken(token) }
        return IssuedToken(token: token, secret: secret)
    }

    /// Creates a token in the caller's own tenant. Admin only.
    public func issueToken(role: Role, name: String? = nil, as caller: Caller) async throws(AutomationError) -> IssuedToken {
        try requireAdmin(caller, "create tokens")
        return try await issueToken(tenant: caller.tenantId, role: role, name: name)
    }

    /// Creates a tenant; `conflict` if it exists.
    public func createTenant(_ id: TenantID, name: String? = nil) async throws(AutomationError) -> Tenant {
        try AutomationValidator.validateTenantID(id)
        if let name { try AutomationValidator.validateName(name, field: "name") }
        let tenant = Tenant(id: id, name: name ?? id.rawValue, dateCreated: now())
        try await storeCall { try await store.insertTenant(tenant) }
        return tenant
    }

    /// First start: when the store has no tenant at all, creates `tenant` and returns it, so
    /// the caller can tell the operator, once, how to get an admin token. Nil otherwise.
    public func bootstrap(defaultTenant tenant: TenantID = .default) async throws(AutomationError) -> Tenant? {
        let existing = try await storeCall { try await store.tenants() }
        guard existing.isEmpty else { return nil }
        do {
            return try await createTenant(tenant)
        } catch where error.code == .conflict {
            return nil  // another process bootstrapped first
        }
    }
}
