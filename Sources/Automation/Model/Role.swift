/// What a token may do within its tenant (seed 004): viewers read, members read and write, only
/// admins delete and manage tokens.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case viewer
    case member
    case admin

    /// Whether this role may delete actions, schedules and triggers.
    public var canDelete: Bool { self == .admin }

    /// Whether this role may change anything (a viewer only reads, and tests filters).
    public var canWrite: Bool { self != .viewer }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .member: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Who is calling: the tenant and role an authenticated token carries. Every service call takes
/// one; the service never looks at another tenant's data on its behalf.
public struct Caller: Hashable, Sendable, Codable {
    public var tenantId: TenantID
    public var role: Role
    /// The token that authenticated the call, if any (nil for operator tools working directly
    /// on the database).
    public var tokenId: TokenID?

    public init(tenantId: TenantID, role: Role, tokenId: TokenID? = nil) {
        self.tenantId = tenantId
        self.role = role
        self.tokenId = tokenId
    }
}
