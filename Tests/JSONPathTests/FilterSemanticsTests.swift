import JSONPath
import Testing

/// Worked examples of JSONPATH-FILTERS.md §(c), comparison semantics §(b), warnings §(e),
/// explain output and the equality predicates a trigger index relies on.
@Suite("Filter semantics")
struct FilterSemanticsTests {
    static let examples: [(String, Bool)] = [
        ("$.item.status == 'Finished' && $.item.appId == 'app-7'", true),
        ("@.item.status == 'Killed' || @.item.status == \"Failed\"", false),
        ("$.item.result && !$.item.error", true),
        ("!($.item.status == 'Finished' || $.item.durationMs > 5000)", false),
        ("$.item.durationMs == 1234.0 && $.item.durationMs < 1.3e3", true),
        ("$.item.durationMs == '1234'", false),
        ("$.item.result.rows >= 10 && $['item']['result']['rows'] < 11", true),
        ("length(@.item.tags) > 1 && count(@.item.tags[*]) == 2", true),
        ("match(@.item.appId, 'app-[0-9]+')", true),
        ("match($.item.appId, 'app')", false),
        ("search($.item.appId, 'app')", true),
        ("$.item.tags[?@ == 'eu']", true),
        ("$.item.retries != 3 && $.item.retries == $.item.attempts", true),
    ]

    @Test("worked examples")
    func workedExamples() throws {
        for (text, expected) in Self.examples {
            let filter = try TriggerFilter(parsing: text)
            #expect(try filter.evaluate(TestSupport.exampleEvent) == expected, "\(text)")
            #expect(try filter.explain(TestSupport.exampleEvent).result == expected, "explain of \(text)")
        }
    }

    static func holds(_ filter: String, _ event: JSONValue = TestSupport.exampleEvent) throws -> Bool {
        try TriggerFilter(parsing: filter).evaluate(event)
    }

