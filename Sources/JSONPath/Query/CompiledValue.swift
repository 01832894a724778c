/// A comparison operand; see ``CompiledTest`` for why this is a class.
class CompiledValue: @unchecked Sendable {
    func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? { nil }
}

final class LiteralValue: CompiledValue, @unchecked Sendable {
    let literal: JSONValue
    init(literal: JSONValue) { self.literal = literal }
    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? { literal }
}

final class PathValue: CompiledValue, @unchecked Sendable {
    let path: CompiledPath
    init(path: CompiledPath) { self.path = path }
    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? { path.resolve(root, current, &budget) }
}

final class FunctionValue: CompiledValue, @unchecked Sendable {
    let call: FunctionCallNode
    init(call: FunctionCallNode) { self.call = call }
    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? {
        Evaluator.valueFunction(call, root: root, current: current, budget: &budget)
    }
}

final class ArgumentValue: CompiledValue, @unchecked Sendable {
    let argument: FunctionArgumentNode
    init(argument: FunctionArgumentNode) { self.argument = argument }

    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? {
        Evaluator.valueArgument(argument, root: root, current: current, budget: &budget)
    }
}
