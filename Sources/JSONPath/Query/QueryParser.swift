/// Recursive-descent parser for RFC 9535 queries and trigger filters, over Unicode scalars.
///
/// Working on scalars (not bytes) makes every offset a column the user can see and handles
/// non-ASCII member names directly. Nesting (groups, nested filters, function arguments) is
/// capped at ``maxNesting`` so hostile input cannot overflow the stack.
struct QueryParser {
    /// Deepest nesting of `(`, `[?` and function calls accepted.
    static let maxNesting = 64

    let source: SourceText
    var scalars: [Unicode.Scalar] { source.scalars }
    var pos = 0
    /// Trigger-filter mode: literal patterns must be I-Regexp, and dialect warnings apply.
    let isTriggerFilter: Bool
    var nesting = 0
    /// Something valid that probably means something else, in the order found.
    struct Warning {
        let message: String
        let range: SourceRange
        let hint: String?
    }

    /// One warning per message and place. A set, not a scan of `warnings`: a filter of
    /// thousands of `$.a != null ||` terms compiled in quadratic time.
    struct WarningKey: Hashable {
        let message: String
        let range: SourceRange
    }

    var warnings: [Warning] = []
    var warningIndex: [WarningKey: Int] = [:]
    /// Positions in `warnings` withdrawn since (see `nullWarnings`).
    var withdrawnWarnings: Set<Int> = []
    /// `x != null` warnings, keyed by the query text, withdrawn when `x` is also tested for
    /// existence in the same `&&` chain (the fix the warning suggests).
    var nullWarnings: [(query: String, index: Int)] = []
    /// Source offset of each unescaped scalar of a string literal, keyed by the literal's start,
    /// so a regex error can point into the original text.
    var stringOffsets: [Int: [Int]] = [:]

    init(_ text: String, isTriggerFilter: Bool) {
        source = SourceText(scalars: Array(text.unicodeScalars))
        self.isTriggerFilter = isTriggerFilter
    }

    // MARK: Entry points

    /// A complete `jsonpath-query`: no blank before or after.
    mutating func parseWholeQuery() throws(ParseFailure) -> QueryNode {
        guard let first = peek() else {
            throw fail(.emptyInput, "empty query; a query starts with `$`", at: 0)
        }
        guard first == "$" else {
            if QueryParser.isBlank(first) { throw fail(.syntax, "blank before `$` is not allowed", at: pos) }
            throw fail(.syntax, "a query starts with `$`", at: pos)
        }
        let query = try parseQuery()
        if pos < scalars.count {
            throw unexpected("after the query")
        }
        return query
    }

    /// A complete trigger filter (a `logical-expr`), blank allowed around it.
    mutating func parseWholeFilter() throws(ParseFailure) -> LogicalNode {
        skipBlank()
        guard pos < scalars.count else {
            throw fail(.emptyInput, "empty filter", at: 0, hint: "for example `$.item.status == 'Finished'`")
        }
        let expr = try parseOr()
        skipBlank()
        if pos < scalars.count {
            throw unexpected("after the expression")
        }
        return expr
    }

    // MARK: Scanning helpers

