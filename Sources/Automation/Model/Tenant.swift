import Foundation

/// An organisation using Signalbox; owns actions, history and tokens.
public struct Tenant: Hashable, Sendable, Codable, Identifiable {
    public var id: TenantID
    /// A display name.
    public var name: String
    public var dateCreated: Date

    public init(id: TenantID, name: String, dateCreated: Date) {
        self.id = id
        self.name = name
        self.dateCreated = dateCreated
    }
}