    @Test("comparison semantics")
    func comparisons() throws {
        let event: JSONValue = [
            "i": 1234, "d": 1234.0, "e": 1.234e3, "z": 0, "nz": -0.0, "s": "1234", "t": true, "n": .null,
            "big": 9_007_199_254_740_993, "bigd": 9_007_199_254_740_992.0,
            "a": [1, 2], "b": [1.0, 2], "o": ["x": 1, "y": 2], "p": ["y": 2, "x": 1.0],
            "é": "é", "e\u{301}": "e\u{301}", "ab": "ab", "abc": "abc",
        ]
        let truths = [
            "$.i == $.d", "$.i == $.e", "$.z == $.nz", "$.a == $.b", "$.o == $.p", "$.n == null", "$.missing == $.other",
            "$.missing != 3", "$.i != $.s", "$.t != 1", "$.n != false", "$.ab < $.abc", "$.i <= 1234", "$.i >= 1233.5",
            "$.n <= null", "$.missing <= $.nothing", "$.big != $.bigd", "$.bigd < $.big", "$.big > $.bigd",
            "'a' < 'b'", "'Z' < 'a'", "$['é'] != $['e\u{301}']", "length($['e\u{301}']) == 2", "length($['é']) == 1",
        ]
        let falsehoods = [
            "$.i == $.s", "$.t == 1", "$.n == false", "$.s < 1", "$.s >= 1", "$.missing == 3", "$.missing < 3",
            "$.a < $.b", "$.o <= 1", "$.t < true", "$.n < null", "$['é'] == $['e\u{301}']", "$.big == $.bigd",
        ]
        for f in truths { #expect(try Self.holds(f, event), "\(f) should be true") }
        for f in falsehoods { #expect(try !Self.holds(f, event), "\(f) should be false") }
    }

    @Test("existence tests see null and false as present")
    func existence() throws {
        let event: JSONValue = ["n": .null, "f": false, "e": [], "item": ["x": 1]]
        #expect(try Self.holds("$.n && $.f && $.e", event))
        #expect(try !Self.holds("$.missing", event))
        #expect(try Self.holds("!$.missing", event))
        #expect(try Self.holds("@.item.x", event))
    }

    @Test("nested filters keep $ as the event")
    func nestedFilter() throws {
        let event: JSONValue = ["want": "eu", "item": ["tags": ["us", "eu"]]]
        #expect(try Self.holds("$.item.tags[?@ == $.want]", event))
        #expect(try !Self.holds("$.item.tags[?@ == 'apac']", event))
    }

    @Test("warnings where Newtonsoft meant something else")
    func warnings() throws {
        let cases: [(String, String, String)] = [
            ("$[?(@.item.status == 'x')]", "each member value", "@.item.status == 'x'"),
            ("@.tags.length > 1", "`.length`", "length(@.tags) > 1"),
            ("$.a == 1 && $.b == 2 || $.c == 3", "parentheses", "($.a == 1 && $.b == 2) || $.c == 3"),
            ("$.x != null", "absent", "$.x && $.x != null"),
        ]
        for (text, message, hint) in cases {
            let filter = try TriggerFilter(parsing: text)
            #expect(filter.warnings.count == 1, "\(text): \(filter.warnings)")
            let warning = try #require(filter.warnings.first)
            #expect(warning.message.contains(message), "\(warning)")
            #expect(warning.hint?.contains(hint) == true, "\(warning)")
            #expect(warning.line == 1)
        }
        #expect(try TriggerFilter(parsing: "($.a == 1 && $.b == 2) || $.c == 3").warnings.isEmpty)
        #expect(try TriggerFilter(parsing: "$.x && $.x != null").warnings.isEmpty)
        #expect(try TriggerFilter(parsing: "$.y && $.x != null").warnings.count == 1)
        #expect(try TriggerFilter(parsing: "length(@.tags) > 1").warnings.isEmpty)
        let mixed = try TriggerFilter(parsing: "$.a == 1 && $.b == 2 || $.c == 3")
        #expect(mixed.warnings.first?.column == 22)
        // The warning does not change RFC semantics: && binds tighter.
        #expect(try mixed.evaluate(["a": 0, "b": 0, "c": 3]))
    }

    @Test("explain shows the values each comparison saw")
    func explain() throws {
        let filter = try TriggerFilter(parsing: "$.item.status == 'Finished' && $.item.appId == 'app-8' && $.item.nope == 1")
        let explanation = try filter.explain(TestSupport.exampleEvent)
        #expect(explanation.result == false)
        #expect(explanation.root.kind == .and)
        let steps = explanation.root.children
        #expect(steps.count == 3)
        #expect(steps[0].result == true)
        #expect(steps[0].left == "Finished")
        #expect(steps[0].right == "Finished")
        #expect(steps[1].result == false)
        #expect(steps[1].left == "app-7")
        #expect(steps[1].right == "app-8")
        #expect(steps[2].result == nil, "short-circuited")
        let text = explanation.description
        #expect(text.contains("false  $.item.appId == 'app-8'"))
        #expect(text.contains("left \"app-7\", right \"app-8\""))
        #expect(text.contains("skip"))

        let missing = try TriggerFilter(parsing: "$.item.retries == 3 || $.item.tags[?@ == 'eu'] || match($.item.id, 'p-[0-9]')")
            .explain(TestSupport.exampleEvent)
        #expect(missing.result == true)
        #expect(missing.root.children[0].left == nil)
        #expect(missing.root.children[0].detail?.contains("Nothing") == true)
        #expect(missing.root.children[1].detail?.contains("selected 1 node") == true)
        #expect(missing.root.children[2].result == nil)
        let types = try TriggerFilter(parsing: "$.item.durationMs == '1234'").explain(TestSupport.exampleEvent)
        #expect(types.root.detail?.contains("different types: number vs string") == true)
    }

    @Test("explanations quote the filter's own text, non-ASCII names and literals included")
    func explainQuotesNonASCIIText() throws {
        let filter = try TriggerFilter(parsing: "$.item['stätus'] == 'Fertig ✓' && $.item.appId == 'app-7'")
        let explanation = try filter.explain(TestSupport.exampleEvent)
        #expect(explanation.root.children.first?.text == "$.item['stätus'] == 'Fertig ✓'")
        #expect(explanation.root.children.last?.text == "$.item.appId == 'app-7'")
        #expect(try filter.matcher.evaluate(TestSupport.exampleEvent) == filter.evaluate(TestSupport.exampleEvent))
    }

    @Test("equality predicates for trigger indexing")
    func equalityPredicates() throws {
        let seed = try TriggerFilter(parsing: "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'")
        #expect(
            seed.equalityPredicates == [
                EqualityPredicate(path: ["item", "status"], value: "Finished"),
                EqualityPredicate(path: ["item", "appId"], value: "data-import-app-id"),
            ]
        )
        let mixed = try TriggerFilter(parsing: "('x' == @.type && ($['item'].n == 1.0 && $.a[0] == 1)) && $.b > 2 && !($.c == 1)")
        #expect(mixed.equalityPredicates == [EqualityPredicate(path: ["type"], value: "x"), EqualityPredicate(path: ["item", "n"], value: 1)])
        #expect(try TriggerFilter(parsing: "$.a == 1 || $.b == 2").equalityPredicates.isEmpty)
        #expect(try TriggerFilter(parsing: "$.a != 1").equalityPredicates.isEmpty)
        #expect(try TriggerFilter(parsing: "$.a == $.b").equalityPredicates.isEmpty)
        // Numbers index by value: an event's 1234 finds the literal 1234.0.
        let index: [JSONValue: String] = [EqualityPredicate(path: ["d"], value: 1234.0).value: "t1"]
        #expect(index[.int(1234)] == "t1")
        // Every predicate is necessary: when one fails the filter is false.
        for predicate in seed.equalityPredicates {
            var event = TestSupport.exampleEvent
            if case .object(var root) = event, case .object(var item)? = root["item"] {
                item[predicate.path[1]] = "other"
                root["item"] = .object(item)
                event = .object(root)
            }
            #expect(try !seed.evaluate(event))
        }
    }

    @Test("the seed filter shapes")
    func seedShapes() throws {
        let finished: JSONValue = ["item": ["status": "Finished", "appId": "data-import-app-id"]]
        let killed: JSONValue = ["item": ["status": "Killed", "appId": "x"]]
        #expect(try Self.holds("$.item.status == 'Finished'", finished))
        #expect(try !Self.holds("$.item.status == 'Error'", finished))
        #expect(try Self.holds("$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'", finished))
        #expect(try !Self.holds("$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'", killed))
        #expect(try Self.holds("$.item.status == 'Finished' || $.item.status == 'Killed'", killed))
    }
}
