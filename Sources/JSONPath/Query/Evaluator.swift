/// Evaluates compiled queries and filter expressions.
///
/// One routine serves `[?…]` inside queries and trigger filters (where `$` and `@` are both the
/// event), so the CTS exercises the trigger path too. Singular queries, which is what almost
/// every trigger comparison uses, are resolved by a direct walk with no node lists allocated.
enum Evaluator {
    /// A node during selection; `path` is only built when the caller wants normalized paths.
    struct Node {
        var value: JSONValue
        var path: PathLink?
    }

    // MARK: Selection

    /// Where selected nodes go, and when selection may stop: an existence test needs one node,
    /// `value()` two, `count()` all of them but none kept.
    struct NodeSink {
        let stopAfter: Int
        let keepsNodes: Bool
        private(set) var nodes: [Node] = []
        private(set) var count = 0

        static var all: NodeSink { NodeSink(stopAfter: .max, keepsNodes: true) }
        static var counting: NodeSink { NodeSink(stopAfter: .max, keepsNodes: false) }
        static func first(_ n: Int) -> NodeSink { NodeSink(stopAfter: n, keepsNodes: true) }

        @inline(__always) var isSatisfied: Bool { count >= stopAfter }

        mutating func take(_ node: Node) {
            count += 1
            if keepsNodes { nodes.append(node) }
        }
    }

    /// Every node `query` selects, in RFC order, within `budget`.
    static func select(
        _ query: QueryNode, root: JSONValue, current: JSONValue, trackPaths: Bool, budget: inout EvaluationBudget
    ) -> [Node] {
        var sink = NodeSink.all
        select(query, root: root, current: current, trackPaths: trackPaths, budget: &budget, into: &sink)
        return sink.nodes
    }

    /// Streams the nodes `query` selects into `sink` until it is satisfied. Depth first: a node
    /// goes through the remaining segments before its next sibling is selected. That keeps RFC
    /// order (a segment's output is the concatenation of each input node's selection), never
    /// holds a segment's whole node list (`..*` of a deep document is quadratic in its depth),
    /// and lets an existence test stop at its first node.
    static func select(
        _ query: QueryNode, root: JSONValue, current: JSONValue, trackPaths: Bool, budget: inout EvaluationBudget,
        into sink: inout NodeSink
    ) {
        let start = Node(value: query.isRelative ? current : root, path: nil)
        guard query.segments.count > maximumStreamedSegments else {
            let walk = Walk(segments: query.segments, root: root, trackPaths: trackPaths)
            walk.visit(start, segment: 0, budget: &budget, sink: &sink)
            return
        }
        // Segment by segment: the walk recurses once per segment, and thousands of them could
        // overflow a task's stack. Every node still costs a unit, so no list outgrows the budget.
        var nodes = [start]
        for segment in query.segments {
            let walk = Walk(segments: [segment], root: root, trackPaths: trackPaths)
            var next = NodeSink.all
            for node in nodes { walk.visit(node, segment: 0, budget: &budget, sink: &next) }
            nodes = next.nodes
            if nodes.isEmpty || budget.isExhausted { break }
        }
        for node in nodes where !sink.isSatisfied { sink.take(node) }
    }

    /// Queries with more segments are selected segment by segment (see above).
    static let maximumStreamedSegments = 32

    /// One streaming selection; see ``select(_:root:current:trackPaths:budget:into:)``.
    private struct Walk {
        let segments: [SegmentNode]
        let root: JSONValue
        let trackPaths: Bool

        /// `node` has been selected by the segments before `segment`.
        func visit(_ node: Node, segment: Int, budget: inout EvaluationBudget, sink: inout NodeSink) {
            guard segment < segments.count else {
                sink.take(node)
                return
            }
            if segments[segment].isDescendant {
                descend(node, segment: segment, budget: &budget, sink: &sink)
            } else {
                apply(segments[segment].selectors, to: node, next: segment + 1, budget: &budget, sink: &sink)
            }
        }

        /// Pre-order: the node's own selection first, then each child's subtree in document order.
        private func descend(_ node: Node, segment: Int, budget: inout EvaluationBudget, sink: inout NodeSink) {
            apply(segments[segment].selectors, to: node, next: segment + 1, budget: &budget, sink: &sink)
            switch node.value {
            case .array(let elements):
                for (i, element) in elements.enumerated() {
                    guard !sink.isSatisfied, budget.spend() else { return }
                    descend(child(of: node, element, .index(i)), segment: segment, budget: &budget, sink: &sink)
                }
            case .object(let object):
                for member in object.members {
                    guard !sink.isSatisfied, budget.spend() else { return }
                    descend(child(of: node, member.value, .name(member.key)), segment: segment, budget: &budget, sink: &sink)
                }
            default:
                break
            }
        }

