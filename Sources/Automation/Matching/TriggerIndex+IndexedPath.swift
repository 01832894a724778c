import Foundation
import JSONPath

extension TriggerIndex {
    /// The triggers of a partition filed under one path, by the literal their key predicate
    /// compares that path to, and how to read the path from an event without the query engine.
    ///
    /// String literals, by far the most common, are keyed by Swift `String`, whose hashing takes
    /// the bytes in bulk (``JSONPath/JSONValue``'s hash feeds them one by one). Swift's `==` is
    /// canonical equivalence, coarser than JSONPath's scalar identity, so a lookup can only find
    /// extra candidates (which the full filter then rejects), never miss one.
    struct IndexedPath: Sendable {
        /// Member names from the event root (`["item", "appId"]`).
        let path: [String]
        /// All names but the last: the object holding the key.
        let parent: [MemberName]
        /// The last name; nil for the root itself (`$ == {…}`).
        let leaf: MemberName?
        /// Set when the previous path of the partition has the same ``parent``: its value is
        /// reused instead of navigated again.
        var sharesParentWithPrevious = false
        var strings: [String: [Int32]] = [:]
        var others: [JSONValue: [Int32]] = [:]

        init(path: [String]) {
            self.path = path
            parent = path.dropLast().map(MemberName.init)
            leaf = path.last.map(MemberName.init)
        }

        mutating func insert(_ slot: Int32, for value: JSONValue) {
            if case .string(let text) = value {
                strings[text, default: []].append(slot)
            } else {
                others[value, default: []].append(slot)
            }
        }

        /// The triggers whose key literal may equal `value`.
        @inline(__always)
        func bucket(for value: JSONValue) -> [Int32]? {
            if case .string(let text) = value { return strings[text] }
            return others[value]
        }

        /// Every bucket, for statistics.
        var buckets: [[Int32]] { Array(strings.values) + Array(others.values) }

        /// The key's value given the value of ``parent``.
        @inline(__always)
        func leafValue(in parent: JSONValue) -> JSONValue? {
            guard let leaf else { return parent }
            return Self.member(leaf, of: parent)
        }

        /// The value at `names` from `document`, or nil when a step is missing or not an object:
        /// then no equality predicate on the path can hold (`Nothing` never equals a literal).
        @inline(__always)
        static func value(at names: [MemberName], in document: JSONValue) -> JSONValue? {
            var current = document
            for name in names {
                guard let next = member(name, of: current) else { return nil }
                current = next
            }
            return current
        }

        /// The member `name` of `value` when it is an object. Compares UTF-8 bytes (JSONPath's
        /// scalar identity) after the precomputed length, which rejects most members at once.
        @inline(__always)
        static func member(_ name: MemberName, of value: JSONValue) -> JSONValue? {
            guard case .object(let object) = value else { return nil }
            for member in object.members where member.key.utf8.count == name.count {
                if name.matches(member.key) { return member.value }
            }
            return nil
        }
    }

    /// A member name with its UTF-8 length, computed once when the index is built.
    struct MemberName: Sendable {
        let text: String
        let count: Int

        init(_ text: String) {
            self.text = text
            count = text.utf8.count
        }

        /// Byte equality with `key`, already known to have ``count`` bytes; `memcmp` on the
        /// contiguous UTF-8 of native strings.
        @inline(__always)
        func matches(_ key: String) -> Bool {
            let equal = key.utf8.withContiguousStorageIfAvailable { keyBytes in
                text.utf8.withContiguousStorageIfAvailable { nameBytes in
                    count == 0 || memcmp(keyBytes.baseAddress!, nameBytes.baseAddress!, count) == 0
                }
            }
            if let equal, let equal { return equal }
            return key.utf8.elementsEqual(text.utf8)
        }
    }
}
