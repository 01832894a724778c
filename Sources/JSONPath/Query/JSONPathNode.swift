/// A node selected by a query: its value and where it is.
public struct JSONPathNode: Sendable, Hashable {
    public let value: JSONValue
    public let path: NormalizedPath

    public init(value: JSONValue, path: NormalizedPath) {
        self.value = value
        self.path = path
    }
}
