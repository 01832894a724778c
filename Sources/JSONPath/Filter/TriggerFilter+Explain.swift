/// Explanation: the same evaluation as ``TriggerFilter/evaluate(_:)``, recording values.
extension TriggerFilter {
    /// Evaluates `event` and returns, for every comparison and test, what it saw and its result.
    /// Parts skipped by short-circuiting `&&`/`||` are reported with a `nil` result.
    public func explain(_ event: JSONValue) -> FilterExplanation {
        let step = explainNode(expression, event: event)
        return FilterExplanation(result: step.result ?? false, root: step)
    }

    private func explainNode(_ node: LogicalNode, event: JSONValue) -> FilterExplanation.Step {
        let text = source.text(node.range)
        switch node {
        case .or(let operands, _), .and(let operands, _):
            let isOr: Bool
            if case .or = node { isOr = true } else { isOr = false }
            var children: [FilterExplanation.Step] = []
            var decided: Bool?
            for operand in operands {
                if decided != nil {
                    children.append(skipped(operand))
                    continue
                }
                let child = explainNode(operand, event: event)
                children.append(child)
                if child.result == isOr { decided = isOr }
            }
            return FilterExplanation.Step(
                kind: isOr ? .or : .and,
                text: text,
                result: decided ?? !isOr,
                left: nil,
                right: nil,
                detail: nil,
                children: children
            )
        case .not(let inner, _):
            let child = explainNode(inner, event: event)
            return FilterExplanation.Step(
                kind: .not,
                text: text,
                result: child.result.map { !$0 },
                left: nil,
                right: nil,
                detail: nil,
                children: [child]
            )
        case .comparison(let c):
            let left = Evaluator.value(of: c.left, root: event, current: event)
            let right = Evaluator.value(of: c.right, root: event, current: event)
            let result = Evaluator.compare(left, c.op, right)
            var detail = "left " + describe(left, c.left) + ", right " + describe(right, c.right)
            if let l = left, let r = right, l.typeName != r.typeName {
                detail += " (different types: \(l.typeName) vs \(r.typeName))"
            }
            return FilterExplanation.Step(kind: .comparison, text: text, result: result, left: left, right: right, detail: detail, children: [])
        case .exists(let q):
            let nodes = Evaluator.select(q, root: event, current: event, trackPaths: false)
            let detail: String
            switch nodes.count {
            case 0: detail = "selected no node"
            case 1: detail = "selected 1 node: " + Self.preview(nodes[0].value)
            default: detail = "selected \(nodes.count) nodes"
            }
            return FilterExplanation.Step(kind: .test, text: text, result: !nodes.isEmpty, left: nil, right: nil, detail: detail, children: [])
        case .function(let f):
            let result = Evaluator.testFunction(f, root: event, current: event)
            var detail: String?
            if f.kind == .match || f.kind == .search {
                let subject = Evaluator.valueArgument(f.arguments[0], root: event, current: event)
                let pattern = Evaluator.valueArgument(f.arguments[1], root: event, current: event)
                detail = "subject " + describeValue(subject) + ", pattern " + describeValue(pattern)
                if let subject, subject.stringValue == nil { detail! += " (subject is not a string)" }
            }
            return FilterExplanation.Step(kind: .function, text: text, result: result, left: nil, right: nil, detail: detail, children: [])
        }
    }

    private func skipped(_ node: LogicalNode) -> FilterExplanation.Step {
        let kind: FilterExplanation.Step.Kind
        switch node {
        case .or: kind = .or
        case .and: kind = .and
        case .not: kind = .not
        case .comparison: kind = .comparison
        case .exists: kind = .test
        case .function: kind = .function
        }
        return FilterExplanation.Step(
            kind: kind,
            text: source.text(node.range),
            result: nil,
            left: nil,
            right: nil,
            detail: "not evaluated (short-circuit)",
            children: []
        )
    }

    private func describe(_ value: JSONValue?, _ side: ComparableNode) -> String {
        if value == nil, case .query = side { return "Nothing (no such node)" }
        return describeValue(value)
    }

    private func describeValue(_ value: JSONValue?) -> String {
        guard let value else { return "Nothing" }
        return Self.preview(value)
    }

    /// JSON text, shortened so one huge member cannot flood a log line.
    static func preview(_ value: JSONValue) -> String {
        let text = value.jsonText
        let scalars = text.unicodeScalars
        guard scalars.count > 120 else { return text }
        var short = String(String.UnicodeScalarView(scalars.prefix(117)))
        short += "…"
        return short
    }
}
