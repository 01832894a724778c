import Automation

/// Stable 64-bit hashes that history is looked up by (schema v4).
///
/// Why: the idempotency key and process ids are random UUID text, so an index on them takes each
/// new row at a random leaf; a batch of rows dirties a page per row and index, and every dirty
/// page is written to the WAL at commit and again at checkpoint. An index on an 8-byte hash is a
/// fifth of the size, so a batch's rows share far fewer pages. Hashes may collide: every lookup
/// also compares the full value, and the indexes on them are not unique.
///
/// Since v16 only the process hash is indexed: the idempotency key has a unique index on its full
/// value (uniqueness cannot rest on a hash that may collide), which serves lookups by key too. The
/// `keyHash` column stays (a column drop rewrites the table) at its default; ``key(_:)`` is
/// for migration v4 only.
///
/// FNV-1a over the UTF-8 bytes, then the SplitMix64 finalizer so that nearby inputs spread over
/// the whole range; fixed forever (stored hashes must keep matching), unlike Swift's `Hasher`.
enum LookupHash {
    /// The idempotency key's hash: event id, trigger id (empty for none), item index.
    static func key(sourceEventId: String, triggerId: String?, itemIndex: Int) -> Int64 {
        var state = Self.offsetBasis
        mix(&state, sourceEventId)
        mix(&state, separator)
        mix(&state, triggerId ?? "")
        mix(&state, separator)
        mix(&state, String(itemIndex))
        return finalize(state)
    }

    static func key(_ key: ExecutionKey) -> Int64 {
        Self.key(sourceEventId: key.sourceEventId, triggerId: key.triggerId?.description, itemIndex: key.itemIndex)
    }

    /// A process id's hash.
    static func process(_ processId: String) -> Int64 {
        var state = Self.offsetBasis
        mix(&state, processId)
        return finalize(state)
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3
    /// U+001F, which no id contains, so `("a|b", "")` and `("a", "b")` differ.
    private static let separator = "\u{1F}"

    private static func mix(_ state: inout UInt64, _ text: String) {
        for byte in text.utf8 {
            state = (state ^ UInt64(byte)) &* prime
        }
    }

    private static func finalize(_ state: UInt64) -> Int64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return Int64(bitPattern: z ^ (z >> 31))
    }
}
