import Foundation

extension AutomationService {
    /// How stale ``APIToken/lastUsedAt`` may get: a token's use is written at most this often,
    /// not on every request.
    static let tokenUseResolution: TimeInterval = 60

    /// The caller a bearer token stands for; `unauthorized` when the token is malformed, unknown
    /// or expired (not distinguished).
    public func authenticate(bearerToken: String) async throws(AutomationError) -> Caller {
        let secret = bearerToken.trimmingCharacters(in: .whitespaces)
        guard TokenSecret.isWellFormed(secret) else { throw .unauthorized() }
        let hash = TokenSecret.hash(secret)
        let now = now()
        guard let token = try await storeCall({ try await store.token(secretHash: hash) }), !token.isExpired(at: now) else {
            throw .unauthorized()
        }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.tokenUseResolution }) ?? true {
            try await storeCall { try await store.touchToken(id: token.id, at: now) }
        }
        return Caller(tenantId: token.tenantId, role: token.role, tokenId: token.id)
    }

    /// The caller's tenant's tokens (never their secrets), oldest first, a page at a time. Admin only.
    public func tokens(page: PageRequest = PageRequest(), as caller: Caller) async throws(AutomationError) -> Page<APIToken> {
        try requireAdmin(caller, "list tokens")
        return try await storeCall { try await store.tokens(tenant: caller.tenantId, page: page) }
    }

    /// Revokes a token of the caller's tenant; `notFound` for one it does not have. Admin only.
    public func revokeToken(_ id: TokenID, as caller: Caller) async throws(AutomationError) {
        try requireAdmin(caller, "revoke tokens")
        guard try await storeCall({ try await store.deleteToken(id: id, tenant: caller.tenantId) }) else {
            throw .notFound("token \(id) does not exist", field: "id")
        }
    }

    /// Creates a token for `tenant` with `role` and returns its secret, which is shown once and
    /// stored only as a hash. For operator tools working on the database (`signalbox token
    /// create`); the tenant must exist.
    public func issueToken(
        tenant: TenantID, role: Role, name: String? = nil, expiresAt: Date? = nil
    ) async throws(AutomationError) -> IssuedToken {
        try AutomationValidator.validateTenantID(tenant)
        if let name { try AutomationValidator.validateName(name, field: "name") }
        if let expiresAt, expiresAt <= now() {
            throw .invalidValue("expiresAt must be in the future, got \(expiresAt.formatted(.iso8601))", field: "expiresAt")
        }
        guard try await storeCall({ try await store.tenant(id: tenant) }) != nil else {
            throw .notFound("tenant \(tenant) does not exist", field: "tenant")
        }
        let secret = TokenSecret.generate()
        let token = APIToken(
            tenantId: tenant, role: role, name: name, secretHash: TokenSecret.hash(secret), dateCreated: now(), expiresAt: expiresAt)
        try await storeCall { try await store.insertToken(token) }
        return IssuedToken(token: token, secret: secret)
    }

    /// Creates a token in the caller's own tenant. Admin only.
    public func issueToken(role: Role, name: String? = nil, expiresAt: Date? = nil, as caller: Caller) async throws(AutomationError) -> IssuedToken {
        try requireAdmin(caller, "create tokens")
        return try await issueToken(tenant: caller.tenantId, role: role, name: name, expiresAt: expiresAt)
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
