/// Logical expressions (`logical-expr`), comparisons and tests, with the type rules of
/// RFC 9535 §2.4.3 checked here so a filter that compiles fails at run time only by exceeding
/// its work budget.
extension QueryParser {
    /// An operand before we know whether it is compared or tested.
    enum Operand {
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

    /// `logical-or-expr`; warns when `&&` and `||` mix without parentheses.
    mutating func parseOr() throws(ParseFailure) -> LogicalNode {
        let start = pos
        try enterNesting(at: start)
        defer { leaveNesting() }
        var operands: [LogicalNode] = []
        var operandRanges: [SourceRange] = []
        var chained: [Bool] = []
        var orPositions: [Int] = []
        while true {
            let operandStart = pos
            let (operand, count) = try parseAnd()
            operands.append(operand)
            operandRanges.append(SourceRange(lower: operandStart, upper: pos))
            chained.append(count > 1)
            let save = pos
            skipBlank()
            if isAt("||") {
                orPositions.append(pos)
                pos += 2
                skipBlank()
                continue
            }
            pos = save
            break
        }
        if operands.count == 1 { return operands[0] }
        let range = SourceRange(lower: start, upper: pos)
        if chained.contains(true) {
            var rewrite = ""
            for (i, r) in operandRanges.enumerated() {
                if i > 0 { rewrite += " || " }
                rewrite += chained[i] ? "(" + text(r) + ")" : text(r)
            }
            warn(
                "`&&` and `||` mixed without parentheses: `&&` binds tighter here (Newtonsoft grouped `a && b || c` as `a && (b || c)`)",
                SourceRange(lower: orPositions[0], upper: orPositions[0] + 2),
                hint: "add parentheses to make the grouping explicit: `\(rewrite)`"
            )
        }
        return .or(operands, range)
    }

    /// `logical-and-expr`; returns the number of `&&` operands.
    mutating func parseAnd() throws(ParseFailure) -> (LogicalNode, Int) {
        let start = pos
        let firstNullWarning = nullWarnings.count
        var operands: [LogicalNode] = []
        while true {
            operands.append(try parseBasic())
            let save = pos
            skipBlank()
            if isAt("&&") {
                pos += 2
                skipBlank()
                continue
            }
            pos = save
            break
        }
        if operands.count == 1 { return (operands[0], 1) }
        withdrawSatisfiedNullWarnings(operands, from: firstNullWarning)
        return (.and(operands, SourceRange(lower: start, upper: pos)), operands.count)
    }

    /// `$.x && $.x != null` is the recommended spelling: no warning for it. Only the null
    /// warnings found inside this chain are looked at, so each is looked at once per enclosing
    /// chain (nesting is capped), not once per later chain.
    private mutating func withdrawSatisfiedNullWarnings(_ operands: [LogicalNode], from first: Int) {
        guard first < nullWarnings.count else { return }
        var tested: Set<String> = []
        for operand in operands {
            if case .exists(let q) = operand { tested.insert(text(q.range)) }
        }
        guard !tested.isEmpty else { return }
        for warning in nullWarnings[first...] where tested.contains(warning.query) {
            withdrawnWarnings.insert(warning.index)
        }
    }

    /// `paren-expr`, `comparison-expr` or `test-expr`.
    mutating func parseBasic() throws(ParseFailure) -> LogicalNode {
        let start = pos
        guard let c = peek() else {
            throw fail(.syntax, "unexpected end of input; expected a comparison or test", at: pos)
        }
        if c == "!" {
            pos += 1
            skipBlank()
            if peek() == "(" {
                let group = try parseGroup()
                return .not(group, SourceRange(lower: start, upper: pos))
            }
            guard let d = peek(), d == "$" || d == "@" || isAtFunctionCall() else {
                throw fail(
                    .misplacedNot,
                    "`!` needs a test or `(…)`",
                    at: pos,
                    hint:
                        "negate a query, a function test or a parenthesised expression, e.g. `!(\(text(SourceRange(lower: pos, upper: scalars.count)).trimmingBlank()))`"
                )
            }
            let operand = try parseOperand()
            let afterOperand = pos
            skipBlank()
            if let opStart = comparisonOperatorStart() {
                let opText = currentOperatorText()
                let rest = text(SourceRange(lower: start + 1, upper: scalars.count)).trimmingBlank()
                let hint: String
                if opText == "==" {
                    hint =
                        "use `!=`: `" + text(SourceRange(lower: start + 1, upper: opStart)).trimmingBlank() + " != "
                        + text(SourceRange(lower: opStart + 2, upper: scalars.count)).trimmingBlank() + "`"
                } else {
                    hint = "to negate the comparison write `!(\(rest))`"
                }
                throw fail(
                    .misplacedNot,
                    "`!` needs a test or `(…)`; use `!=`",
                    range: SourceRange(lower: opStart, upper: opStart + opText.unicodeScalars.count),
                    hint: hint
                )
            }
            pos = afterOperand
            let test = try asTest(operand)
            return .not(test, SourceRange(lower: start, upper: pos))
        }
        if c == "(" {
            return try parseGroup()
        }
        if c == "[" {
            throw pastedBracketFilter()
        }
        let left = try parseOperand()
        let afterLeft = pos
        skipBlank()
        if let op = try parseComparisonOperator(left: left) {
            skipBlank()
            guard pos < scalars.count else {
                throw fail(.syntax, "expected a value after `\(op.op.rawValue)`", at: pos)
            }
            let right = try parseOperand()
            let range = SourceRange(lower: start, upper: pos)
            let l = try asComparable(left, op: op, other: right, isLeft: true)
            let r = try asComparable(right, op: op, other: left, isLeft: false)
            let comparison = ComparisonNode(left: l, op: op.op, right: r, range: range)
            checkComparisonWarnings(comparison)
            return .comparison(comparison)
        }
        pos = afterLeft
        return try asTest(left)
    }

