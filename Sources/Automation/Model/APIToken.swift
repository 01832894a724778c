import Foundation

/// A bearer token as stored: bound to a tenant and a role, its secret kept only as a SHA-256
/// hash. The secret itself exists once, in the ``IssuedToken`` returned at creation.
public struct APIToken: Hashable, Sendable, Codable, Identifiable {
    public var id: TokenID
    public var tenantId: TenantID
    public var role: Role
    /// A label for people (`ci`, `alice`), optional.
    public var name: String?
    /// Lowercase hex SHA-256 of the whole token string (see ``TokenSecret/hash(_:)``).
    public var secretHash: String
    public var dateCreated: Date
    /// When the token stops working; nil: never.
    public var expiresAt: Date?
    /// When a request last authenticated with it, to the minute (written at most once a minute).
    public var lastUsedAt: Date?

    public init(
        id: TokenID = .random(), tenantId: TenantID, role: Role, name: String? = nil, secretHash: String, dateCreated: Date,
        expiresAt: Date? = nil, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.role = role
        self.name = name
        self.secretHash = secretHash
        self.dateCreated = dateCreated
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    /// Whether the token has expired at `date`.
    public func isExpired(at date: Date) -> Bool {
        expiresAt.map { $0 <= date } ?? false
    }
}

/// A freshly created token: the stored record and the secret to hand to its user, once.
///
/// `description` hides the secret so the value can be logged safely; read ``secret`` explicitly.
public struct IssuedToken: Hashable, Sendable, CustomStringConvertible {
    public var token: APIToken
    /// The bearer string (`sbx_` + 43 base64url characters); never stored.
    public var secret: String

    public init(token: APIToken, secret: String) {
        self.token = token
        self.secret = secret
    }

    public var description: String {
        "token \(token.id) for tenant \(token.tenantId) (\(token.role.rawValue))"
    }
}

/// Where a page of tokens ends: the last token's creation time and id, as `seconds:id`
/// (tokens are listed by both, oldest first). Shared by the stores so their cursors agree.
public struct TokenCursor: Hashable, Sendable, CustomStringConvertible {
    /// Seconds since 1970, as stored.
    public var dateCreated: Double
    public var id: String

    public init(_ token: APIToken) {
        dateCreated = token.dateCreated.timeIntervalSince1970
        id = token.id.description
    }

    /// Nil when `text` is not a cursor this type wrote.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let seconds = Double(text[..<colon]), seconds.isFinite,
            !text[text.index(after: colon)...].isEmpty
        else { return nil }
        dateCreated = seconds
        id = String(text[text.index(after: colon)...])
    }

    public var description: String { "\(dateCreated):\(id)" }
}
