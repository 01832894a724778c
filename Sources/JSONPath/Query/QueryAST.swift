/// The compiled form of a JSONPath query or filter, shared by ``JSONPathQuery`` and
/// ``TriggerFilter`` so both run the same evaluator (and the CTS covers trigger filters).
///
/// Every node keeps its source span (Unicode scalar offsets) so explanations and warnings can
/// quote the text the user wrote.

/// A half-open range of Unicode scalar offsets in the source text.
struct SourceRange: Sendable, Hashable {
    var lower: Int
    var upper: Int
}

/// A query: `$` or `@` followed by segments.
struct QueryNode: Sendable {
    var isRelative: Bool
    var segments: [SegmentNode]
    var range: SourceRange
    /// Set when every segment is a child segment with exactly one name or index selector.
    var singularPath: [PathElement]?
    /// Where the last segment starts and whether it was written as `.name` (for the `.length` warning).
    var lastSegmentStart: Int?
    var lastSegmentIsDotName = false
    /// Source range of each segment, parallel to `segments` (for fix-it rewrites).
    var segmentRanges: [SourceRange] = []
}

struct SegmentNode: Sendable {
    var isDescendant: Bool
    var selectors: [SelectorNode]
}

struct SliceNode: Sendable, Hashable {
    var start: Int?
    var end: Int?
    var step: Int?
}

enum SelectorNode: Sendable {
    case name(String)
    case wildcard
    case index(Int)
    case slice(SliceNode)
    /// The expression (for diagnostics), its source range, and its compiled form.
    case filter(LogicalNode, SourceRange, FilterCode)
}

enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// One side of a comparison.
enum ComparableNode: Sendable {
    case literal(JSONValue, SourceRange)
    case query(QueryNode)
    case function(FunctionCallNode)

    var range: SourceRange {
        switch self {
        case .literal(_, let r): return r
        case .query(let q): return q.range
        case .function(let f): return f.range
        }
    }
}

struct ComparisonNode: Sendable {
    var left: ComparableNode
    var op: ComparisonOperator
    var right: ComparableNode
    var range: SourceRange
}

/// A filter's logical expression.
indirect enum LogicalNode: Sendable {
    case or([LogicalNode], SourceRange)
    case and([LogicalNode], SourceRange)
    case not(LogicalNode, SourceRange)
    case comparison(ComparisonNode)
    /// A query used as a test: true when it selects at least one node.
    case exists(QueryNode)
    /// A function returning LogicalType or NodesType used as a test.
    case function(FunctionCallNode)

    var range: SourceRange {
        switch self {
        case .or(_, let r), .and(_, let r), .not(_, let r): return r
        case .comparison(let c): return c.range
        case .exists(let q): return q.range
        case .function(let f): return f.range
        }
    }
}

/// RFC 9535 §2.4.1 declared types.
enum FunctionType: Sendable, Hashable {
    case value, logical, nodes

    var name: String {
        switch self {
        case .value: return "Value"
        case .logical: return "Logical"
        case .nodes: return "Nodes"
        }
    }
}

/// The five standard function extensions.
enum FunctionKind: String, Sendable, CaseIterable {
    case length, count, match, search, value

    var resultType: FunctionType {
        switch self {
        case .length, .count, .value: return .value
        case .match, .search: return .logical
        }
    }

    var parameterTypes: [FunctionType] {
        switch self {
        case .length: return [.value]
        case .count, .value: return [.nodes]
        case .match, .search: return [.value, .value]
        }
    }
}

enum FunctionArgumentNode: Sendable {
    case literal(JSONValue, SourceRange)
    case query(QueryNode)
    case logical(LogicalNode)
    case function(FunctionCallNode)
}

struct FunctionCallNode: Sendable {
    var kind: FunctionKind
    var arguments: [FunctionArgumentNode]
    var range: SourceRange
    /// For `match`/`search` with a literal pattern: compiled once at creation; `nil` inside means
    /// the literal is not I-Regexp (allowed only in plain queries, where it makes the test false).
    var compiledPattern: CompiledPattern?
}

/// A literal regex compiled at creation.
struct CompiledPattern: Sendable {
    var regex: IRegexp?
}

/// A compiled filter held by a selector (a box so ``SelectorNode`` stays cheap to copy).
struct FilterCode: Sendable {
    let program: CompiledTest
    /// Budget units one candidate costs: itself, and each comparison or regex test the filter
    /// can make on it. Charged once per candidate, so the comparisons themselves (the common
    /// path of every trigger) count nothing.
    let candidateCost: Int

    init(_ expression: LogicalNode) {
        program = FilterProgram.compile(expression)
        candidateCost = 1 + FilterProgram.comparisons(in: expression)
    }
}
