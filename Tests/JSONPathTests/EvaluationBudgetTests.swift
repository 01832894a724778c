import JSONPath
import Testing

/// Hostile queries and filters stop at their work budget with a distinct outcome; explanations
/// and warnings stay bounded (issue 16).
@Suite("Evaluation budget")
struct EvaluationBudgetTests {
    /// `[[[…[]…]]]`, `depth` arrays deep: `..*` selects `depth` nodes, five of them in a row
    /// select about depth⁵/120.
    static func nestedArray(depth: Int) -> JSONValue {
        var value = JSONValue.array([])
        for _ in 0..<depth { value = .array([value]) }
        return value
    }

    static let deep = nestedArray(depth: 60)

    @Test("$..*..*..*..*..* over a deep array stops at the budget instead of selecting millions of nodes")
    func descendantChainExceedsBudget() throws {
        let query = try JSONPathQuery(parsing: "$..*..*..*..*..*")
        #expect(throws: EvaluationBudgetExceeded(limit: EvaluationBudget.defaultLimit)) { try query.values(in: Self.deep) }
        #expect(throws: EvaluationBudgetExceeded(limit: 500)) { try query.select(in: Self.deep, budget: 500) }
        // Within budget the answer is whole: depth 8 gives C(8, 5) + … nodes, far below it.
        #expect(try query.values(in: Self.nestedArray(depth: 8)).count == 56)
    }

    @Test("a query of hundreds of segments is selected segment by segment, with the same answer and budget")
    func longQueries() throws {
        let deep = Self.nestedArray(depth: 300)
        let wildcards = try JSONPathQuery(parsing: "$" + String(repeating: "[*]", count: 300))
        #expect(try wildcards.values(in: deep) == [.array([])])
        let descents = try JSONPathQuery(parsing: "$" + String(repeating: "..*", count: 40))
        #expect(throws: EvaluationBudgetExceeded.self) { try descents.values(in: deep) }
        let exists = try TriggerFilter(parsing: "$" + String(repeating: "[0]", count: 100) + "[*]")
        #expect(try exists.evaluate(deep))
    }

    @Test("an existence test stops at its first node; count() needs them all and hits the budget")
    func existenceStopsEarly() throws {
        // Five nested descents reach a first node in a handful of steps.
        let exists = try TriggerFilter(parsing: "$..*..*..*..*..*")
        #expect(try exists.evaluate(Self.deep, budget: 20))
        #expect(try exists.matcher.evaluate(Self.deep, budget: 20))

        let counted = try TriggerFilter(parsing: "count($..*..*..*..*..*) > 0")
        #expect(throws: EvaluationBudgetExceeded(limit: EvaluationBudget.defaultLimit)) { try counted.evaluate(Self.deep) }
        #expect(throws: EvaluationBudgetExceeded.self) { try counted.explain(Self.deep) }
        // value() decides at the second node.
        let single = try TriggerFilter(parsing: "value($..*) == null")
        #expect(try !single.evaluate(Self.deep, budget: 10))
    }

    @Test("a nested filter pays for every candidate and the comparisons it can make on it")
    func nestedFilterCandidatesAreCharged() throws {
        let wide = JSONValue.array((0..<1_000).map { .int($0) })
        // One unit for the candidate, one for its comparison: 2,000 for the whole array.
        let filter = try TriggerFilter(parsing: "$[?@ == 'never']")
        #expect(throws: EvaluationBudgetExceeded(limit: 1_999)) { try filter.evaluate(wide, budget: 1_999) }
        #expect(try !filter.evaluate(wide, budget: 2_000))
        let twoComparisons = try TriggerFilter(parsing: "$[?@ == 'never' || @ == 'nor this']")
        #expect(throws: EvaluationBudgetExceeded.self) { try twoComparisons.evaluate(wide, budget: 2_999) }
        #expect(try !twoComparisons.evaluate(wide, budget: 3_000))
    }

    @Test("a lookup in a wide object pays for the members it scans; small objects cost nothing extra")
    func wideObjectLookupsAreCharged() throws {
        // 6,400 members: each lookup scans them (objects keep no key index), 100 units.
        let wide = JSONValue.object(JSONObject((0..<6_400).map { ("member-\($0)", JSONValue.int($0)) }))
        let tenLookups = try TriggerFilter(parsing: (0..<10).map { "$['absent-\($0)'] == 1" }.joined(separator: " || "))
        #expect(throws: EvaluationBudgetExceeded(limit: 999)) { try tenLookups.evaluate(wide, budget: 999) }
        #expect(try !tenLookups.evaluate(wide, budget: 1_000))
        // The same through the general evaluator (a non-singular query's name selector).
        let query = try JSONPathQuery(parsing: "$['member-7', 'member-8']")
        #expect(throws: EvaluationBudgetExceeded.self) { try query.select(in: wide, budget: 150) }
        #expect(try query.values(in: wide, budget: 250) == [.int(7), .int(8)])
        // A thousand lookups in an event of 32 members stay far below a budget of 10.
        let small = JSONValue.object(JSONObject((0..<32).map { ("member-\($0)", JSONValue.int($0)) }))
        let many = try TriggerFilter(parsing: (0..<1_000).map { "$['absent-\($0)'] == 1" }.joined(separator: " || "))
        #expect(try !many.evaluate(small, budget: 10))
    }

