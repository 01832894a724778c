/// A node of a compiled filter (see ``FilterProgram``) that yields true or false.
///
/// Classes rather than protocol existentials: calling through an array of class references
/// avoids copying existential boxes (a retain/release pair per operand per evaluation).
/// `@unchecked Sendable` is safe because every node is immutable after `init` (only `let`s of
/// Sendable types in final subclasses).
///
/// `test` charges `budget` for the nodes it visits; comparisons are paid for once per
/// evaluation or once per nested-filter candidate (``FilterCode/candidateCost``), never one by
/// one, which keeps the common trigger path free of counting.
class CompiledTest: @unchecked Sendable {
    func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool { false }
}

final class OrTest: CompiledTest, @unchecked Sendable {
    let operands: [CompiledTest]
    init(operands: [CompiledTest]) { self.operands = operands }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        for operand in operands where operand.test(root, current, &budget) { return true }
        return false
    }
}

final class AndTest: CompiledTest, @unchecked Sendable {
    let operands: [CompiledTest]
    init(operands: [CompiledTest]) { self.operands = operands }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        for operand in operands where !operand.test(root, current, &budget) { return false }
        return true
    }
}

final class NotTest: CompiledTest, @unchecked Sendable {
    let operand: CompiledTest
    init(operand: CompiledTest) { self.operand = operand }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        !operand.test(root, current, &budget)
    }
}

final class ExistsPathTest: CompiledTest, @unchecked Sendable {
    let path: CompiledPath
    init(path: CompiledPath) { self.path = path }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        path.exists(root, current, &budget)
    }
}

final class ExistsQueryTest: CompiledTest, @unchecked Sendable {
    let query: QueryNode
    init(query: QueryNode) { self.query = query }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        var sink = Evaluator.NodeSink.first(1)
        Evaluator.select(query, root: root, current: current, trackPaths: false, budget: &budget, into: &sink)
        return sink.count > 0
    }
}

final class FunctionTest: CompiledTest, @unchecked Sendable {
    let call: FunctionCallNode
    init(call: FunctionCallNode) { self.call = call }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        Evaluator.testFunction(call, root: root, current: current, budget: &budget)
    }
}

final class PathLiteralTest: CompiledTest, @unchecked Sendable {
    let path: CompiledPath
    let op: ComparisonOperator
    let literal: JSONValue
    let literalOnLeft: Bool

    init(path: CompiledPath, op: ComparisonOperator, literal: JSONValue, literalOnLeft: Bool) {
        self.path = path
        self.op = op
        self.literal = literal
        self.literalOnLeft = literalOnLeft
    }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        let found = path.resolve(root, current, &budget)
        switch op {
        case .equal:
            guard let found else { return false }
            return found == literal
        case .notEqual:
            guard let found else { return true }
            return found != literal
        default:
            return literalOnLeft ? Evaluator.compare(literal, op, found) : Evaluator.compare(found, op, literal)
        }
    }
}

final class CompareTest: CompiledTest, @unchecked Sendable {
    let left: CompiledValue
    let op: ComparisonOperator
    let right: CompiledValue

    init(left: CompiledValue, op: ComparisonOperator, right: CompiledValue) {
        self.left = left
        self.op = op
        self.right = right
    }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        let leftValue = left.value(root, current, &budget)
        let rightValue = right.value(root, current, &budget)
        return Evaluator.compare(leftValue, op, rightValue)
    }
}

final class RegexTest: CompiledTest, @unchecked Sendable {
    let subject: CompiledValue
    let regex: IRegexp
    let whole: Bool

    init(subject: CompiledValue, regex: IRegexp, whole: Bool) {
        self.subject = subject
        self.regex = regex
        self.whole = whole
    }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        guard case .string(let s)? = subject.value(root, current, &budget) else { return false }
        return Evaluator.match(regex, s, whole: whole, budget: &budget)
    }
}
