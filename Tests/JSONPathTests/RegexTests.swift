import SignalboxTestSupport
import Testing

@testable import JSONPath

@Suite("I-Regexp")
struct RegexTests {
    @Test("matching")
    func matching() throws {
        let cases: [(String, String, Bool, Bool)] = [
            // pattern, subject, match (whole), search (substring)
            ("a.c", "abc", true, true),
            ("a.c", "a\nc", false, false),
            ("a.c", "a\u{2028}c", true, true),
            ("[a-c]+", "abcabc", true, true),
            ("[^a-c]", "d", true, true),
            ("[a-c]", "xbx", false, true),
            ("colou?r", "color", true, true),
            ("x{2,3}", "xxxx", false, true),
            ("x{2,3}", "xxx", true, true),
            ("x{2}", "x", false, false),
            ("x{2,}", "xxxxxxx", true, true),
            ("(ab|cd)*e", "abcdabe", true, true),
            ("\\p{Lu}\\p{Ll}+", "Hello", true, true),
            ("\\P{L}", "1", true, true),
            ("[\\p{Nd}-]+", "12-34", true, true),
            ("^ab", "xab", false, false),
            ("ab$", "abx", false, false),
            ("ab$", "xab", false, true),
            ("a\\.c", "abc", false, false),
            ("", "", true, true),
            ("", "abc", false, true),
            ("é", "e\u{301}", false, false),
            ("a.b", "a𐄁b", true, true),
        ]
        for (pattern, subject, whole, sub) in cases {
            let regex = try IRegexp(pattern)
            #expect(regex.matches(subject) == whole, "match(\(subject), \(pattern))")
            #expect(regex.containsMatch(in: subject) == sub, "search(\(subject), \(pattern))")
        }
    }

    @Test("rejects what I-Regexp does not have")
    func rejections() {
        let bad: [(String, String?)] = [
            ("\\d", "[0-9]"), ("\\w", "[A-Za-z0-9_]"), ("\\s", nil), ("\\b", nil), ("(?:a)", "(…)"), ("(?=a)", nil),
            ("(a)\\1", nil), ("a*?", nil), ("a+?", nil), ("\\p{IsBasicLatin}", nil), ("a{3,1}", nil), ("(a", nil),
            ("a)", nil), ("[a", nil), ("a]", nil), ("*a", nil), ("a{", nil), ("\\p{Xx}", nil), ("[z-a]", nil), ("a**", nil),
        ]
        for (pattern, hint) in bad {
            do {
                _ = try IRegexp(pattern)
                Issue.record("accepted \(pattern)")
            } catch {
                if let hint { #expect(error.hint?.contains(hint) == true, "\(pattern): \(error)") }
                #expect(error.offset >= 0 && error.offset <= pattern.unicodeScalars.count)
            }
        }
    }

    @Test("(a|a)*b against 10,000 a's returns promptly", .timeLimit(.minutes(1)))
    func noCatastrophicBacktracking() throws {
        let subject = String(repeating: "a", count: 10_000)
        let clock = ContinuousClock()
        var matched = true
        let elapsed = try clock.measure {
            let regex = try IRegexp("(a|a)*b")
            matched = regex.matches(subject) || regex.containsMatch(in: subject)
        }
        #expect(!matched)
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        // Through the filter engine too.
        let filter = try TriggerFilter(parsing: "match($.s, '(a|a)*b') || search($.s, '(a*)*b')")
        let start = clock.now
        #expect(try !filter.evaluate(["s": .string(subject)]))
        #expect(clock.now - start < .seconds(2))
    }

    @Test("repetition is bounded")
    func programSizeBound() {
        #expect(throws: IRegexpError.self) { try IRegexp("((a{1000}){1000}){1000}") }
        #expect(throws: IRegexpError.self) { try IRegexp("a{1001}") }
    }

    @Test("the ASCII DFA agrees with the Pike VM")
    func dfaAgreesWithPikeVM() throws {
        var rng = SeededGenerator(seed: 99)
        let atoms = ["a", "b", ".", "[ab]", "[^a]", "(a|b)", "(ab)?", "a*", "b+", "^", "$", "(a|$)", "\\.", "x{1,2}"]
        let letters: [Character] = ["a", "b", "x", ".", "\n"]
        var compared = 0
        for _ in 0..<400 {
            let pattern = (0..<Int.random(in: 1...5, using: &rng)).map { _ in atoms.randomElement(using: &rng)! }.joined()
            guard let fast = try? IRegexp(pattern), let slow = try? IRegexp(pattern, buildDFA: false) else { continue }
            for _ in 0..<20 {
                let subject = String((0..<Int.random(in: 0...6, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
                #expect(fast.matches(subject) == slow.matches(subject), "match(\(subject.debugDescription), \(pattern))")
                #expect(fast.containsMatch(in: subject) == slow.containsMatch(in: subject), "search(\(subject.debugDescription), \(pattern))")
                compared += 1
            }
        }
        #expect(compared > 2000)
    }
}

/// Patterns read from the document are compiled once per text, in a bounded cache.
@Suite("Patterns from the document")
struct PatternCacheTests {
    @Test func aRepeatedPatternCompilesOnceAndTheCacheStaysBounded() {
        let cache = PatternCache(capacity: 4)
        #expect(cache.regex("a+b")?.matches("aab") == true)
        #expect(cache.regex("a+b")?.matches("ab") == true)
        #expect(cache.compilations == 1, "the second use reads the cache")
        #expect(cache.regex("(") == nil && cache.regex("(") == nil)
        #expect(cache.compilations == 2, "a bad pattern is not parsed again either")
        for index in 0..<10 { _ = cache.regex("x{\(index)}") }
        #expect(cache.count <= 4, "never more than the capacity")
        let long = String(repeating: "a", count: PatternCache.maxCachedLength + 1)
        _ = cache.regex(long)
        _ = cache.regex(long)
        #expect(cache.compilations == 14, "long patterns are compiled each time, not kept")
    }

    @Test func aFilterWithAPatternFromTheEventUsesTheSharedCache() throws {
        let filter = try TriggerFilter(parsing: "match($.name, $.pattern)")
        let before = PatternCache.shared.compilations
        let pattern = "unique-\(UInt64.random(in: 0...UInt64.max))-[a-z]+"
        for _ in 0..<50 {
            let event = try JSONParser.parse(#"{"name": "\#(pattern.dropLast(6))abc", "pattern": "\#(pattern)"}"#)
            #expect(try filter.evaluate(event))
        }
        // Other tests may compile patterns meanwhile; this one's 50 evaluations compiled it once.
        #expect(PatternCache.shared.contains(pattern))
        #expect(PatternCache.shared.compilations - before < 50)
    }
}
