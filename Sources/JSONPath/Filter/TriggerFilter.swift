/// A trigger filter: the body of an RFC 9535 filter selector, evaluated once per event with both
/// `$` and `@` bound to the event (see `shared/JSONPATH-FILTERS.md`).
///
/// Compile once when the trigger is saved — every error is a creation error with line:column,
/// span and fix-it hint, and syntax pasted from Newtonsoft/Jayway is rejected with its RFC
/// rewrite — then call ``evaluate(_:budget:)`` for each event; evaluation fails only by exceeding its
/// work budget (``EvaluationBudget``).
public struct TriggerFilter: Sendable, CustomStringConvertible {
    /// The filter as written.
    public let text: String
    /// Constructs that are valid but probably not what the author meant.
    public let warnings: [FilterWarning]
    let expression: LogicalNode
    let program: CompiledTest
    let source: SourceText

    /// Compiles `text`, or throws the first error found.
    public init(parsing text: String) throws(JSONPathError) {
        var parser = QueryParser(text, isTriggerFilter: true)
        do throws(ParseFailure) {
            expression = try parser.parseWholeFilter()
        } catch {
            throw parser.source.error(error)
        }
        self.text = text
        program = FilterProgram.compile(expression)
        source = parser.source
        warnings = parser.source.warnings(parser.keptWarnings)
    }

    public var description: String { text }

    /// Whether the trigger fires for `event`; throws when deciding it takes more than `budget`
    /// nodes visited and comparisons.
    public func evaluate(_ event: JSONValue, budget: Int = EvaluationBudget.defaultLimit) throws(EvaluationBudgetExceeded) -> Bool {
        var meter = EvaluationBudget(limit: budget)
        let holds = program.test(event, event, &meter)
        return try meter.check(holds)
    }
}
