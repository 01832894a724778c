import Foundation

/// Who may call: tenants and their API tokens. The API's authentication reads it on every
/// request; the token and tenant endpoints write it. (Contract shared by every role: see
/// ``AutomationStore``.)
public protocol AccessStore: Sendable {
    // MARK: Tenants

    /// Adds a tenant; `conflict` if its id exists.
    func insertTenant(_ tenant: Tenant) async throws

    func tenant(id: TenantID) async throws -> Tenant?

    /// All tenants, by id.
    func tenants() async throws -> [Tenant]

    // MARK: Tokens

    /// Stores a token (hash only); `notFound` if its tenant does not exist.
    func insertToken(_ token: APIToken) async throws

    /// The token whose ``APIToken/secretHash`` is `secretHash` (the lookup behind every request).
    func token(secretHash: String) async throws -> APIToken?

    /// A tenant's tokens, oldest first, a page at a time.
    func tokens(tenant: TenantID, page: PageRequest) async throws -> Page<APIToken>

    /// Revokes a token; false if the tenant has no such token.
    func deleteToken(id: TokenID, tenant: TenantID) async throws -> Bool

    /// Records that the token authenticated a request at `date` (``APIToken/lastUsedAt``).
    func touchToken(id: TokenID, at date: Date) async throws
}
