/// Explanation: the same evaluation as ``TriggerFilter/evaluate(_:budget:)``, recording values.
extension TriggerFilter {
    /// Evaluates `event` and returns, for every comparison and test, what it saw and its result.
    /// Parts skipped by short-circuiting `&&`/`||` are reported with a `nil` result. Throws when
    /// the evaluation takes more than `budget` nodes visited and comparisons. The explanation is
    /// capped at `maximumBytes` of text: steps past it are evaluated but not shown, and
    /// ``FilterExplanation/omittedSteps`` says how many.
    public func explain(
        _ event: JSONValue, budget: Int = EvaluationBudget.defaultLimit, maximumBytes: Int = FilterExplanation.defaultMaximumBytes
    ) throws(EvaluationBudgetExceeded) -> FilterExplanation {
        var meter = EvaluationBudget(limit: budget)
        var space = ExplanationSpace(remainingBytes: maximumBytes)
        let (result, step) = explainNode(expression, event: event, budget: &meter, space: &space)
        let explanation = FilterExplanation(
            result: result ?? false, root: step ?? space.placeholder(kind: .or, result: result), omittedSteps: space.omittedSteps,
            maximumBytes: maximumBytes)
        return try meter.check(explanation)
    }

    /// The text an explanation may still hold. A step's source text is clipped, so a large
    /// filter does not repeat itself at every level (that grew as size × depth).
    struct ExplanationSpace {
        /// Source text quoted per step, in Unicode scalars.
        static let maximumStepText = 160
        var remainingBytes: Int
        var omittedSteps = 0
        /// How deep the next step is: its line is indented by two spaces per level.
        var depth = 0

        /// Takes room for a step of `text` and `detail` as ``FilterExplanation/Step`` renders its
        /// line (indentation, status, text, `    — detail`, newline); false (and counted) once full.
        mutating func take(_ text: String, _ detail: String?) -> Bool {
            guard remainingBytes > 0 else {
                omittedSteps += 1
                return false
            }
            remainingBytes -= FilterExplanation.Step.renderedBytes(indent: depth, text: text, detail: detail)
            return true
        }

        func placeholder(kind: FilterExplanation.Step.Kind, result: Bool?) -> FilterExplanation.Step {
            FilterExplanation.Step(kind: kind, text: "…", result: result, left: nil, right: nil, detail: nil, children: [])
        }
    }

    /// The result of `node` (nil when skipped) and its step, nil once the explanation is full.
    private func explainNode(
        _ node: LogicalNode, event: JSONValue, budget: inout EvaluationBudget, space: inout ExplanationSpace
    ) -> (Bool?, FilterExplanation.Step?) {
        // A parent's text is taken before its children's, so the top of the tree is what stays.
        let text = space.remainingBytes > 0 ? source.clippedText(node.range, maximumScalars: ExplanationSpace.maximumStepText) : ""
        switch node {
        case .or(let operands, _), .and(let operands, _):
            let isOr: Bool
            if case .or = node { isOr = true } else { isOr = false }
            let shown = space.take(text, nil)
            var children: [FilterExplanation.Step] = []
            var decided: Bool?
            space.depth += 1
            for operand in operands {
                if decided != nil {
                    if let step = skipped(operand, space: &space) { children.append(step) }
                    continue
                }
                let (result, child) = explainNode(operand, event: event, budget: &budget, space: &space)
                if let child { children.append(child) }
                if result == isOr { decided = isOr }
            }
            space.depth -= 1
            let result = decided ?? !isOr
            guard shown else { return (result, nil) }
            let step = FilterExplanation.Step(
                kind: isOr ? .or : .and, text: text, result: result, left: nil, right: nil, detail: nil, children: children)
            return (result, step)
        case .not(let inner, _):
            let shown = space.take(text, nil)
            space.depth += 1
            let (innerResult, child) = explainNode(inner, event: event, budget: &budget, space: &space)
            space.depth -= 1
            let result = innerResult.map { !$0 }
            guard shown else { return (result, nil) }
            let step = FilterExplanation.Step(
                kind: .not, text: text, result: result, left: nil, right: nil, detail: nil, children: child.map { [$0] } ?? [])
            return (result, step)
        case .comparison(let c):
            let left = Evaluator.value(of: c.left, root: event, current: event, budget: &budget)
            let right = Evaluator.value(of: c.right, root: event, current: event, budget: &budget)
            let result = Evaluator.compare(left, c.op, right)
            guard space.remainingBytes > 0 else {
                space.omittedSteps += 1
                return (result, nil)
            }
            var detail = "left " + describe(left, c.left) + ", right " + describe(right, c.right)
            if let l = left, let r = right, l.typeName != r.typeName {
                detail += " (different types: \(l.typeName) vs \(r.typeName))"
            }
            guard space.take(text, detail) else { return (result, nil) }
            return (result, FilterExplanation.Step(kind: .comparison, text: text, result: result, left: left, right: right, detail: detail, children: []))
        case .exists(let q):
            // Counting past a few nodes would cost what the evaluation (which stops at the
            // first) does not; the detail says "more than" instead.
            var sink = Evaluator.NodeSink.first(Self.countedNodes + 1)
            Evaluator.select(q, root: event, current: event, trackPaths: false, budget: &budget, into: &sink)
            let result = sink.count > 0
            let detail: String
            switch sink.count {
            case 0: detail = "selected no node"
            case 1: detail = "selected 1 node: " + Self.preview(sink.nodes[0].value)
            case ...Self.countedNodes: detail = "selected \(sink.count) nodes"
            default: detail = "selected more than \(Self.countedNodes) nodes"
            }
            guard space.take(text, detail) else { return (result, nil) }
            return (result, FilterExplanation.Step(kind: .test, text: text, result: result, left: nil, right: nil, detail: detail, children: []))
        case .function(let f):
            let result = Evaluator.testFunction(f, root: event, current: event, budget: &budget)
            var detail: String?
            if f.kind == .match || f.kind == .search {
                let subject = Evaluator.valueArgument(f.arguments[0], root: event, current: event, budget: &budget)
                let pattern = Evaluator.valueArgument(f.arguments[1], root: event, current: event, budget: &budget)
                detail = "subject " + describeValue(subject) + ", pattern " + describeValue(pattern)
                if let subject, subject.stringValue == nil { detail! += " (subject is not a string)" }
            }
            guard space.take(text, detail) else { return (result, nil) }
            return (result, FilterExplanation.Step(kind: .function, text: text, result: result, left: nil, right: nil, detail: detail, children: []))
        }
    }

    /// Nodes an existence test's explanation counts before saying "more than".
    static let countedNodes = 100

    private func skipped(_ node: LogicalNode, space: inout ExplanationSpace) -> FilterExplanation.Step? {
        guard space.remainingBytes > 0 else {
            space.omittedSteps += 1
            return nil
        }
        let kind: FilterExplanation.Step.Kind
        switch node {
        case .or: kind = .or
        case .and: kind = .and
        case .not: kind = .not
        case .comparison: kind = .comparison
        case .exists: kind = .test
        case .function: kind = .function
        }
        let text = source.clippedText(node.range, maximumScalars: ExplanationSpace.maximumStepText)
        let detail = "not evaluated (short-circuit)"
        guard space.take(text, detail) else { return nil }
        return FilterExplanation.Step(kind: kind, text: text, result: nil, left: nil, right: nil, detail: detail, children: [])
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
