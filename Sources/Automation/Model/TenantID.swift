/// The tenant that owns data. Every read and write is scoped to one; another tenant's data is
/// reported as not found, never as forbidden, so its existence does not leak.
///
/// Encoded as a plain JSON string. Valid ids are 1–64 characters of letters, digits, `-`, `_`
/// and `.` (checked by ``AutomationValidator/validateTenantID(_:)``).
public struct TenantID: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The tenant a fresh database gets, so a single-tenant installation needs no setup.
    public static let `default`: TenantID = "default"

    public var description: String { rawValue }
    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A namespace (`production`, `staging`): a folder of actions within a tenant; action names are
/// unique per namespace. Namespaces exist implicitly, by having actions.
///
/// Valid names are 1–100 characters of letters, digits, `-`, `_` and `.`, since they appear in
/// URL paths (`/namespaces/{ns}/automated-actions`).
public struct NamespaceName: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (lhs: NamespaceName, rhs: NamespaceName) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