    /// `(` S logical-expr S `)`
    mutating func parseGroup() throws(ParseFailure) -> LogicalNode {
        let open = pos
        pos += 1
        skipBlank()
        let inner = try parseOr()
        skipBlank()
        guard peek() == ")" else {
            let column = source.lineAndColumn(of: open).column
            if pos >= scalars.count {
                throw fail(.unbalancedParenthesis, "missing `)` for `(` at \(column)", at: pos, length: 0, hint: "add `)` at the end")
            }
            if peek() == "&" || peek() == "|" { throw unexpected("") }
            throw fail(.unbalancedParenthesis, "expected `)` for `(` at \(column), found \(describeCurrent())", at: pos)
        }
        pos += 1
        return inner
    }

    func isAtFunctionCall() -> Bool {
        guard let c = peek(), c.value >= 0x61 && c.value <= 0x7A else { return false }
        var i = pos
        while i < scalars.count, QueryParser.isNameChar(scalars[i]) { i += 1 }
        return i < scalars.count && scalars[i] == "("
    }

    /// A literal, a query or a function call.
    mutating func parseOperand() throws(ParseFailure) -> Operand {
        guard let c = peek() else {
            throw fail(.syntax, "unexpected end of input; expected a query, literal or function", at: pos)
        }
        switch c {
        case "$", "@":
            return .query(try parseQuery())
        case "'", "\"":
            let (s, r) = try parseStringLiteral()
            return .literal(.string(s), r)
        case "-", "0"..."9":
            let (v, r) = try parseNumberLiteral()
            return .literal(v, r)
        case "/":
            throw fail(.nonRFCSyntax, "a `/regex/` literal is not JSONPath", at: pos, hint: "use `match(value, 'regex')` or `search(value, 'regex')`")
        default:
            break
        }
        guard QueryParser.isNameFirst(c) else {
            throw fail(.syntax, "expected a query (`$` or `@`), a literal or a function, found \(describeCurrent())", at: pos)
        }
        let start = pos
        var end = pos
        while end < scalars.count, QueryParser.isNameChar(scalars[end]) { end += 1 }
        let word = text(SourceRange(lower: start, upper: end))
        let wordRange = SourceRange(lower: start, upper: end)
        if end < scalars.count, scalars[end] == "(" {
            return .function(try parseFunctionCall())
        }
        switch word {
        case "true":
            pos = end
            return .literal(.bool(true), wordRange)
        case "false":
            pos = end
            return .literal(.bool(false), wordRange)
        case "null":
            pos = end
            return .literal(.null, wordRange)
        default:
            break
        }
        let lower = word.lowercased()
        if lower == "true" || lower == "false" || lower == "null" {
            throw fail(.nonRFCSyntax, "`\(word)` is not a literal; JSON literals are lowercase", range: wordRange, hint: "write `\(lower)`")
        }
        var after = end
        while after < scalars.count, QueryParser.isBlank(scalars[after]) { after += 1 }
        if after < scalars.count, scalars[after] == "(" {
            throw fail(.syntax, "no blank allowed between a function name and `(`", range: SourceRange(lower: end, upper: after))
        }
        throw fail(
            .nonRFCSyntax,
            "bare word `\(word)`: strings must be quoted",
            range: wordRange,
            hint: "write `'\(QueryParser.escapeSingleQuoted(word))'`"
        )
    }

