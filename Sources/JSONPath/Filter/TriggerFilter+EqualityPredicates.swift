/// A condition `path == value` that must hold for a filter to be true.
///
/// A trigger index can bucket filters by these: an event can only match a filter if the value at
/// `path` equals `value` (with ``JSONValue`` equality: numbers by value, so `1234` and `1234.0`
/// are the same key; hash an event's value with the same `Hashable` conformance).
public struct EqualityPredicate: Sendable, Hashable, CustomStringConvertible {
    /// Member names from the event root (`$.item.status` → `["item", "status"]`).
    public let path: [String]
    /// The literal the member must equal.
    public let value: JSONValue

    public init(path: [String], value: JSONValue) {
        self.path = path
        self.value = value
    }

    public var description: String {
        NormalizedPath(path.map { .name($0) }).description + " == " + value.jsonText
    }
}

extension TriggerFilter {
    /// The top-level conjunctive equality predicates: each `singular-query == literal`
    /// (either order) that is an operand of the outermost `&&` chain (or the whole filter), where
    /// the query uses member names only. All of them are necessary for the filter to be true; they
    /// are not sufficient (other conjuncts may also apply). A filter whose top level is `||` or
    /// `!` has none. `$` and `@` both mean the event here.
    public var equalityPredicates: [EqualityPredicate] {
        var result: [EqualityPredicate] = []
        func collect(_ node: LogicalNode) {
            switch node {
            case .and(let operands, _):
                for operand in operands { collect(operand) }
            case .comparison(let c) where c.op == .equal:
                switch (c.left, c.right) {
                case (.query(let q), .literal(let v, _)), (.literal(let v, _), .query(let q)):
                    if let names = TriggerFilter.memberNames(q) { result.append(EqualityPredicate(path: names, value: v)) }
                default:
                    break
                }
            default:
                break
            }
        }
        collect(expression)
        return result
    }

    static func memberNames(_ q: QueryNode) -> [String]? {
        guard let path = q.singularPath else { return nil }
        var names: [String] = []
        for element in path {
            guard case .name(let n) = element else { return nil }
            names.append(n)
        }
        return names
    }
}
