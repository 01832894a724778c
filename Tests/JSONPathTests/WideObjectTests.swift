@testable import JSONPath
import Testing

/// Objects with tens of thousands of members (issue 16): built, and looked up through a
/// `KeyLookup`, in linear time, with the small-object semantics (document order, first position
/// and last value for a repeated key, keys compared by Unicode scalars) unchanged.
@Suite("Wide objects")
struct WideObjectTests {
    /// Keys sharing their first eight bytes and their length share a lookup fingerprint, so
    /// lookups must compare the keys themselves.
    static func key(_ i: Int) -> String { "member-\(100_000 + i)" }

    static func objectText(members: Int) -> String {
        var text = "{"
        text.reserveCapacity(members * 20)
        for i in 0..<members {
            if i > 0 { text += "," }
            text += "\"\(key(i))\":\(i)"
        }
        return text + "}"
    }

    /// The best of up to five alternating runs of `run(small)` and `run(large)`: linear is ~10×,
    /// the old linear scan per member ~100× (measured 120–145× at 1,000 vs 10,000 before the
    /// index). Alternating the two sizes lets both see the same load from tests running in
    /// parallel. The sizes stay small enough that a regression fails within a minute or two.
    static func expectLinear(small: Int, large: Int, _ run: (Int) throws -> Void) throws {
        func time(_ n: Int) throws -> Duration {
            let start = ContinuousClock.now
            try run(n)
            return ContinuousClock.now - start
        }
        try run(small)  // warm-up
        var smallTime = Duration.seconds(3600)
        var largeTime = Duration.seconds(3600)
        for _ in 0..<5 where largeTime >= smallTime * 30 {
            smallTime = min(smallTime, try time(small))
            largeTime = min(largeTime, try time(large))
            if largeTime > smallTime * 60 { break }
        }
        #expect(largeTime < smallTime * 30, "\(small) members: \(smallTime), \(large) members: \(largeTime)")
    }

    @Test("parsing 10× the members costs about 10× the time (2,000 vs 20,000), lookups included")
    func parserIsLinear() throws {
        let texts = [2_000: Self.objectText(members: 2_000), 20_000: Self.objectText(members: 20_000)]
        try Self.expectLinear(small: 2_000, large: 20_000) { n in
            let object = try #require(try JSONParser.parse(texts[n]!).objectValue)
            #expect(object.count == n)
            let lookup = object.keyLookup()
            for i in stride(from: 0, to: n, by: 1) where lookup.index(forKey: Self.key(i)) != i {
                Issue.record("\(Self.key(i)) not at \(i)")
                return
            }
        }
    }

    @Test("building a JSONObject from 10× the pairs (AnyJSON's path, 2,000 vs 20,000) costs about 10× the time, lookups included")
    func pairsAreLinear() throws {
        let pairs = [
            2_000: (0..<2_000).map { (Self.key($0), JSONValue.int($0)) },
            20_000: (0..<20_000).map { (Self.key($0), JSONValue.int($0)) },
        ]
        try Self.expectLinear(small: 2_000, large: 20_000) { n in
            let object = JSONObject(pairs[n]!)
            #expect(object.count == n)
            let lookup = object.keyLookup()
            for i in stride(from: 0, to: n, by: 1) where lookup[Self.key(i)] != .int(i) {
                Issue.record("\(Self.key(i)) lost")
                return
            }
        }
    }

    /// A small deterministic generator (xorshift) for reproducible inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    /// What a JSON object built from `pairs` must hold: keys in order of first occurrence (by
    /// Unicode scalars), each with its last value.
    static func reference(_ pairs: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var position: [[UInt8]: Int] = [:]
        var result: [(String, JSONValue)] = []
        for (key, value) in pairs {
            if let i = position[Array(key.utf8)] {
                result[i].1 = value
            } else {
                position[Array(key.utf8)] = result.count
                result.append((key, value))
            }
        }
        return result
    }

    static func expectMatches(_ object: JSONObject, _ expected: [(String, JSONValue)], _ note: String) {
        #expect(object.keys == expected.map(\.0), "\(note): order")
        #expect(object.values == expected.map(\.1), "\(note): values")
        let lookup = object.keyLookup()
        for (i, (key, value)) in expected.enumerated() where lookup.index(forKey: key) != i || lookup[key] != value {
            Issue.record("\(note): \(key) looked up wrong")
            return
        }
        // The object's own lookup (a scan) agrees, on a sample.
        for (i, (key, _)) in expected.enumerated() where i % max(1, expected.count / 50) == 0 && object.index(forKey: key) != i {
            Issue.record("\(note): \(key) scanned wrong")
            return
        }
        #expect(lookup.index(forKey: "absent") == nil && object.index(forKey: "absent") == nil)
        #expect(lookup.index(forKey: "member-") == nil && object.index(forKey: "member-") == nil)
    }

    @Test("repeated keys keep their first position and last value, below and past the index threshold", arguments: [10, 40, 300, 5_000])
    func duplicatesMatchReference(distinctKeys: Int) throws {
        var generator = Generator(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(distinctKeys))
        // "é" precomposed and decomposed are different keys (no canonical equivalence).
        let pool = (0..<distinctKeys).map { Self.key($0) } + ["caf\u{E9}", "cafe\u{301}"]
        var pairs: [(String, JSONValue)] = []
        for i in 0..<(distinctKeys * 3) {
            let key = pool[Int.random(in: 0..<pool.count, using: &generator)]
            pairs.append((key, .int(i)))
        }
        let expected = Self.reference(pairs)
        let text = "{" + pairs.map { "\"\($0.0)\":\($0.1.jsonText)" }.joined(separator: ",") + "}"
        let parsed = try #require(try JSONParser.parse(text).objectValue)
        Self.expectMatches(parsed, expected, "parsed, \(distinctKeys) keys")
        Self.expectMatches(JSONObject(pairs), expected, "from pairs, \(distinctKeys) keys")
        #expect(parsed == JSONObject(expected.reversed()))
        #expect(JSONValue.object(parsed).hashValue == JSONValue.object(JSONObject(expected.reversed())).hashValue)
    }

    @Test("100,000 members: order, lookups and an added, changed and removed member")
    func hundredThousand() throws {
        let n = 100_000
        var object = try #require(try JSONParser.parse(Self.objectText(members: n)).objectValue)
        var expected = (0..<n).map { (Self.key($0), JSONValue.int($0)) }
        Self.expectMatches(object, expected, "parsed")
        object["extra"] = "x"
        object[Self.key(7)] = "seven"
        object[Self.key(3)] = nil
        expected.append(("extra", "x"))
        expected[7].1 = "seven"
        expected.remove(at: 3)
        Self.expectMatches(object, expected, "edited")
    }

    @Test("removing members below the threshold and adding them back keeps lookups right")
    func shrinkAndGrow() {
        var expected = (0..<(MemberIndex.threshold + 8)).map { (Self.key($0), JSONValue.int($0)) }
        var object = JSONObject(expected)
        for i in stride(from: 0, to: 16, by: 1) {
            object[Self.key(i * 2)] = nil
            expected.removeAll { $0.0 == Self.key(i * 2) }
            Self.expectMatches(object, expected, "after removing \(Self.key(i * 2))")
        }
        for i in 0..<16 {
            object[Self.key(i * 2)] = .int(-i)
            expected.append((Self.key(i * 2), .int(-i)))
            Self.expectMatches(object, expected, "after adding back \(Self.key(i * 2))")
        }
    }
}
