/// A JSON object that keeps its members in document order.
///
/// Events are small (a few dozen members), so members live in one contiguous array and lookups
/// are a linear scan comparing UTF-8 bytes: that beats hashing for the sizes we see and keeps the
/// order that RFC 9535 output and normalized paths rely on. Past ``MemberIndex/threshold`` members
/// a hash index of the keys is kept beside the array, so wide objects (hostile events, large item
/// configs) still build in linear time and look up in constant time. Keys are unique: building an
/// object with a repeated key keeps the first position and the last value, as most JSON parsers do.
public struct JSONObject: Sendable {
    /// One `key: value` member.
    public struct Member: Sendable {
        public var key: String {
            didSet { fingerprint = JSONObject.fingerprint(of: key) }
        }
        public var value: JSONValue
        /// Length and leading bytes of `key` folded into one word: lookups compare this first,
        /// so scanning a member that does not match costs one integer comparison.
        private(set) var fingerprint: UInt64

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
            fingerprint = JSONObject.fingerprint(of: key)
        }

        init(key: String, value: JSONValue, fingerprint: UInt64) {
            self.key = key
            self.value = value
            self.fingerprint = fingerprint
        }
    }

    /// The lookup fingerprint of a key: its UTF-8 length and up to its first eight bytes.
    static func fingerprint(of key: String) -> UInt64 {
        var word: UInt64 = 0
        var shift: UInt64 = 0
        var count: UInt64 = 0
        for byte in key.utf8 {
            if shift < 64 {
                word |= UInt64(byte) << shift
                shift += 8
            }
            count += 1
        }
        return fingerprint(word: word, count: count)
    }

    @inline(__always)
    static func fingerprint(word: UInt64, count: UInt64) -> UInt64 {
        word ^ (count &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The members in document order.
    public private(set) var members: [Member]
    /// Key → position, present once the object is wider than ``MemberIndex/threshold``.
    private var keyIndex: MemberIndex?

    public init() {
        members = []
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// Members already known to have unique keys (the parser checks), with the parser's index of
    /// them when it built one; a wide object without one gets it here.
    init(uniqueMembers: [Member], keyIndex: MemberIndex? = nil) {
        members = uniqueMembers
        self.keyIndex = keyIndex
        if keyIndex == nil && uniqueMembers.count > MemberIndex.threshold { rebuildIndex() }
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
            let fingerprint = JSONObject.fingerprint(of: key)
            guard keyIndex != nil else {
                if let i = index(forKey: key, fingerprint: fingerprint) {
                    if let newValue { members[i].value = newValue } else { members.remove(at: i) }
                } else if let newValue {
                    members.append(Member(key: key, value: newValue, fingerprint: fingerprint))
                    if members.count > MemberIndex.threshold { rebuildIndex() }
                }
                return
            }
            // Wide: hash once for the lookup and the insertion.
            let hash = MemberIndex.hash(of: key)
            if let i = members.withUnsafeBufferPointer({ keyIndex?.find(key, fingerprint: fingerprint, hash: hash, in: $0) }) {
                if let newValue {
                    members[i].value = newValue
                } else {
                    // Positions after `i` shift: O(n), like the removal itself.
                    members.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue, fingerprint: fingerprint))
                keyIndex?.insert(hash: hash, position: members.count - 1)
            }
        }
    }

    /// The position of `key` among ``members``.
    public func index(forKey key: String) -> Int? {
        index(forKey: key, fingerprint: JSONObject.fingerprint(of: key))
    }

    /// Lookup with a precomputed ``fingerprint(of:)`` (compiled paths compute it once).
    @inline(__always)
    func index(forKey key: String, fingerprint: UInt64) -> Int? {
        members.withUnsafeBufferPointer { buffer in
            if let keyIndex {
                return keyIndex.find(key, fingerprint: fingerprint, hash: MemberIndex.hash(of: key), in: buffer)
            }
            for i in buffer.indices where buffer[i].fingerprint == fingerprint && buffer[i].key.isScalarIdentical(to: key) {
                return i
            }
            return nil
        }
    }

    /// Indexes the members when the object is wide, drops the index when it is not.
    private mutating func rebuildIndex() {
        keyIndex = nil
        guard members.count > MemberIndex.threshold else { return }
        keyIndex = members.withUnsafeBufferPointer { MemberIndex(uniqueMembers: $0) }
    }
}

extension String {
    /// Equality by Unicode scalar sequence (byte-wise UTF-8), as RFC 9535 requires.
    ///
    /// Swift's `==` uses canonical equivalence ("é" precomposed equals "e" + combining acute),
    /// which JSONPath must not do. Comparing lengths first rejects most member names at once.
    @inline(__always)
    func isScalarIdentical(to other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        if let result = a.withContiguousStorageIfAvailable({ pa in
            b.withContiguousStorageIfAvailable { pb in bytesEqual(pa, pb) }
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

/// Equal-length byte comparison, eight bytes at a time.
@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = a.count
    guard n == b.count else { return false }
    guard n > 0, let baseA = a.baseAddress, let baseB = b.baseAddress else { return true }
    let pa = UnsafeRawPointer(baseA)
    let pb = UnsafeRawPointer(baseB)
    var i = 0
    while i + 8 <= n {
        if pa.loadUnaligned(fromByteOffset: i, as: UInt64.self) != pb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if pa.load(fromByteOffset: i, as: UInt8.self) != pb.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
