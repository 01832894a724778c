/// A JSON object that keeps its members in document order.
///
/// Events are small (a few dozen members), so members live in one contiguous array and lookups
/// are a linear scan comparing UTF-8 bytes: that beats hashing for the sizes we see and keeps the
/// order that RFC 9535 output and normalized paths rely on. Keys are unique: building an object
/// with a repeated key keeps the first position and the last value, as most JSON parsers do.
public struct JSONObject: Sendable {
    /// One `key: value` member.
    public struct Member: Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in document order.
    public private(set) var members: [Member]

    public init() {
        members = []
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// Members already known to have unique keys (the parser checks).
    init(uniqueMembers: [Member]) {
        members = uniqueMembers
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }
    public var values: [JSONValue] { members.map(\.value) }

    /// The value for `key`, compared by Unicode scalars (no canonical equivalence).
    public subscript(key: String) -> JSONValue? {
        get {
            if let i = index(forKey: key) { return members[i].value }
            return nil
        }
        set {
            if let i = index(forKey: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// The position of `key` among ``members``.
    public func index(forKey key: String) -> Int? {
        var i = 0
        let n = members.count
        while i < n {
            if members[i].key.isScalarIdentical(to: key) { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Equality by Unicode scalar sequence (byte-wise UTF-8), as RFC 9535 requires.
    ///
    /// Swift's `==` uses canonical equivalence ("é" precomposed equals "e" + combining acute),
    /// which JSONPath must not do.
    @inline(__always)
    func isScalarIdentical(to other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        if let result = a.withContiguousStorageIfAvailable({ pa in
            b.withContiguousStorageIfAvailable { pb in pa.elementsEqual(pb) }
        }), let result {
            return result
        }
        return a.elementsEqual(b)
    }

    /// Ordering by Unicode scalar values; a proper prefix sorts first.
    ///
    /// Byte-wise UTF-8 order equals scalar order, so no decoding is needed.
    func scalarPrecedes(_ other: String) -> Bool {
        a: do {
            let result = utf8.withContiguousStorageIfAvailable { pa in
                other.utf8.withContiguousStorageIfAvailable { pb in pa.lexicographicallyPrecedes(pb) }
            }
            guard let r1 = result, let r2 = r1 else { break a }
            return r2
        }
        return utf8.lexicographicallyPrecedes(other.utf8)
    }
}