        @inline(__always)
        private func child(of node: Node, _ value: JSONValue, _ element: PathElement) -> Node {
            Node(value: value, path: trackPaths ? PathLink(parent: node.path, element: element) : nil)
        }

        /// A selected child costs one unit, and goes on to segment `next` at once.
        @inline(__always)
        private func emit(
            _ value: JSONValue, _ element: PathElement, of node: Node, next: Int, budget: inout EvaluationBudget, sink: inout NodeSink
        ) {
            guard budget.spend() else { return }
            visit(child(of: node, value, element), segment: next, budget: &budget, sink: &sink)
        }

        private func apply(
            _ selectors: [SelectorNode], to node: Node, next: Int, budget: inout EvaluationBudget, sink: inout NodeSink
        ) {
            for selector in selectors {
                if sink.isSatisfied || budget.isExhausted { return }
                switch selector {
                case .name(let name):
                    if case .object(let object) = node.value, budget.chargeLookup(width: object.count), let i = object.index(forKey: name) {
                        emit(object.members[i].value, .name(object.members[i].key), of: node, next: next, budget: &budget, sink: &sink)
                    }
                case .wildcard:
                    switch node.value {
                    case .array(let elements):
                        for (i, element) in elements.enumerated() {
                            if sink.isSatisfied || budget.isExhausted { return }
                            emit(element, .index(i), of: node, next: next, budget: &budget, sink: &sink)
                        }
                    case .object(let object):
                        for member in object.members {
                            if sink.isSatisfied || budget.isExhausted { return }
                            emit(member.value, .name(member.key), of: node, next: next, budget: &budget, sink: &sink)
                        }
                    default:
                        break
                    }
                case .index(let index):
                    if case .array(let elements) = node.value {
                        let i = index < 0 ? elements.count + index : index
                        if i >= 0 && i < elements.count {
                            emit(elements[i], .index(i), of: node, next: next, budget: &budget, sink: &sink)
                        }
                    }
                case .slice(let slice):
                    if case .array(let elements) = node.value {
                        for i in sliceIndices(slice, count: elements.count) {
                            if sink.isSatisfied || budget.isExhausted { return }
                            emit(elements[i], .index(i), of: node, next: next, budget: &budget, sink: &sink)
                        }
                    }
                case .filter(_, _, let code):
                    // A candidate pays for itself and the comparisons the filter may make on it.
                    let program = code.program
                    let cost = code.candidateCost
                    switch node.value {
                    case .array(let elements):
                        for (i, element) in elements.enumerated() {
                            guard !sink.isSatisfied, budget.spend(cost) else { return }
                            if program.test(root, element, &budget) {
                                visit(child(of: node, element, .index(i)), segment: next, budget: &budget, sink: &sink)
                            }
                        }
                    case .object(let object):
                        for member in object.members {
                            guard !sink.isSatisfied, budget.spend(cost) else { return }
                            if program.test(root, member.value, &budget) {
                                visit(child(of: node, member.value, .name(member.key)), segment: next, budget: &budget, sink: &sink)
                            }
                        }
                    default:
                        break
                    }
                }
            }
        }
    }

    /// RFC 9535 §2.3.4.2.2 slice bounds, as a lazy stride (a slice of a huge array costs only
    /// the elements visited).
    static func sliceIndices(_ slice: SliceNode, count: Int) -> StrideTo<Int> {
        let step = slice.step ?? 1
        func normalize(_ i: Int) -> Int { i >= 0 ? i : count + i }
        if step == 0 { return stride(from: 0, to: 0, by: 1) }
        if step > 0 {
            let lower = min(max(normalize(slice.start ?? 0), 0), count)
            let upper = min(max(normalize(slice.end ?? count), 0), count)
            return stride(from: lower, to: upper, by: step)
        }
        let upper = min(max(slice.start.map(normalize) ?? count - 1, -1), count - 1)
        let lower = min(max(slice.end.map(normalize) ?? -1, -1), count - 1)
        return stride(from: upper, to: lower, by: step)
    }

