/// What evaluating a compiled filter needs and nothing more. A trigger index keeps one per
/// trigger — not the syntax tree, source text and warnings a ``TriggerFilter`` also holds for
/// explanations — so 100,000 triggers cost a fraction of the memory.
public struct FilterMatcher: Sendable {
    let program: CompiledTest

    /// Whether the filter holds for `event`; the same answer as ``TriggerFilter/evaluate(_:budget:)``.
    public func evaluate(_ event: JSONValue, budget: Int = EvaluationBudget.defaultLimit) throws(EvaluationBudgetExceeded) -> Bool {
        var meter = EvaluationBudget(limit: budget)
        let holds = program.test(event, event, &meter)
        return try meter.check(holds)
    }
}

extension TriggerFilter {
    /// The filter's evaluation alone, sharing its compiled program.
    public var matcher: FilterMatcher { FilterMatcher(program: program) }
}
