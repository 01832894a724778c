import Testing

@testable import JSONPath

/// Filters compiled under one ``PathInterner`` share the compiled paths they name: a trigger index
/// of 100,000 filters over `$.item.status` keeps a handful, and each filter still evaluates on its
/// own literal.
@Suite("Compiled paths are shared within an interner")
struct CompiledPathSharingTests {
    static func path(_ filter: TriggerFilter) -> CompiledPath? {
        (filter.matcher.program as? PathLiteralTest)?.path
    }

    @Test func filtersNamingOnePathShareItsCompiledSteps() throws {
        let interner = PathInterner()
        let (first, second, other, decomposed) = try interner.sharing {
            (
                try TriggerFilter(parsing: "$.item['\u{E9}'] == 'a'"),
                try TriggerFilter(parsing: "$.item['\u{E9}'] == 'b'"),
                try TriggerFilter(parsing: "$.item.other == 'a'"),
                try TriggerFilter(parsing: "$.item['e\u{301}'] == 'a'")
            )
        }
        #expect(Self.path(first) != nil)
        #expect(Self.path(first) === Self.path(second))
        #expect(Self.path(first) !== Self.path(other))
        #expect(Self.path(first) !== Self.path(decomposed), "names compare by bytes, as JSONPath does")
        let event = try TestSupport.parse(#"{"item": {"\u00e9": "b", "e\u0301": "a"}}"#)
        #expect(try !first.evaluate(event) && second.evaluate(event) && decomposed.evaluate(event))

        // Without an interner, nothing is shared (and nothing is remembered).
        let alone = try TriggerFilter(parsing: "$.item['\u{E9}'] == 'a'")
        #expect(Self.path(alone) !== Self.path(first))
    }
}
