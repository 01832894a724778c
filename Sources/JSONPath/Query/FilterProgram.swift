/// A filter expression compiled for repeated evaluation.
///
/// The parser's tree (``LogicalNode``) is built for diagnostics: enums with spans and source
/// details, which Swift copies and reference-counts on every switch. Evaluation runs on this
/// separate tree of immutable final classes instead, with the common trigger shape
/// `singular-path op literal` specialised, so a seed filter costs a few key comparisons.
/// Both `[?…]` in queries and trigger filters run through it (so the CTS covers triggers).
///
/// Classes rather than protocol existentials: calling through an array of class references
/// avoids copying existential boxes (a retain/release pair per operand per evaluation).
/// `@unchecked Sendable` is safe because every node is immutable after `init` (only `let`s of
/// Sendable types in final subclasses).
class CompiledTest: @unchecked Sendable {
    func test(_ root: JSONValue, _ current: JSONValue) -> Bool { false }
}

/// A comparison operand; see ``CompiledTest`` for why this is a class.
class CompiledValue: @unchecked Sendable {
    func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? { nil }
}

enum FilterProgram {
    static func compile(_ node: LogicalNode) -> CompiledTest {
        switch node {
        case .or(let operands, _):
            return OrTest(operands: operands.map(compile))
        case .and(let operands, _):
            return AndTest(operands: operands.map(compile))
        case .not(let inner, _):
            return NotTest(operand: compile(inner))
        case .exists(let query):
            if let path = query.singularPath {
                return ExistsPathTest(path: CompiledPath(path, relative: query.isRelative))
            }
            return ExistsQueryTest(query: query)
        case .function(let call):
            return FunctionTest(call: call)
        case .comparison(let c):
            switch (c.left, c.right) {
            case (.query(let q), .literal(let v, _)):
                return PathLiteralTest(path: CompiledPath(q.singularPath!, relative: q.isRelative), op: c.op, literal: v, literalOnLeft: false)
            case (.literal(let v, _), .query(let q)):
                return PathLiteralTest(path: CompiledPath(q.singularPath!, relative: q.isRelative), op: c.op, literal: v, literalOnLeft: true)
            default:
                return CompareTest(left: compile(c.left), op: c.op, right: compile(c.right))
            }
        }
    }

    static func compile(_ comparable: ComparableNode) -> CompiledValue {
        switch comparable {
        case .literal(let v, _): return LiteralValue(literal: v)
        case .query(let q): return PathValue(path: CompiledPath(q.singularPath!, relative: q.isRelative))
        case .function(let f): return FunctionValue(call: f)
        }
    }
}

/// A singular query's steps, ready for a direct walk.
final class CompiledPath: Sendable {
    enum Step: Sendable {
        case name(String, fingerprint: UInt64)
        case index(Int)
    }

    let steps: [Step]
    let relative: Bool

    init(_ elements: [PathElement], relative: Bool) {
        steps = elements.map { element in
            switch element {
            case .name(let n): return .name(n, fingerprint: JSONObject.fingerprint(of: n))
            case .index(let i): return .index(i)
            }
        }
        self.relative = relative
    }

    @inline(__always)
    func resolve(_ root: JSONValue, _ current: JSONValue) -> JSONValue? {
        var value = relative ? current : root
        for step in steps {
            switch step {
            case .name(let name, let fingerprint):
                guard case .object(let object) = value, let i = object.index(forKey: name, fingerprint: fingerprint) else { return nil }
                value = object.members[i].value
            case .index(let index):
                guard case .array(let elements) = value else { return nil }
                let i = index < 0 ? elements.count + index : index
                guard i >= 0 && i < elements.count else { return nil }
                value = elements[i]
            }
        }
        return value
    }
}

final class OrTest: CompiledTest, @unchecked Sendable {
    let operands: [CompiledTest]
    init(operands: [CompiledTest]) { self.operands = operands }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        for operand in operands where operand.test(root, current) { return true }
        return false
    }
}

final class AndTest: CompiledTest, @unchecked Sendable {
    let operands: [CompiledTest]
    init(operands: [CompiledTest]) { self.operands = operands }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        for operand in operands where !operand.test(root, current) { return false }
        return true
    }
}

final class NotTest: CompiledTest, @unchecked Sendable {
    let operand: CompiledTest
    init(operand: CompiledTest) { self.operand = operand }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        !operand.test(root, current)
    }
}

final class ExistsPathTest: CompiledTest, @unchecked Sendable {
    let path: CompiledPath
    init(path: CompiledPath) { self.path = path }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        path.resolve(root, current) != nil
    }
}

final class ExistsQueryTest: CompiledTest, @unchecked Sendable {
    let query: QueryNode
    init(query: QueryNode) { self.query = query }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        !Evaluator.select(query, root: root, current: current, trackPaths: false).isEmpty
    }
}

final class FunctionTest: CompiledTest, @unchecked Sendable {
    let call: FunctionCallNode
    init(call: FunctionCallNode) { self.call = call }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        Evaluator.testFunction(call, root: root, current: current)
    }
}

/// `path op literal` (or `literal op path`): the shape of nearly every trigger comparison.
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

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        let found = path.resolve(root, current)
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

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        Evaluator.compare(left.value(root, current), op, right.value(root, current))
    }
}

final class LiteralValue: CompiledValue, @unchecked Sendable {
    let literal: JSONValue
    init(literal: JSONValue) { self.literal = literal }
    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? { literal }
}

final class PathValue: CompiledValue, @unchecked Sendable {
    let path: CompiledPath
    init(path: CompiledPath) { self.path = path }
    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? { path.resolve(root, current) }
}

final class FunctionValue: CompiledValue, @unchecked Sendable {
    let call: FunctionCallNode
    init(call: FunctionCallNode) { self.call = call }
    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? { Evaluator.valueFunction(call, root: root, current: current) }
}