    @inline(__always)
    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = pos + offset
        return i < scalars.count ? scalars[i] : nil
    }

    func isAt(_ text: String) -> Bool {
        var i = pos
        for s in text.unicodeScalars {
            guard i < scalars.count, scalars[i] == s else { return false }
            i += 1
        }
        return true
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r"
    }

    mutating func skipBlank() {
        while let c = peek(), QueryParser.isBlank(c) { pos += 1 }
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

    static func isAlpha(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
    }

    static func isNameFirst(_ c: Unicode.Scalar) -> Bool {
        isAlpha(c) || c == "_" || c.value >= 0x80
    }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        isNameFirst(c) || isDigit(c)
    }

    func text(_ range: SourceRange) -> String { source.text(range) }

    func describeCurrent() -> String {
        guard let c = peek() else { return "end of input" }
        if c == "'" { return "`'`" }
        return "`\(Character(c))`"
    }

    func fail(_ code: JSONPathError.Code, _ message: String, at offset: Int, length: Int = 1, hint: String? = nil) -> ParseFailure {
        ParseFailure(code: code, message: message, range: SourceRange(lower: offset, upper: offset + length), hint: hint)
    }

    func fail(_ code: JSONPathError.Code, _ message: String, range: SourceRange, hint: String? = nil) -> ParseFailure {
        ParseFailure(code: code, message: message, range: range, hint: hint)
    }

    func unexpected(_ context: String) -> ParseFailure {
        if let c = peek() {
            if c == "&" || c == "|" {
                let op = c == "&" ? "&&" : "||"
                return fail(.syntax, "single `\(Character(c))` is not an operator; use `\(op)`", at: pos)
            }
            if isAt("==") || isAt("!=") || isAt("<") || isAt(">") {
                return fail(.syntax, "comparisons do not chain; combine them with `&&` or `||`", at: pos)
            }
            return fail(.syntax, "unexpected \(describeCurrent()) \(context)", at: pos)
        }
        return fail(.syntax, "unexpected end of input \(context)", at: pos)
    }

    mutating func enterNesting(at offset: Int) throws(ParseFailure) {
        nesting += 1
        if nesting > QueryParser.maxNesting {
            throw fail(.nestingTooDeep, "nesting deeper than \(QueryParser.maxNesting) levels", at: offset)
        }
    }

    mutating func leaveNesting() { nesting -= 1 }

    /// Records a warning once per message and place; returns its position in `warnings`.
    @discardableResult
    mutating func warn(_ message: String, _ range: SourceRange, hint: String?) -> Int {
        let key = WarningKey(message: message, range: range)
        if let index = warningIndex[key] { return index }
        warnings.append(Warning(message: message, range: range, hint: hint))
        warningIndex[key] = warnings.count - 1
        return warnings.count - 1
    }

    /// The warnings not withdrawn, in the order found.
    var keptWarnings: [Warning] {
        withdrawnWarnings.isEmpty ? warnings : warnings.indices.filter { !withdrawnWarnings.contains($0) }.map { warnings[$0] }
    }

    // MARK: Queries

    /// `$` or `@` followed by `*(S segment)`.
    mutating func parseQuery() throws(ParseFailure) -> QueryNode {
        let start = pos
        let isRelative = scalars[pos] == "@"
        pos += 1
        var query = QueryNode(isRelative: isRelative, segments: [], range: SourceRange(lower: start, upper: pos), singularPath: [])
        while true {
            let save = pos
            skipBlank()
            guard let c = peek(), c == "[" || c == "." else {
                pos = save
                break
            }
            let segmentStart = pos
            let (segment, isDotName) = try parseSegment()
            query.segments.append(segment)
            query.segmentRanges.append(SourceRange(lower: segmentStart, upper: pos))
            query.lastSegmentStart = segmentStart
            query.lastSegmentIsDotName = isDotName
            if query.singularPath != nil, !segment.isDescendant, segment.selectors.count == 1 {
                switch segment.selectors[0] {
                case .name(let n): query.singularPath?.append(.name(n))
                case .index(let i): query.singularPath?.append(.index(i))
                default: query.singularPath = nil
                }
            } else {
                query.singularPath = nil
            }
        }
        query.range.upper = pos
        return query
    }

    private mutating func parseSegment() throws(ParseFailure) -> (SegmentNode, isDotName: Bool) {
        if peek() == "[" {
            return (SegmentNode(isDescendant: false, selectors: try parseBracketed()), false)
        }
        // "."
        if peek(1) == "." {
            pos += 2
            guard let c = peek() else { throw fail(.syntax, "expected a name, `*` or `[` after `..`", at: pos) }
            if c == "[" { return (SegmentNode(isDescendant: true, selectors: try parseBracketed()), false) }
            if c == "*" {
                pos += 1
                return (SegmentNode(isDescendant: true, selectors: [.wildcard]), false)
            }
            if QueryParser.isNameFirst(c) {
                return (SegmentNode(isDescendant: true, selectors: [.name(try parseShorthandName())]), false)
            }
            throw fail(.syntax, "expected a name, `*` or `[` after `..`", at: pos)
        }
        let dot = pos
        pos += 1
        guard let c = peek() else { throw fail(.syntax, "expected a member name or `*` after `.`", at: pos) }
        if c == "*" {
            pos += 1
            return (SegmentNode(isDescendant: false, selectors: [.wildcard]), false)
        }
        if QueryParser.isNameFirst(c) {
            return (SegmentNode(isDescendant: false, selectors: [.name(try parseShorthandName())]), true)
        }
        if QueryParser.isBlank(c) {
            throw fail(.syntax, "no blank allowed after `.`", at: pos)
        }
        if QueryParser.isDigit(c) || c == "-" {
            var end = pos
            while end < scalars.count, QueryParser.isNameChar(scalars[end]) || scalars[end] == "-" { end += 1 }
            let name = text(SourceRange(lower: pos, upper: end))
            let hint =
                QueryParser.isDigit(c) && name.allSatisfy(\.isNumber)
                ? "use `[\(name)]` for an index or `['\(name)']` for a member" : "use `['\(name)']`"
            throw fail(
                .syntax,
                "a member name after `.` cannot start with \(describeCurrent())",
                range: SourceRange(lower: dot, upper: end),
                hint: hint
            )
        }
        throw fail(.syntax, "expected a member name or `*` after `.`", at: pos)
    }

    /// `member-name-shorthand`, rejecting `app-id` with a bracket rewrite.
    private mutating func parseShorthandName() throws(ParseFailure) -> String {
        let start = pos
        while let c = peek(), QueryParser.isNameChar(c) { pos += 1 }
        let name = text(SourceRange(lower: start, upper: pos))
        if peek() == "-", let next = peek(1), QueryParser.isNameChar(next) {
            var end = pos
            while end < scalars.count, QueryParser.isNameChar(scalars[end]) || scalars[end] == "-" { end += 1 }
            let full = text(SourceRange(lower: start, upper: end))
            // Rewrite in place: ".app-id" becomes "['app-id']".
            let dotStart = start > 0 && scalars[start - 1] == "." ? start - 1 : start
            let hint =
                text(SourceRange(lower: 0, upper: dotStart)) + "['" + QueryParser.escapeSingleQuoted(full) + "']"
                + text(SourceRange(lower: end, upper: scalars.count))
            throw fail(
                .nonRFCSyntax,
                "a member name with `-` needs bracket notation",
                range: SourceRange(lower: start, upper: end),
                hint: "write `\(hint)`"
            )
        }
        return name
    }

    /// `[` S selector *(S "," S selector) S `]`
    private mutating func parseBracketed() throws(ParseFailure) -> [SelectorNode] {
        let open = pos
        pos += 1
        var selectors: [SelectorNode] = []
        while true {
            skipBlank()
            selectors.append(try parseSelector())
            skipBlank()
            guard let c = peek() else {
                throw fail(.syntax, "missing `]` for `[` at column \(source.lineAndColumn(of: open).column)", at: pos)
            }
            if c == "," {
                pos += 1
                continue
            }
            if c == "]" {
                pos += 1
                return selectors
            }
            throw fail(.syntax, "expected `,` or `]` in a bracketed selection, found \(describeCurrent())", at: pos)
        }
    }

    private mutating func parseSelector() throws(ParseFailure) -> SelectorNode {
        guard let c = peek() else { throw fail(.syntax, "unexpected end of input; expected a selector", at: pos) }
        switch c {
        case "'", "\"":
            return .name(try parseStringLiteral().value)
        case "*":
            pos += 1
            return .wildcard
        case "?":
            let start = pos
            pos += 1
            skipBlank()
            try enterNesting(at: start)
            let exprStart = pos
            let expr = try parseOr()
            leaveNesting()
            return .filter(expr, SourceRange(lower: exprStart, upper: pos), FilterCode(expr))
        case "-", ":", "0"..."9":
            let start = try parseOptionalInteger()
            skipBlank()
            guard peek() == ":" else {
                guard let start else { throw fail(.syntax, "expected an index or slice", at: pos) }
                return .index(start)
            }
            pos += 1
            skipBlank()
            let end = try parseOptionalInteger()
            skipBlank()
            var step: Int?
            if peek() == ":" {
                pos += 1
                skipBlank()
                step = try parseOptionalInteger()
            }
            return .slice(SliceNode(start: start, end: end, step: step))
        default:
            throw fail(.syntax, "expected a selector (name, `*`, index, slice or `?` filter), found \(describeCurrent())", at: pos)
        }
    }

    /// RFC 9535 `int`: `0` or an optional `-` and a digit sequence without leading zero,
    /// within ±(2^53 − 1).
    private mutating func parseOptionalInteger() throws(ParseFailure) -> Int? {
        let start = pos
        var negative = false
        if peek() == "-" {
            negative = true
            pos += 1
        }
        guard let first = peek(), QueryParser.isDigit(first) else {
            if negative { throw fail(.invalidNumber, "expected a digit after `-`", at: pos) }
            return nil
        }
        var value = 0
        var digits = 0
        while let c = peek(), QueryParser.isDigit(c) {
            if digits < 17 { value = value * 10 + Int(c.value - 48) }
            digits += 1
            pos += 1
        }
        if first == "0" && (digits > 1 || negative) {
            throw fail(
                .invalidNumber,
                negative ? "`-0` is not a valid index" : "leading zero in number",
                range: SourceRange(lower: start, upper: pos)
            )
        }
        let limit = 9_007_199_254_740_991
        if digits > 16 || value > limit {
            throw fail(.invalidNumber, "integer out of range ±(2^53 − 1)", range: SourceRange(lower: start, upper: pos))
        }
        return negative ? -value : value
    }

    static func escapeSingleQuoted(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
