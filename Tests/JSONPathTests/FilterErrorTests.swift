import JSONPath
import Testing

/// The creation-error table of JSONPATH-FILTERS.md §(d) and the Newtonsoft rewrites of §(e):
/// each filter is rejected at the documented column with the documented message and hint.
@Suite("Filter creation errors")
struct FilterErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let filter: String
        let column: Int
        let code: JSONPathError.Code
        let message: String
        let hint: String?
        var testDescription: String { filter }
    }

    static let table: [Case] = [
        Case(filter: "$.item.status == 'Finished", column: 18, code: .unterminatedString, message: "unterminated string", hint: nil),
        Case(filter: "$.item.status == 'Fin\\ished'", column: 22, code: .invalidEscape, message: "invalid escape `\\i`", hint: nil),
        Case(filter: "$.item.durationMs == 01234", column: 22, code: .invalidNumber, message: "leading zero", hint: "1234"),
        Case(
            filter: "$.item.tags[*] == 'eu'",
            column: 1,
            code: .nonSingularQuery,
            message: "non-singular query compared",
            hint: "$.item.tags[?@ == 'eu']"
        ),
        Case(filter: "length(@.item.tags[*]) > 1", column: 8, code: .nonSingularQuery, message: "non-singular query as Value argument", hint: nil),
        Case(filter: "true", column: 1, code: .uncomparedLiteral, message: "literal must be compared", hint: nil),
        Case(
            filter: "!$.item.status == 'Finished'",
            column: 16,
            code: .misplacedNot,
            message: "`!` needs a test or `(…)`; use `!=`",
            hint: "$.item.status != 'Finished'"
        ),
        Case(filter: "length(@.item.tags)", column: 1, code: .uncomparedValue, message: "Value result must be compared", hint: nil),
        Case(filter: "match(@.item.appId, 'a') == true", column: 26, code: .comparedLogical, message: "Logical result", hint: nil),
        Case(
            filter: "contains(@.item.tags, 'eu')",
            column: 1,
            code: .unknownFunction,
            message: "unknown function `contains` (known: length, count, match, search, value)",
            hint: nil
        ),
        Case(filter: "length(@.item.tags, 1) > 0", column: 21, code: .argumentCount, message: "`length` takes one argument", hint: nil),
        Case(filter: "count('x') == 1", column: 7, code: .typeMismatch, message: "`count` needs a query", hint: nil),
        Case(filter: "match(@.item.appId, 'app-\\\\d+')", column: 26, code: .invalidRegex, message: "`\\d` is not I-Regexp", hint: "[0-9]"),
        Case(filter: "($.item.status == 'Finished'", column: 29, code: .unbalancedParenthesis, message: "missing `)` for `(` at 1", hint: nil),
    ]

    @Test("documented error table", arguments: table)
    func documentedError(_ c: Case) throws {
        let error = try #require(TestSupport.filterError(c.filter))
        #expect(error.line == 1)
        #expect(error.column == c.column, "column for \(c.filter)")
        #expect(error.code == c.code)
        #expect(error.message.contains(c.message), "message was: \(error.message)")
        if let hint = c.hint {
            #expect(error.hint?.contains(hint) == true, "hint was: \(error.hint ?? "none")")
        }
        #expect(error.description.hasPrefix("1:\(c.column): "))
    }

    static let newtonsoft: [Case] = [
        Case(filter: "@.s =~ /Fin.*/", column: 5, code: .nonRFCSyntax, message: "`=~`", hint: "search(@.s, 'Fin.*')"),
        Case(filter: "@.s =~ /Fin.*/i", column: 5, code: .nonRFCSyntax, message: "/i", hint: "[Ff]"),
        Case(filter: "@.s =~ /a\\d/", column: 5, code: .nonRFCSyntax, message: "not I-Regexp", hint: "[0-9]"),
        Case(filter: "$.item.status === 'x'", column: 15, code: .nonRFCSyntax, message: "use `==`", hint: "$.item.status == 'x'"),
        Case(filter: "$.item.status !== 'x'", column: 15, code: .nonRFCSyntax, message: "use `!=`", hint: "$.item.status != 'x'"),
        Case(filter: "$.item.status <> 'x'", column: 15, code: .nonRFCSyntax, message: "use `!=`", hint: "$.item.status != 'x'"),
        Case(filter: "$.item.status == Finished", column: 18, code: .nonRFCSyntax, message: "must be quoted", hint: "'Finished'"),
        Case(filter: "$.item.done == True", column: 16, code: .nonRFCSyntax, message: "lowercase", hint: "`true`"),
        Case(filter: "$.item.x == NULL", column: 13, code: .nonRFCSyntax, message: "lowercase", hint: "`null`"),
        Case(filter: "$.item.app-id == 'x'", column: 8, code: .nonRFCSyntax, message: "bracket notation", hint: "$.item['app-id'] == 'x'"),
        Case(filter: "$.items[*].status == 'x'", column: 1, code: .nonSingularQuery, message: "non-singular", hint: "$.items[?@.status == 'x']"),
        Case(filter: "[?(@.item.status == 'x')]", column: 1, code: .nonRFCSyntax, message: "without `[?(…)]`", hint: "`@.item.status == 'x'`"),
        Case(filter: "$.a = 1", column: 5, code: .syntax, message: "use `==`", hint: "$.a == 1"),
        Case(filter: "$.a == 1 & $.b == 2", column: 10, code: .syntax, message: "use `&&`", hint: nil),
    ]

    @Test("Newtonsoft syntax is rejected with the RFC rewrite", arguments: newtonsoft)
    func newtonsoftRewrite(_ c: Case) throws {
        let error = try #require(TestSupport.filterError(c.filter))
        #expect(error.column == c.column, "column for \(c.filter): \(error)")
        #expect(error.code == c.code, "\(error)")
        #expect(error.message.contains(c.message), "message was: \(error.message)")
        if let hint = c.hint {
            #expect(error.hint?.contains(hint) == true, "hint was: \(error.hint ?? "none")")
        }
    }

    @Test("the suggested rewrites compile")
    func rewritesCompile() throws {
        for rewrite in [
            "search(@.s, 'Fin.*')", "$.item['app-id'] == 'x'", "$.items[?@.status == 'x']", "$.item.tags[?@ == 'eu']",
            "$.item.status != 'Finished'", "match(@.item.appId, 'app-[0-9]+')",
        ] {
            let filter = try TriggerFilter(parsing: rewrite)
            #expect(filter.warnings.isEmpty, "\(rewrite): \(filter.warnings)")
        }
    }

    @Test("line and column count Unicode scalars across lines")
    func multiLinePosition() throws {
        let error = try #require(TestSupport.filterError("$.item.status == 'ü' &&\n  $.item.näme === 'x'"))
        #expect(error.line == 2)
        #expect(error.column == 15)
        let accents = try #require(TestSupport.filterError("$.näme == 'é' && $.x == 01"))
        #expect(accents.column == 25)
        #expect(accents.span == 24..<26)
    }

    @Test("invalid literal regex: rejected in a trigger filter, false in a plain query")
    func regexPolicy() throws {
        #expect(TestSupport.filterError("search(@.a, '(?i)x')")?.code == .invalidRegex)
        #expect(TestSupport.filterError("match(@.a, 'a{3,1}')")?.code == .invalidRegex)
        #expect(TestSupport.filterError("match(@.a, '\\\\p{IsBasicLatin}')")?.code == .invalidRegex)
        #expect(TestSupport.filterError("match(@.a, 'a*?')")?.code == .invalidRegex)
        #expect(TestSupport.filterError("match(@.a, '(a')")?.code == .invalidRegex)
        let query = try JSONPathQuery(parsing: "$[?match(@, '(?i)x')]")
        #expect(try query.values(in: ["x", "X"]).isEmpty)
        // A pattern read from the event stays RFC: invalid means false, never an error.
        let filter = try TriggerFilter(parsing: "match($.s, $.re)")
        #expect(try filter.evaluate(["s": "x", "re": "(?i)x"]) == false)
        #expect(try filter.evaluate(["s": "x", "re": "[x-y]"]) == true)
    }

    @Test("deep nesting is an error, not a crash")
    func deepNesting() {
        let deep = String(repeating: "(", count: 100_000) + "$.a" + String(repeating: ")", count: 100_000)
        #expect(TestSupport.filterError(deep)?.code == .nestingTooDeep)
        let deepQuery = "$" + String(repeating: "[?@", count: 50_000) + String(repeating: "]", count: 50_000)
        #expect(throws: JSONPathError.self) { try JSONPathQuery(parsing: deepQuery) }
        let deepRegex = "match(@.a, '" + String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000) + "')"
        #expect(TestSupport.filterError(deepRegex)?.code == .invalidRegex)
    }
}
