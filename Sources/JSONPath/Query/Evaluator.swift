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

    static func select(_ query: QueryNode, root: JSONValue, current: JSONValue, trackPaths: Bool) -> [Node] {
        var nodes = [Node(value: query.isRelative ? current : root, path: nil)]
        for segment in query.segments {
            var output: [Node] = []
            for node in nodes {
                if segment.isDescendant {
                    visitDescendants(node, segment.selectors, root: root, trackPaths: trackPaths, into: &output)
                } else {
                    apply(segment.selectors, to: node, root: root, trackPaths: trackPaths, into: &output)
                }
            }
            nodes = output
            if nodes.isEmpty { break }
        }
        return nodes
    }

    /// Pre-order: the node's own selection first, then each child's subtree in document order.
    private static func visitDescendants(_ node: Node, _ selectors: [SelectorNode], root: JSONValue, trackPaths: Bool, into output: inout [Node]) {
        apply(selectors, to: node, root: root, trackPaths: trackPaths, into: &output)
        switch node.value {
        case .array(let elements):
            for (i, element) in elements.enumerated() {
                let child = Node(value: element, path: trackPaths ? PathLink(parent: node.path, element: .index(i)) : nil)
                visitDescendants(child, selectors, root: root, trackPaths: trackPaths, into: &output)
            }
        case .object(let object):
            for member in object.members {
                let child = Node(value: member.value, path: trackPaths ? PathLink(parent: node.path, element: .name(member.key)) : nil)
                visitDescendants(child, selectors, root: root, trackPaths: trackPaths, into: &output)
            }
        default:
            break
        }
    }

    private static func apply(_ selectors: [SelectorNode], to node: Node, root: JSONValue, trackPaths: Bool, into output: inout [Node]) {
        @inline(__always) func child(_ value: JSONValue, _ element: PathElement) -> Node {
            Node(value: value, path: trackPaths ? PathLink(parent: node.path, element: element) : nil)
        }
        for selector in selectors {
            switch selector {
            case .name(let name):
                if case .object(let object) = node.value, let i = object.index(forKey: name) {
                    output.append(child(object.members[i].value, .name(object.members[i].key)))
                }
            case .wildcard:
                switch node.value {
                case .array(let elements):
                    for (i, element) in elements.enumerated() { output.append(child(element, .index(i))) }
                case .object(let object):
                    for member in object.members { output.append(child(member.value, .name(member.key))) }
                default:
                    break
                }
            case .index(let index):
                if case .array(let elements) = node.value {
                    let i = index < 0 ? elements.count + index : index
                    if i >= 0 && i < elements.count { output.append(child(elements[i], .index(i))) }
                }
            case .slice(let slice):
                if case .array(let elements) = node.value {
                    for i in sliceIndices(slice, count: elements.count) { output.append(child(elements[i], .index(i))) }
                }
            case .filter(_, _, let code):
                let program = code.program
                switch node.value {
                case .array(let elements):
                    for (i, element) in elements.enumerated() where program.test(root, element) {
                        output.append(child(element, .index(i)))
                    }
                case .object(let object):
                    for member in object.members where program.test(root, member.value) {
                        output.append(child(member.value, .name(member.key)))
                    }
                default:
                    break
                }
            }
        }
    }

    /// RFC 9535 §2.3.4.2.2 slice bounds.
    static func sliceIndices(_ slice: SliceNode, count: Int) -> [Int] {
        let step = slice.step ?? 1
        if step == 0 { return [] }
        func normalize(_ i: Int) -> Int { i >= 0 ? i : count + i }
        var result: [Int] = []
        if step > 0 {
            let lower = min(max(normalize(slice.start ?? 0), 0), count)
            let upper = min(max(normalize(slice.end ?? count), 0), count)
            var i = lower
            while i < upper {
                result.append(i)
                i += step
            }
        } else {
            let upper = min(max(slice.start.map(normalize) ?? count - 1, -1), count - 1)
            let lower = min(max(slice.end.map(normalize) ?? -1, -1), count - 1)
            var i = upper
            while lower < i {
                result.append(i)
                i += step
            }
        }
        return result
    }

    /// Direct walk for singular queries; `nil` is Nothing.
    @inline(__always)
    static func resolve(_ path: [PathElement], from start: JSONValue) -> JSONValue? {
        var value = start
        for element in path {
            switch element {
            case .name(let name):
                guard case .object(let object) = value, let i = object.index(forKey: name) else { return nil }
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
    static func value(of comparable: ComparableNode, root: JSONValue, current: JSONValue) -> JSONValue? {
        switch comparable {
        case .literal(let v, _): return v
        case .query(let q): return resolve(q.singularPath!, from: q.isRelative ? current : root)
        case .function(let f): return valueFunction(f, root: root, current: current)
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

    static func valueArgument(_ argument: FunctionArgumentNode, root: JSONValue, current: JSONValue) -> JSONValue? {
        switch argument {
        case .literal(let v, _): return v
        case .query(let q):
            if let path = q.singularPath { return resolve(path, from: q.isRelative ? current : root) }
            return nil
        case .function(let f): return valueFunction(f, root: root, current: current)
        case .logical: return nil
        }
    }

    static func nodesArgument(_ argument: FunctionArgumentNode, root: JSONValue, current: JSONValue) -> [Node] {
        if case .query(let q) = argument {
            if let path = q.singularPath {
                guard let v = resolve(path, from: q.isRelative ? current : root) else { return [] }
                return [Node(value: v, path: nil)]
            }
            return select(q, root: root, current: current, trackPaths: false)
        }
        return []
    }

    static func valueFunction(_ call: FunctionCallNode, root: JSONValue, current: JSONValue) -> JSONValue? {
        switch call.kind {
        case .length:
            switch valueArgument(call.arguments[0], root: root, current: current) {
            case .string(let s)?: return .int(s.unicodeScalars.count)
            case .array(let a)?: return .int(a.count)
            case .object(let o)?: return .int(o.count)
            default: return nil
            }
        case .count:
            return .int(nodesArgument(call.arguments[0], root: root, current: current).count)
        case .value:
            let nodes = nodesArgument(call.arguments[0], root: root, current: current)
            return nodes.count == 1 ? nodes[0].value : nil
        case .match, .search:
            return nil
        }
    }

    static func testFunction(_ call: FunctionCallNode, root: JSONValue, current: JSONValue) -> Bool {
        switch call.kind {
        case .match, .search:
            guard case .string(let subject)? = valueArgument(call.arguments[0], root: root, current: current) else { return false }
            let regex: IRegexp
            if let compiled = call.compiledPattern {
                guard let r = compiled.regex else { return false }
                regex = r
            } else {
                guard case .string(let pattern)? = valueArgument(call.arguments[1], root: root, current: current),
                    let r = try? IRegexp(pattern, buildDFA: false)
                else { return false }
                regex = r
            }
            return call.kind == .match ? regex.matches(subject) : regex.containsMatch(in: subject)
        case .length, .count, .value:
            return false
        }
    }
}