    struct ParsedOperator {
        var op: ComparisonOperator
        var range: SourceRange
    }

    /// Where a comparison operator (RFC or not) starts at `pos`, if one does.
    func comparisonOperatorStart() -> Int? {
        guard let c = peek() else { return nil }
        if c == "=" || c == "<" || c == ">" || (c == "!" && peek(1) == "=") { return pos }
        return nil
    }

    func currentOperatorText() -> String {
        for candidate in ["===", "!==", "==", "!=", "<>", "<=", ">=", "=~", "<", ">", "="] where isAt(candidate) {
            return candidate
        }
        return ""
    }

    /// A comparison operator at `pos`, rejecting other dialects' operators with the RFC rewrite.
    mutating func parseComparisonOperator(left: Operand) throws(ParseFailure) -> ParsedOperator? {
        let start = pos
        func replacing(_ length: Int, with replacement: String) -> String {
            text(SourceRange(lower: 0, upper: start)) + replacement + text(SourceRange(lower: start + length, upper: scalars.count))
        }
        let table: [(String, ComparisonOperator?, String?)] = [
            ("===", nil, "=="), ("!==", nil, "!="), ("==", .equal, nil), ("!=", .notEqual, nil),
            ("<>", nil, "!="), ("<=", .lessOrEqual, nil), (">=", .greaterOrEqual, nil),
        ]
        for (spelling, op, replacement) in table where isAt(spelling) {
            let length = spelling.unicodeScalars.count
            if let op {
                pos += length
                return ParsedOperator(op: op, range: SourceRange(lower: start, upper: pos))
            }
            let replacement = replacement!
            throw fail(
                .nonRFCSyntax,
                "`\(spelling)` is not a JSONPath operator; use `\(replacement)`",
                at: start,
                length: length,
                hint: "write `\(replacing(length, with: replacement).trimmingBlank())`"
            )
        }
        if isAt("=~") {
            throw regexOperator(left: left, at: start)
        }
        if isAt("<") || isAt(">") {
            let op: ComparisonOperator = isAt("<") ? .less : .greater
            pos += 1
            return ParsedOperator(op: op, range: SourceRange(lower: start, upper: pos))
        }
        if isAt("=") {
            throw fail(.syntax, "`=` is not a comparison; use `==`", at: start, hint: "write `\(replacing(1, with: "==").trimmingBlank())`")
        }
        return nil
    }

    /// Checks one side of a comparison: a literal, a singular query or a Value function.
    func asComparable(_ operand: Operand, op: ParsedOperator, other: Operand, isLeft: Bool) throws(ParseFailure) -> ComparableNode {
        switch operand {
        case .literal(let v, let r):
            return .literal(v, r)
        case .query(let q):
            guard q.singularPath != nil else {
                throw fail(
                    .nonSingularQuery,
                    "non-singular query compared: `\(text(q.range))` can select several nodes",
                    range: q.range,
                    hint: nonSingularComparisonHint(q, op: op.op, other: other, queryIsLeft: isLeft)
                )
            }
            return .query(q)
        case .function(let f):
            guard f.kind.resultType == .value else {
                let call = text(f.range)
                throw fail(
                    .comparedLogical,
                    "`\(f.kind.rawValue)` gives a Logical result, which cannot be compared",
                    range: op.range,
                    hint: "use it as a test: `\(call)` or `!\(call)`"
                )
            }
            return .function(f)
        }
    }

    /// Turns an operand into a test, or explains why it must be compared.
    mutating func asTest(_ operand: Operand) throws(ParseFailure) -> LogicalNode {
        switch operand {
        case .literal(_, let r):
            throw fail(
                .uncomparedLiteral,
                "literal must be compared",
                range: r,
                hint: "compare it with a value, e.g. `$.item.flag == \(text(r))`"
            )
        case .query(let q):
            checkRootFilterWarning(q)
            return .exists(q)
        case .function(let f):
            guard f.kind.resultType != .value else {
                throw fail(
                    .uncomparedValue,
                    "Value result must be compared: `\(f.kind.rawValue)` returns a value, not true/false",
                    range: f.range,
                    hint: "compare it, e.g. `\(text(f.range)) > 0`"
                )
            }
            return .function(f)
        }
    }
}

extension String {
    func trimmingBlank() -> String {
        var scalars = Substring(self).unicodeScalars
        while let f = scalars.first, QueryParser.isBlank(f) { scalars.removeFirst() }
        while let l = scalars.last, QueryParser.isBlank(l) { scalars.removeLast() }
        return String(scalars)
    }
}
