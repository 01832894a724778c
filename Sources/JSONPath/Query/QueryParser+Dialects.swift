/// Syntax users paste from Newtonsoft.Json (`JPath`) and Jayway, rejected with the exact
/// RFC 9535 rewrite, and RFC-valid constructs that probably mean something else (warnings).
extension QueryParser {
    /// `[?(…)]` pasted as a whole filter: the filter is the inner expression.
    func pastedBracketFilter() -> ParseFailure {
        var inner = text(SourceRange(lower: pos, upper: scalars.count)).trimmingBlank()
        if inner.hasPrefix("[?") {
            inner.removeFirst(2)
            if inner.hasSuffix("]") { inner.removeLast() }
            inner = inner.trimmingBlank()
            if inner.hasPrefix("("), inner.hasSuffix(")") {
                inner.removeFirst()
                inner.removeLast()
                inner = inner.trimmingBlank()
            }
            return fail(
                .nonRFCSyntax,
                "a trigger filter is the expression itself, without `[?(…)]`",
                at: pos,
                length: 2,
                hint: "write `\(inner)`"
            )
        }
        return fail(.syntax, "a filter cannot start with `[`; start with `$`, `@`, a function or `(`", at: pos)
    }

    /// `left =~ /re/flags` becomes `search(left, 're')`.
    func regexOperator(left: QueryParser.Operand, at start: Int) -> ParseFailure {
        var i = start + 2
        while i < scalars.count, QueryParser.isBlank(scalars[i]) { i += 1 }
        var pattern = ""
        var flags = ""
        var end = i
        if i < scalars.count, scalars[i] == "/" {
            var j = i + 1
            var closed = false
            while j < scalars.count {
                let c = scalars[j]
                if c == "\\", j + 1 < scalars.count, scalars[j + 1] == "/" {
                    pattern += "/"
                    j += 2
                    continue
                }
                if c == "\\", j + 1 < scalars.count {
                    pattern.unicodeScalars.append(c)
                    pattern.unicodeScalars.append(scalars[j + 1])
                    j += 2
                    continue
                }
                if c == "/" {
                    closed = true
                    j += 1
                    break
                }
                pattern.unicodeScalars.append(c)
                j += 1
            }
            if closed {
                while j < scalars.count, QueryParser.isAlpha(scalars[j]) {
                    flags.unicodeScalars.append(scalars[j])
                    j += 1
                }
            }
            end = j
        } else if i < scalars.count, scalars[i] == "'" || scalars[i] == "\"" {
            var copy = self
            copy.pos = i
            if let literal = try? copy.parseStringLiteral(), case let p = literal.value {
                pattern = p
                end = copy.pos
            }
        }
        let call = "search(\(text(left.range)), '\(QueryParser.escapeSingleQuoted(pattern))')"
        let rewritten = (text(SourceRange(lower: 0, upper: left.range.lower)) + call + text(SourceRange(lower: end, upper: scalars.count)))
            .trimmingBlank()
        var message = "`=~` is not a JSONPath operator; use `search(…)` (unanchored) or `match(…)` (whole string)"
        var hint = "write `\(rewritten)`"
        if !flags.isEmpty {
            message += "; regex flags `/\(flags)` have no I-Regexp equivalent"
            if flags.contains("i") { hint += ", spelling out both cases where needed, e.g. `[Ff]in.*`" }
        }
        do throws(IRegexpError) {
            _ = try IRegexp(pattern)
        } catch {
            message += "; the pattern is also not I-Regexp: \(error.message)"
            if let h = error.hint { hint += " (\(h))" }
        }
        return fail(.nonRFCSyntax, message, at: start, length: 2, hint: hint)
    }

    /// `$.items[*].status == 'x'` becomes `$.items[?@.status == 'x']`.
    func nonSingularComparisonHint(_ q: QueryNode, op: ComparisonOperator, other: QueryParser.Operand, queryIsLeft: Bool) -> String {
        let otherText = text(other.range)
        if let i = q.segments.firstIndex(where: { seg in
            !seg.isDescendant && seg.selectors.count == 1 && { if case .wildcard = seg.selectors[0] { return true } else { return false } }()
        }) {
            let prefix = text(SourceRange(lower: q.range.lower, upper: q.segmentRanges[i].lower))
            let rest = text(SourceRange(lower: q.segmentRanges[i].upper, upper: q.range.upper))
            let inner = queryIsLeft ? "@\(rest) \(op.rawValue) \(otherText)" : "\(otherText) \(op.rawValue) @\(rest)"
            return "to test each element use a nested filter: `\(prefix)[?\(inner)]`"
        }
        return "compare one value (a path of names and indexes), use `count(…)`, or test elements with a nested filter `[?…]`"
    }

    /// Warnings on a comparison: `.length` as a member and `!= null` on a possibly missing field.
    mutating func checkComparisonWarnings(_ c: ComparisonNode) {
        guard isTriggerFilter else { return }
        for (side, other) in [(c.left, c.right), (c.right, c.left)] {
            if case .query(let q) = side, q.lastSegmentIsDotName, let last = q.singularPath?.last, last == .name("length"),
                let lastStart = q.lastSegmentStart
            {
                let base = text(SourceRange(lower: q.range.lower, upper: lastStart))
                let rewritten =
                    text(SourceRange(lower: c.range.lower, upper: q.range.lower)) + "length(\(base))"
                    + text(SourceRange(lower: q.range.upper, upper: c.range.upper))
                warn(
                    "`.length` selects a member named \"length\", not the size",
                    q.range,
                    hint: "for the number of elements or characters write `\(rewritten)`"
                )
            }
            if c.op == .notEqual, case .query(let q) = side, case .literal(.null, _) = other {
                let qt = text(q.range)
                let index = warn(
                    "`\(qt) != null` is also true when the field is absent",
                    c.range,
                    hint: "to require a present, non-null value write `\(qt) && \(qt) != null`"
                )
                nullWarnings.append((qt, index))
            }
        }
    }

    /// `$[?(@.item…)]` as a test: inside it `@` is each member value of the event, not the event.
    mutating func checkRootFilterWarning(_ q: QueryNode) {
        guard isTriggerFilter, !q.isRelative, let first = q.segments.first, !first.isDescendant,
            case .filter(_, let innerRange, _) = first.selectors.first
        else { return }
        var inner = text(innerRange).trimmingBlank()
        if inner.hasPrefix("("), inner.hasSuffix(")") {
            inner.removeFirst()
            inner.removeLast()
        }
        warn(
            "inside `$[?…]` `@` is each member value of the event, not the event itself",
            q.range,
            hint: "a trigger filter is already evaluated against the event; write `\(inner.trimmingBlank())`"
        )
    }
}