    /// Direct walk for singular queries; `nil` is Nothing.
    @inline(__always)
    static func resolve(_ path: [PathElement], from start: JSONValue, budget: inout EvaluationBudget) -> JSONValue? {
        var value = start
        for element in path {
            switch element {
            case .name(let name):
                guard case .object(let object) = value, budget.chargeLookup(width: object.count), let i = object.index(forKey: name)
                else { return nil }
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

    // MARK: Logical expressions

    @inline(__always)
    static func value(
        of comparable: ComparableNode, root: JSONValue, current: JSONValue, budget: inout EvaluationBudget
    ) -> JSONValue? {
        switch comparable {
        case .literal(let v, _): return v
        case .query(let q): return resolve(q.singularPath!, from: q.isRelative ? current : root, budget: &budget)
        case .function(let f): return valueFunction(f, root: root, current: current, budget: &budget)
        }
    }

    /// RFC 9535 §2.3.5.2.2; `nil` is Nothing.
    static func compare(_ left: JSONValue?, _ op: ComparisonOperator, _ right: JSONValue?) -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        case .less: return less(left, right)
        case .lessOrEqual: return less(left, right) || equal(left, right)
        case .greater: return less(right, left)
        case .greaterOrEqual: return less(right, left) || equal(left, right)
        }
    }

    @inline(__always)
    static func equal(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        switch (left, right) {
        case (nil, nil): return true
        case (let l?, let r?): return l == r
        default: return false
        }
    }

    @inline(__always)
    static func less(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        guard let left, let right else { return false }
        return JSONValue.precedes(left, right)
    }

    // MARK: Functions

    static func valueArgument(
        _ argument: FunctionArgumentNode, root: JSONValue, current: JSONValue, budget: inout EvaluationBudget
    ) -> JSONValue? {
        switch argument {
        case .literal(let v, _): return v
        case .query(let q):
            if let path = q.singularPath { return resolve(path, from: q.isRelative ? current : root, budget: &budget) }
            return nil
        case .function(let f): return valueFunction(f, root: root, current: current, budget: &budget)
        case .logical: return nil
        }
    }

    /// The nodes of a Nodes argument, streamed into `sink` (which says how many are needed).
    static func nodesArgument(
        _ argument: FunctionArgumentNode, root: JSONValue, current: JSONValue, budget: inout EvaluationBudget,
        into sink: inout NodeSink
    ) {
        guard case .query(let q) = argument else { return }
        if let path = q.singularPath {
            if let v = resolve(path, from: q.isRelative ? current : root, budget: &budget) { sink.take(Node(value: v, path: nil)) }
            return
        }
        select(q, root: root, current: current, trackPaths: false, budget: &budget, into: &sink)
    }

    static func valueFunction(
        _ call: FunctionCallNode, root: JSONValue, current: JSONValue, budget: inout EvaluationBudget
    ) -> JSONValue? {
        switch call.kind {
        case .length:
            switch valueArgument(call.arguments[0], root: root, current: current, budget: &budget) {
            case .string(let s)?: return .int(s.unicodeScalars.count)
            case .array(let a)?: return .int(a.count)
            case .object(let o)?: return .int(o.count)
            default: return nil
            }
        case .count:
            var sink = NodeSink.counting
            nodesArgument(call.arguments[0], root: root, current: current, budget: &budget, into: &sink)
            return .int(sink.count)
        case .value:
            // A second node already makes the result Nothing.
            var sink = NodeSink.first(2)
            nodesArgument(call.arguments[0], root: root, current: current, budget: &budget, into: &sink)
            return sink.count == 1 ? sink.nodes[0].value : nil
        case .match, .search:
            return nil
        }
    }

    /// Regex steps (threads stepped per scalar) per unit of the evaluation budget: the default
    /// budget allows about 10⁷ steps of matching, a few tens of milliseconds.
    @inline(__always) static var regexStepsPerUnit: Int { 100 }

    /// `match()` (`whole`) or `search()` with the regex's work on the budget: one unit per
    /// ``regexStepsPerUnit`` steps; past the budget it stops (the entry point throws).
    static func match(_ regex: IRegexp, _ subject: String, whole: Bool, budget: inout EvaluationBudget) -> Bool {
        let allowance = max(0, budget.remaining) &* regexStepsPerUnit
        let (matched, steps) = regex.run(subject, anchored: whole, maxSteps: allowance)
        guard budget.spend(steps / regexStepsPerUnit), let matched else {
            _ = budget.spend(budget.remaining &+ 1)
            return false
        }
        return matched
    }

    static func testFunction(
        _ call: FunctionCallNode, root: JSONValue, current: JSONValue, budget: inout EvaluationBudget
    ) -> Bool {
        switch call.kind {
        case .match, .search:
            guard case .string(let subject)? = valueArgument(call.arguments[0], root: root, current: current, budget: &budget)
            else { return false }
            let regex: IRegexp
            if let compiled = call.compiledPattern {
                guard let r = compiled.regex else { return false }
                regex = r
            } else {
                guard case .string(let pattern)? = valueArgument(call.arguments[1], root: root, current: current, budget: &budget),
                    let r = PatternCache.shared.regex(pattern)
                else { return false }
                regex = r
            }
            return match(regex, subject, whole: call.kind == .match, budget: &budget)
        case .length, .count, .value:
            return false
        }
    }
}
