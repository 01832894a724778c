/// A filter expression compiled for repeated evaluation.
///
/// The parser's tree (``LogicalNode``) is built for diagnostics: enums with spans and source
/// details, which Swift copies and reference-counts on every switch. Evaluation runs on this
/// separate tree of immutable final classes instead, with the common trigger shape
/// `singular-path op literal` specialised, so a seed filter costs a few key comparisons.
/// Both `[?…]` in queries and trigger filters run through it (so the CTS covers triggers).
/// The nodes are ``CompiledTest`` and ``CompiledValue`` subclasses.
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
                return ExistsPathTest(path: CompiledPath.shared(path, relative: query.isRelative))
            }
            if let (prefix, last) = splitLastSegment(query), case .filter(_, _, let code) = last {
                return ExistsChildMatchingTest(prefix: prefix, filter: code.program, candidateCost: code.candidateCost)
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
                return PathLiteralTest(path: CompiledPath.shared(q.singularPath!, relative: q.isRelative), op: c.op, literal: v, literalOnLeft: false)
            case (.literal(let v, _), .query(let q)):
                return PathLiteralTest(path: CompiledPath.shared(q.singularPath!, relative: q.isRelative), op: c.op, literal: v, literalOnLeft: true)
            default:
                return CompareTest(left: compile(c.left), op: c.op, right: compile(c.right))
            }
        }
    }

    /// Comparisons and function tests in `node`: what evaluating it once can compare at most.
    static func comparisons(in node: LogicalNode) -> Int {
        switch node {
        case .or(let operands, _), .and(let operands, _): return operands.reduce(0) { $0 + comparisons(in: $1) }
        case .not(let inner, _): return comparisons(in: inner)
        case .comparison, .function: return 1
        case .exists: return 0
        }
    }

    static func compile(_ comparable: ComparableNode) -> CompiledValue {
        switch comparable {
        case .literal(let v, _): return LiteralValue(literal: v)
        case .query(let q): return PathValue(path: CompiledPath.shared(q.singularPath!, relative: q.isRelative))
        case .function(let f):
            switch (f.kind, f.arguments.first) {
            case (.length, .query(let q)?) where q.singularPath != nil:
                return LengthValue(path: CompiledPath.shared(q.singularPath!, relative: q.isRelative))
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
        case .query(let q) where q.singularPath != nil: return PathValue(path: CompiledPath.shared(q.singularPath!, relative: q.isRelative))
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
        return (CompiledPath.shared(prefix, relative: query.isRelative), last.selectors[0])
    }
}

/// `prefix[?filter]` as a test: true at the first child that passes, no node list.
final class ExistsChildMatchingTest: CompiledTest, @unchecked Sendable {
    let prefix: CompiledPath
    let filter: CompiledTest
    let candidateCost: Int

    init(prefix: CompiledPath, filter: CompiledTest, candidateCost: Int) {
        self.prefix = prefix
        self.filter = filter
        self.candidateCost = candidateCost
    }

    override func test(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> Bool {
        switch prefix.resolve(root, current, &budget) {
        case .array(let elements)?:
            for element in elements {
                guard budget.spend(candidateCost) else { return false }
                if filter.test(root, element, &budget) { return true }
            }
            return false
        case .object(let object)?:
            for member in object.members {
                guard budget.spend(candidateCost) else { return false }
                if filter.test(root, member.value, &budget) { return true }
            }
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

    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? {
        switch path.resolve(root, current, &budget) {
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

    override func value(_ root: JSONValue, _ current: JSONValue, _ budget: inout EvaluationBudget) -> JSONValue? {
        switch prefix.resolve(root, current, &budget) {
        case .array(let a)?: return .int(a.count)
        case .object(let o)?: return .int(o.count)
        default: return .int(0)
        }
    }
}