    @Test("the explanation of a large filter is capped and says so")
    func explanationIsCapped() throws {
        // 3,000 comparisons of 70-odd bytes each: about 200 KiB of explanation uncapped.
        let terms = (0..<3_000).map { "$.item.status == 'value-number-\($0)-that-never-matches-anything'" }
        let filter = try TriggerFilter(parsing: terms.joined(separator: " || "))
        let explanation = try filter.explain(TestSupport.exampleEvent)
        let text = explanation.description
        #expect(explanation.result == false)
        #expect(explanation.isTruncated)
        #expect(text.hasSuffix(explanation.truncationMarker))
        #expect(text.contains("explanation truncated"))
        #expect(text.utf8.count <= FilterExplanation.defaultMaximumBytes + 16 * 1024)
        // The root's text is the whole filter, clipped rather than repeated in full.
        #expect(explanation.root.text.unicodeScalars.count <= 161)

        let small = try TriggerFilter(parsing: "$.item.status == 'Finished'").explain(TestSupport.exampleEvent)
        #expect(!small.isTruncated && !small.description.contains("truncated"))
    }

    @Test("a deeply nested filter's explanation counts its indentation against the cap")
    func nestedExplanationIsCappedWithItsIndentation() throws {
        let terms = Array(repeating: "$.b", count: 1_550).joined(separator: " || ")
        let filter = try TriggerFilter(parsing: String(repeating: "!(", count: 60) + terms + String(repeating: ")", count: 60))
        let explanation = try filter.explain(TestSupport.exampleEvent, maximumBytes: 8 * 1024)
        #expect(explanation.isTruncated)
        // At most one line past the cap (this filter's lines are under 400 bytes) and the marker.
        #expect(explanation.description.utf8.count <= 8 * 1024 + 400 + explanation.truncationMarker.utf8.count + 1,
                "\(explanation.description.utf8.count) bytes")
    }

    @Test("warnings are de-duplicated with a set: compiling 10× the terms costs about 10× the time")
    func warningsCompileLinearly() throws {
        func compileTime(terms: Int) throws -> Duration {
            let text = Array(repeating: "$.a != null", count: terms).joined(separator: " || ")
            let start = ContinuousClock.now
            let filter = try TriggerFilter(parsing: text)
            let elapsed = ContinuousClock.now - start
            #expect(filter.warnings.count == terms)
            return elapsed
        }
        let small = try (0..<3).map { _ in try compileTime(terms: 1_000) }.min()!
        // Linear is 10×; the quadratic scan of warnings (and a line count per warning) was
        // ~100×. The best of three runs absorbs a busy machine; a run past 60× is no noise.
        var large = Duration.seconds(3600)
        for _ in 0..<3 where large >= small * 30 {
            large = min(large, try compileTime(terms: 10_000))
            if large > small * 60 { break }
        }
        #expect(large < small * 30, "1,000 terms: \(small), 10,000 terms: \(large)")
    }

    @Test("warnings keep their line and column, and `$.x && $.x != null` still drops its warning")
    func warningPositions() throws {
        let filter = try TriggerFilter(parsing: "$.a != null ||\n  $.b != null ||\n  ($.c && $.c != null)")
        #expect(filter.warnings.map(\.line) == [1, 2])
        #expect(filter.warnings.map(\.column) == [1, 3])
    }
}

/// A regex's matching work is bounded by the evaluation's budget: a pattern whose program keeps
/// hundreds of threads alive over a long subject stops there instead of running for seconds.
@Suite("Regex work on the budget")
struct RegexBudgetTests {
    /// Hundreds of threads stay alive at every `a`, and without a `b` the search never ends early.
    static let pattern = "search($.s, '(a?){200}a{200}b')"

    @Test func aLongMatchExceedsTheBudgetAndAShortOneFitsIt() throws {
        let filter = try TriggerFilter(parsing: Self.pattern)
        let long = try JSONParser.parse(#"{"s": "\#(String(repeating: "a", count: 100_000))"}"#)
        #expect(throws: EvaluationBudgetExceeded.self) { try filter.evaluate(long) }
        let short = try JSONParser.parse(#"{"s": "\#(String(repeating: "a", count: 300))b"}"#)
        #expect(try filter.evaluate(short))
        #expect(try !filter.evaluate(try JSONParser.parse(#"{"s": "\#(String(repeating: "a", count: 150))b"}"#)))
        // A subject a twentieth as long is decided within the budget: no `b`, no match.
        #expect(try !filter.evaluate(try JSONParser.parse(#"{"s": "\#(String(repeating: "a", count: 5_000))"}"#)))
    }
}
