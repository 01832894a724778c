/// A compiled RFC 9535 JSONPath query.
///
/// Compile once with ``init(parsing:)`` (syntax and function types are checked here, so
/// selection fails only by exceeding its ``EvaluationBudget``), then run it against any number of documents.
public struct JSONPathQuery: Sendable, CustomStringConvertible {
    /// The query as written.
    public let text: String
    let node: QueryNode

    /// Compiles `text`; throws with line, column and a hint when it is not a valid query.
    public init(parsing text: String) throws(JSONPathError) {
        var parser = QueryParser(text, isTriggerFilter: false)
        do throws(ParseFailure) {
            node = try parser.parseWholeQuery()
        } catch {
            throw parser.source.error(error)
        }
        self.text = text
    }

    public var description: String { text }

    /// True when the query can select at most one node (`$.a.b[0]`).
    public var isSingular: Bool { node.singularPath != nil }

    /// The selected nodes with their normalized paths, in RFC order; throws when selecting them
    /// takes more than `budget` nodes visited and comparisons.
    public func select(in document: JSONValue, budget: Int = EvaluationBudget.defaultLimit) throws(EvaluationBudgetExceeded) -> [JSONPathNode] {
        var meter = EvaluationBudget(limit: budget)
        let nodes = Evaluator.select(node, root: document, current: document, trackPaths: true, budget: &meter)
        return try meter.check(nodes).map { JSONPathNode(value: $0.value, path: NormalizedPath(PathLink.elements(of: $0.path))) }
    }

    /// The selected values only; faster than ``select(in:budget:)`` when paths are not needed.
    public func values(in document: JSONValue, budget: Int = EvaluationBudget.defaultLimit) throws(EvaluationBudgetExceeded) -> [JSONValue] {
        var meter = EvaluationBudget(limit: budget)
        let nodes = Evaluator.select(node, root: document, current: document, trackPaths: false, budget: &meter)
        return try meter.check(nodes).map(\.value)
    }
}
