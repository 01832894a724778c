/// A JSON object that keeps its members in document order.
///
/// Events are small (a few dozen members), so members live in one contiguous array and lookups
/// are a linear scan comparing UTF-8 bytes: that beats hashing for the sizes we see and keeps the
/// order that RFC 9535 output and normalized paths rely on. Keys are unique: building an object
/// with a repeated key keeps the first position and the last value, as most JSON parsers do.
///
/// Wide objects (hostile events, large item configs) are built in linear time by the parser and
/// ``Builder`` with a transient hash index (``MemberIndex``), and whoever looks up many keys of one
/// object (a decoder, equality) makes a ``KeyLookup`` once. The object itself stores nothing but
/// its array: a second stored property made every copy of a `JSONValue` retain two references,
/// and trigger evaluation 10–25 % slower.
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

    public init() {
        members = []
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        var builder = Builder(capacity: pairs.count)
        for (key, value) in pairs { builder.set(value, forKey: key) }
        self = builder.object
    }

    /// Members already known to have unique keys (the parser checks).
    init(uniqueMembers: [Member]) {
        members = uniqueMembers
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }
    public var values: [JSONValue] { members.map(\.value) }

    /// The value for `key`, compared by Unicode scalars (no canonical equivalence). Setting a
    /// member scans the members: to build an object of many members use ``Builder``.
    public subscript(key: String) -> JSONValue? {
        get {
            if let i = index(forKey: key) { return members[i].value }
            return nil
        }
        set {
            let fingerprint = JSONObject.fingerprint(of: key)
            if let i = index(forKey: key, fingerprint: fingerprint) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue, fingerprint: fingerprint))
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
        // A key of at most eight bytes is all in its fingerprint: equal fingerprints and equal
        // lengths are equal keys, without comparing the bytes.
        let length = key.utf8.count
        return members.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].fingerprint == fingerprint {
                if length <= 8 ? buffer[i].key.utf8.count == length : buffer[i].key.isScalarIdentical(to: key) { return i }
            }
            return nil
        }
    }

    /// `key`'s position: through `index` when there is one (built for these members), else by
    /// the scan. `hash` is only computed for the index.
    private func position(of key: String, fingerprint: UInt64, hash: @autoclosure () -> UInt32, index: MemberIndex?) -> Int? {
        guard let index else { return self.index(forKey: key, fingerprint: fingerprint) }
        return members.withUnsafeBufferPointer { index.find(key, fingerprint: fingerprint, hash: hash(), in: $0) }
    }

    /// A lookup for many keys of this object: constant time per key once the object is wider
    /// than ``MemberIndex/threshold`` (the index is built here, in linear time), a scan below.
    public func keyLookup() -> KeyLookup { KeyLookup(self) }

    /// See ``keyLookup()``.
    public struct KeyLookup: Sendable {
        public let object: JSONObject
        private let index: MemberIndex?

        init(_ object: JSONObject) {
            self.object = object
            index = object.count > MemberIndex.threshold ? object.members.withUnsafeBufferPointer { MemberIndex(uniqueMembers: $0) } : nil
        }

        /// The position of `key` among the object's members.
        public func index(forKey key: String) -> Int? {
            object.position(of: key, fingerprint: JSONObject.fingerprint(of: key), hash: MemberIndex.hash(of: key), index: index)
        }

        /// The value for `key`.
        public subscript(key: String) -> JSONValue? {
            index(forKey: key).map { object.members[$0].value }
        }
    }

    /// Builds an object member by member in linear time, however wide: past
    /// ``MemberIndex/threshold`` members it keeps a hash index of the keys.
    public struct Builder: Sendable {
        /// The object built so far.
        public private(set) var object = JSONObject()
        private var index: MemberIndex?

        public init(capacity: Int = 0) {
            object.members.reserveCapacity(capacity)
        }

        /// Sets `key` to `value`; true when the key was new (a repeated key keeps its position).
        @discardableResult
        public mutating func set(_ value: JSONValue, forKey key: String) -> Bool {
            let fingerprint = JSONObject.fingerprint(of: key)
            let hash = index == nil ? 0 : MemberIndex.hash(of: key)
            if let found = object.position(of: key, fingerprint: fingerprint, hash: hash, index: index) {
                object.members[found].value = value
                return false
            }
            object.members.append(Member(key: key, value: value, fingerprint: fingerprint))
            if index != nil {
                index?.insert(hash: hash, position: object.count - 1)
            } else if object.count > MemberIndex.threshold {
                index = object.members.withUnsafeBufferPointer { MemberIndex(uniqueMembers: $0) }
            }
            return true
        }

        /// Whether `key` was set.
        public func contains(_ key: String) -> Bool {
            object.position(of: key, fingerprint: JSONObject.fingerprint(of: key), hash: MemberIndex.hash(of: key), index: index) != nil
        }
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
