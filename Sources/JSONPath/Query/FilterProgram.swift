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
            if let (prefix, last) = splitLastSegment(query), case .filter(_, _, let code) = last {
                return ExistsChildMatchingTest(prefix: prefix, filter: code.program)
            }
            return ExistsQueryTest(query: query)
        case .function(let call):
            if call.kind == .match || call.kind == .search, let regex = call.compiledPattern?.regex {
                return RegexTest(subject: compile(call.arguments[0]), regex: regex, whole: call.kind == .match)
            }
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
        case .function(let f):
            switch (f.kind, f.arguments.first) {
            case (.length, .query(let q)?) where q.singularPath != nil:
                return LengthValue(path: CompiledPath(q.singularPath!, relative: q.isRelative))
            case (.count, .query(let q)?):
                if let (prefix, last) = splitLastSegment(q), case .wildcard = last {
                    return CountChildrenValue(prefix: prefix)
                }
                return FunctionValue(call: f)
            default:
                return FunctionValue(call: f)
            }
        }
    }

    static func compile(_ argument: FunctionArgumentNode) -> CompiledValue {
        switch argument {
        case .literal(let v, _): return LiteralValue(literal: v)
        case .query(let q) where q.singularPath != nil: return PathValue(path: CompiledPath(q.singularPath!, relative: q.isRelative))
        case .function(let f): return compile(ComparableNode.function(f))
        default: return ArgumentValue(argument: argument)
        }
    }

    /// `singular-prefix [selector]`: every segment but the last is a single name or index child
    /// segment, and the last is a child segment with one selector. Such queries (`@.tags[*]`,
    /// `$.item.tags[?@ == 'eu']`) are counted or tested without building node lists.
    static func splitLastSegment(_ query: QueryNode) -> (CompiledPath, SelectorNode)? {
        guard let last = query.segments.last, !last.isDescendant, last.selectors.count == 1 else { return nil }
        var prefix: [PathElement] = []
        for segment in query.segments.dropLast() {
            guard !segment.isDescendant, segment.selectors.count == 1 else { return nil }
            switch segment.selectors[0] {
            case .name(let n): prefix.append(.name(n))
            case .index(let i): prefix.append(.index(i))
            default: return nil
            }
        }
        return (CompiledPath(prefix, relative: query.isRelative), last.selectors[0])
    }
}

/// `prefix[?filter]` as a test: true at the first child that passes, no node list.
final class ExistsChildMatchingTest: CompiledTest, @unchecked Sendable {
    let prefix: CompiledPath
    let filter: CompiledTest

    init(prefix: CompiledPath, filter: CompiledTest) {
        self.prefix = prefix
        self.filter = filter
    }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        switch prefix.resolve(root, current) {
        case .array(let elements)?:
            for element in elements where filter.test(root, element) { return true }
            return false
        case .object(let object)?:
            for member in object.members where filter.test(root, member.value) { return true }
            return false
        default:
            return false
        }
    }
}

/// `length(singular-query)`.
final class LengthValue: CompiledValue, @unchecked Sendable {
    let path: CompiledPath
    init(path: CompiledPath) { self.path = path }

    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? {
        switch path.resolve(root, current) {
        case .string(let s)?: return .int(s.unicodeScalars.count)
        case .array(let a)?: return .int(a.count)
        case .object(let o)?: return .int(o.count)
        default: return nil
        }
    }
}

/// `count(prefix[*])`: the number of children of the node at `prefix`.
final class CountChildrenValue: CompiledValue, @unchecked Sendable {
    let prefix: CompiledPath
    init(prefix: CompiledPath) { self.prefix = prefix }

    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? {
        switch prefix.resolve(root, current) {
        case .array(let a)?: return .int(a.count)
        case .object(let o)?: return .int(o.count)
        default: return .int(0)
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

/// `match`/`search` with a literal pattern compiled at creation.
final class RegexTest: CompiledTest, @unchecked Sendable {
    let subject: CompiledValue
    let regex: IRegexp
    let whole: Bool

    init(subject: CompiledValue, regex: IRegexp, whole: Bool) {
        self.subject = subject
        self.regex = regex
        self.whole = whole
    }

    override func test(_ root: JSONValue, _ current: JSONValue) -> Bool {
        guard case .string(let s)? = subject.value(root, current) else { return false }
        return whole ? regex.matches(s) : regex.containsMatch(in: s)
    }
}

/// Any other Value argument, through the general evaluator.
final class ArgumentValue: CompiledValue, @unchecked Sendable {
    let argument: FunctionArgumentNode
    init(argument: FunctionArgumentNode) { self.argument = argument }

    override func value(_ root: JSONValue, _ current: JSONValue) -> JSONValue? {
        Evaluator.valueArgument(argument, root: root, current: current)
    }
}
