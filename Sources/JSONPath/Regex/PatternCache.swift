import Synchronization

/// Patterns that come from the document (`match(@.name, $.pattern)`), compiled once per text:
/// an event stream that repeats a pattern compiles it once, and a stream of distinct patterns
/// cannot grow memory (the cache holds at most `capacity` patterns of at most
/// ``maxCachedLength`` bytes, and empties itself when full).
final class PatternCache: Sendable {
    static let shared = PatternCache(capacity: 256)
    /// Longer patterns are compiled each time (their programs are the large ones).
    static let maxCachedLength = 1024

    let capacity: Int
    /// Nil for a text that is not an I-Regexp: a bad pattern is not parsed again either.
    private let entries = Mutex<[String: IRegexp?]>([:])
    private let compiled = Atomic(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The compiled `pattern`, nil when it is not an I-Regexp.
    func regex(_ pattern: String) -> IRegexp? {
        if let cached = entries.withLock({ $0[pattern] }) { return cached }
        compiled.add(1, ordering: .relaxed)
        let regex = try? IRegexp(pattern, buildDFA: false)
        guard pattern.utf8.count <= Self.maxCachedLength else { return regex }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = regex
        }
        return regex
    }

    /// How many patterns were compiled (for tests).
    var compilations: Int { compiled.load(ordering: .relaxed) }
    /// How many are held.
    var count: Int { entries.withLock { $0.count } }

    /// Whether `pattern` is held.
    func contains(_ pattern: String) -> Bool { entries.withLock { $0[pattern] != nil } }
}
