/// A hash index over the member keys of a wide ``JSONObject``: key → position in `members`.
///
/// Small objects (at most ``threshold`` members, nearly every event) need none and are scanned;
/// past the threshold the parser, ``JSONObject/Builder`` and ``JSONObject/KeyLookup`` build one
/// while they work, so building an object of n members is O(n) and their lookups O(1) whatever
/// the width. Objects do not keep it (see ``JSONObject``).
///
/// Open addressing with linear probing over one `[UInt64]`: each slot holds the key's 32-bit hash
/// (high half) and its position + 1 (low half, 0 = empty), so growing rehashes without touching
/// the keys and a probe compares keys only when the stored hashes agree. Keys are hashed with the
/// per-process seeded `Hasher` over their UTF-8 bytes (scalar identity, as lookups compare), so
/// keys chosen to collide cannot be prepared in advance.
struct MemberIndex: Sendable {
    /// Objects with more members than this get an index.
    @inline(__always) static var threshold: Int { 32 }

    private var slots: [UInt64]
    private var occupied = 0

    /// An index of `members`, whose keys must be unique.
    init(uniqueMembers members: UnsafeBufferPointer<JSONObject.Member>) {
        var capacity = 64
        while capacity < 2 * (members.count + 1) { capacity *= 2 }
        slots = [UInt64](repeating: 0, count: capacity)
        for i in members.indices { insert(hash: MemberIndex.hash(of: members[i].key), position: i) }
    }

    /// The index's hash of `key`: its UTF-8 bytes through the seeded `Hasher`, folded to 32 bits.
    static func hash(of key: String) -> UInt32 {
        var hasher = Hasher()
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        let h = UInt64(UInt(bitPattern: hasher.finalize()))
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// The position of `key` in `members` (the members this index was built for).
    func find(
        _ key: String, fingerprint: UInt64, hash: UInt32, in members: UnsafeBufferPointer<JSONObject.Member>
    ) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Int(hash) & mask
            while true {
                let entry = slots[slot]
                if entry == 0 { return nil }
                if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                    let position = Int(UInt32(truncatingIfNeeded: entry)) - 1
                    let member = members[position]
                    if member.fingerprint == fingerprint && member.key.isScalarIdentical(to: key) { return position }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Records a key not yet in the index at `position`.
    mutating func insert(hash: UInt32, position: Int) {
        if 2 * (occupied + 1) > slots.count { grow() }
        let entry = UInt64(hash) << 32 | UInt64(UInt32(truncatingIfNeeded: position + 1))
        slots.withUnsafeMutableBufferPointer { MemberIndex.place(entry, in: $0) }
        occupied += 1
    }

    @inline(__always)
    private static func place(_ entry: UInt64, in slots: UnsafeMutableBufferPointer<UInt64>) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: entry >> 32) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        bigger.withUnsafeMutableBufferPointer { target in
            for entry in slots where entry != 0 { MemberIndex.place(entry, in: target) }
        }
        slots = bigger
    }
}
