/// Function calls and their RFC 9535 §2.4.3 type checks.
extension QueryParser {
    /// `function-name "(" S [function-argument *(S "," S function-argument)] S ")"`
    mutating func parseFunctionCall() throws(ParseFailure) -> FunctionCallNode {
        let start = pos
        while let c = peek(), QueryParser.isNameChar(c) { pos += 1 }
        let nameRange = SourceRange(lower: start, upper: pos)
        let name = text(nameRange)
        guard let kind = FunctionKind(rawValue: name) else {
            let known = FunctionKind.allCases.map(\.rawValue).joined(separator: ", ")
            var hint: String?
            if name == "contains" || name == "in" {
                hint = "to test membership use a nested filter, e.g. `@.item.tags[?@ == 'eu']`"
            } else if let similar = FunctionKind.allCases.first(where: { $0.rawValue == name.lowercased() }) {
                hint = "function names are lowercase: `\(similar.rawValue)`"
            }
            throw fail(.unknownFunction, "unknown function `\(name)` (known: \(known))", range: nameRange, hint: hint)
        }
        try enterNesting(at: start)
        defer { leaveNesting() }
        pos += 1  // "("
        skipBlank()
        var arguments: [FunctionArgumentNode] = []
        var argumentRanges: [SourceRange] = []
        if peek() != ")" {
            while true {
                let argStart = pos
                arguments.append(try parseArgument())
                argumentRanges.append(SourceRange(lower: argStart, upper: pos))
                skipBlank()
                if peek() == "," {
                    pos += 1
                    skipBlank()
                    continue
                }
                if peek() == ")" { break }
                if pos >= scalars.count {
                    throw fail(.unbalancedParenthesis, "missing `)` for `\(name)(`", at: pos, length: 0)
                }
                throw fail(.syntax, "expected `,` or `)` in the arguments of `\(name)`, found \(describeCurrent())", at: pos)
            }
        }
        pos += 1  // ")"
        let range = SourceRange(lower: start, upper: pos)
        let parameters = kind.parameterTypes
        let arity = parameters.count == 1 ? "one argument" : "two arguments"
        if arguments.count > parameters.count {
            throw fail(.argumentCount, "`\(name)` takes \(arity)", range: argumentRanges[parameters.count])
        }
        if arguments.count < parameters.count {
            throw fail(.argumentCount, "`\(name)` takes \(arity)", range: SourceRange(lower: pos - 1, upper: pos))
        }
        for (i, argument) in arguments.enumerated() {
            try checkArgument(argument, range: argumentRanges[i], parameter: parameters[i], function: kind)
        }
        var call = FunctionCallNode(kind: kind, arguments: arguments, range: range, compiledPattern: nil)
        if kind == .match || kind == .search, case .literal(let pattern, let patternRange) = arguments[1] {
            call.compiledPattern = try compilePattern(pattern, range: patternRange)
        }
        return call
    }

    /// `literal / filter-query / logical-expr / function-expr`, preferring the simplest reading.
    mutating func parseArgument() throws(ParseFailure) -> FunctionArgumentNode {
        let start = pos
        guard let c = peek() else { throw fail(.syntax, "expected a function argument", at: pos) }
        let isLiteralStart = c == "'" || c == "\"" || c == "-" || QueryParser.isDigit(c) || isAt("true") || isAt("false") || isAt("null")
        if isLiteralStart || c == "$" || c == "@" || isAtFunctionCall() {
            let operand = try parseOperand()
            let end = pos
            skipBlank()
            if peek() == "," || peek() == ")" || peek() == nil {
                pos = end
                switch operand {
                case .literal(let v, let r): return .literal(v, r)
                case .query(let q): return .query(q)
                case .function(let f): return .function(f)
                }
            }
            pos = start
        }
        return .logical(try parseOr())
    }

    private func checkArgument(
        _ argument: FunctionArgumentNode,
        range: SourceRange,
        parameter: FunctionType,
        function: FunctionKind
    ) throws(ParseFailure) {
        let name = function.rawValue
        switch (parameter, argument) {
        case (.value, .literal), (.nodes, .query), (.logical, .logical):
            return
        case (.value, .query(let q)):
            guard q.singularPath != nil else {
                var hint = "`count(\(text(q.range)))` counts the nodes"
                if function == .length, let last = q.segments.last, !last.isDescendant, last.selectors.count == 1,
                    case .wildcard = last.selectors[0], let lastRange = q.segmentRanges.last
                {
                    hint = "`length(\(text(SourceRange(lower: q.range.lower, upper: lastRange.lower))))` is the number of elements; " + hint
                }
                throw fail(.nonSingularQuery, "non-singular query as Value argument of `\(name)`", range: range, hint: hint)
            }
        case (.value, .function(let f)):
            guard f.kind.resultType == .value else {
                throw fail(.typeMismatch, "`\(f.kind.rawValue)` gives a Logical result; `\(name)` needs a value here", range: range)
            }
        case (.nodes, .literal):
            throw fail(.typeMismatch, "`\(name)` needs a query, not a literal", range: range, hint: "for example `\(name)(@.item.tags[*])`")
        case (.nodes, .function(let f)):
            throw fail(.typeMismatch, "`\(name)` needs a query; `\(f.kind.rawValue)` gives a \(f.kind.resultType.name) result", range: range)
        case (.logical, .query), (.logical, .function):
            return
        case (_, .logical):
            throw fail(.typeMismatch, "a logical expression cannot be an argument of `\(name)`", range: range)
        case (.logical, .literal):
            throw fail(.typeMismatch, "a literal cannot be a Logical argument", range: range)
        }
    }

    /// Compiles a literal pattern once. In a trigger filter an invalid pattern is a creation error
    /// (a trigger that can never fire is a bug); in a plain query it is RFC behaviour: no match.
    private func compilePattern(_ pattern: JSONValue, range: SourceRange) throws(ParseFailure) -> CompiledPattern? {
        guard case .string(let text) = pattern else { return nil }
        do throws(IRegexpError) {
            return CompiledPattern(regex: try IRegexp(text))
        } catch {
            guard isTriggerFilter else { return CompiledPattern(regex: nil) }
            let offsets = stringOffsets[range.lower] ?? []
            let lower = error.offset < offsets.count ? offsets[error.offset] : range.lower
            let upperIndex = error.offset + max(error.length, 1) - 1
            let upper = upperIndex < offsets.count ? offsets[upperIndex] + 1 : range.upper
            throw fail(.invalidRegex, error.message, range: SourceRange(lower: lower, upper: max(upper, lower + 1)), hint: error.hint)
        }
    }
}
