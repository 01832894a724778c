/// Where a paged listing starts and how much it returns.
///
/// The cursor is opaque: the store that produced it (as ``Page/nextCursor``) is the only one that
/// can read it. Limits outside `1...maximumLimit` are refused by the service.
public struct PageRequest: Hashable, Sendable, Codable {
    /// The default page size (history: the last 50 entries, seed 000).
    public static let defaultLimit = 50
    /// The largest page a caller may ask for.
    public static let maximumLimit = 1000

    public var limit: Int
    public var cursor: String?

    public init(limit: Int = PageRequest.defaultLimit, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of a listing; pass ``nextCursor`` back to get the following page (nil at the end).
public struct Page<Item: Sendable & Hashable & Codable>: Hashable, Sendable, Codable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String? = nil) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
