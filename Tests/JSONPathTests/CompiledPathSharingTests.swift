import Testing

@testable import JSONPath

/// Filters that name the same singular path share one compiled path: a trigger index of 100,000
/// filters over `$.item.status` keeps one, and each filter still evaluates on its own literal.
@Suite("Compiled paths are shared")
struct CompiledPathSharingTests {
    @Test func filtersNamingOnePathShareItsCompiledSteps() throws {
        let first = try TriggerFilter(parsing: "$.item.sharedPathTest == 'a'")
        let second = try TriggerFilter(parsing: "$.item.sharedPathTest == 'b'")
        let other = try TriggerFilter(parsing: "$.item.otherPathTest == 'a'")
        let path = { (filter: TriggerFilter) in (filter.matcher.program as? PathLiteralTest)?.path }
        #expect(path(first) != nil)
        #expect(path(first) === path(second))
        #expect(path(first) !== path(other))
        // Relative and absolute spellings of one path are different paths.
        let relative = try TriggerFilter(parsing: "$.item[?@.sharedPathTest == 'a']")
        #expect(relative.evaluate(try TestSupport.parse(#"{"item": {"x": {"sharedPathTest": "a"}}}"#)))
        let event = try TestSupport.parse(#"{"item": {"sharedPathTest": "b"}}"#)
        #expect(!first.evaluate(event) && second.evaluate(event))
    }
}
