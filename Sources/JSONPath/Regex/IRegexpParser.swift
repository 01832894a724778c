/// Parses RFC 9485 syntax into a tree, rejecting what other dialects accept (`\d`, `(?:`, lazy
/// quantifiers, `\p{Is…}` blocks) with a hint at the I-Regexp spelling.
struct IRegexpParser {
    static let maxNesting = 100
    static let maxRepeatCount = 1000

    let scalars: [Unicode.Scalar]
    var pos = 0
    var nesting = 0

    init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }

    mutating func parse() throws(IRegexpError) -> RegexNode {
        let node = try parseAlternation()
        if pos < scalars.count {
            // Only an unmatched ")" stops an alternation early.
            throw IRegexpError("unbalanced `)`", at: pos, hint: "escape it as `\\)` to match a parenthesis")
        }
        return node
    }

    private mutating func parseAlternation() throws(IRegexpError) -> RegexNode {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= IRegexpParser.maxNesting else {
            throw IRegexpError("groups nested deeper than \(IRegexpParser.maxNesting)", at: pos)
        }
        var branches = [try parseBranch()]
        while peek() == "|" {
            pos += 1
            branches.append(try parseBranch())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseBranch() throws(IRegexpError) -> RegexNode {
        var pieces: [RegexNode] = []
        while let c = peek(), c != "|", c != ")" {
            let atomStart = pos
            var atom = try parseAtom()
            if let q = peek(), q == "*" || q == "+" || q == "?" || q == "{" {
                if case .startAnchor = atom { throw IRegexpError("nothing to repeat", at: pos) }
                if case .endAnchor = atom { throw IRegexpError("nothing to repeat", at: pos) }
                let (min, max) = try parseQuantifier()
                atom = .repetition(atom, min: min, max: max)
                if let lazy = peek(), lazy == "?" || lazy == "+" {
                    throw IRegexpError(
                        lazy == "?" ? "lazy quantifiers are not I-Regexp" : "possessive quantifiers are not I-Regexp",
                        at: pos,
                        hint: "remove the extra `\(Character(lazy))` after `\(text(atomStart..<pos))`"
                    )
                }
                if let extra = peek(), extra == "*" || extra == "{" {
                    throw IRegexpError("a quantifier cannot follow a quantifier", at: pos)
                }
            }
            pieces.append(atom)
        }
        if pieces.isEmpty { return .empty }
        return pieces.count == 1 ? pieces[0] : .concat(pieces)
    }

    func text(_ range: Range<Int>) -> String {
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars[range])
        return s
    }

    private mutating func parseQuantifier() throws(IRegexpError) -> (Int, Int?) {
        let start = pos
        let c = scalars[pos]
        pos += 1
        switch c {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default: break
        }
        let min = try parseCount(start)
        var max: Int? = min
        if peek() == "," {
            pos += 1
            max = peek() == "}" ? nil : try parseCount(start)
        }
        guard peek() == "}" else {
            throw IRegexpError(
                "expected `}` to close the quantifier",
                at: start,
                length: pos - start + 1,
                hint: "write `{n}`, `{n,}` or `{n,m}`; escape a literal brace as `\\{`"
            )
        }
        pos += 1
        if let max, max < min {
            throw IRegexpError("`{\(min),\(max)}`: the minimum is larger than the maximum", at: start, length: pos - start)
        }
        if min > IRegexpParser.maxRepeatCount || (max ?? 0) > IRegexpParser.maxRepeatCount {
            throw IRegexpError("repetition count above \(IRegexpParser.maxRepeatCount)", at: start, length: pos - start)
        }
        return (min, max)
    }

    private mutating func parseCount(_ start: Int) throws(IRegexpError) -> Int {
        var value = 0
        var digits = 0
        while let c = peek(), c.value >= 0x30, c.value <= 0x39 {
            if value < 1_000_000 { value = value * 10 + Int(c.value - 0x30) }
            digits += 1
            pos += 1
        }
        guard digits > 0 else {
            throw IRegexpError("expected a number in the quantifier", at: start, hint: "escape a literal brace as `\\{`")
        }
        return value
    }

    private mutating func parseAtom() throws(IRegexpError) -> RegexNode {
        let start = pos
        let c = scalars[pos]
        switch c {
        case "(":
            if peek(1) == "?" {
                throw IRegexpError(
                    "`(?…)` groups (non-capturing, lookaround, named, flags) are not I-Regexp",
                    at: pos,
                    length: 2,
                    hint: "use a plain group `(…)`"
                )
            }
            pos += 1
            let inner = try parseAlternation()
            guard peek() == ")" else {
                throw IRegexpError("unbalanced `(`", at: start, hint: "close it with `)` or escape it as `\\(`")
            }
            pos += 1
            return inner
        case "[":
            return .set(try parseClassExpression())
        case ".":
            pos += 1
            return .any
        case "^":
            pos += 1
            return .startAnchor
        case "$":
            pos += 1
            return .endAnchor
        case "\\":
            return try parseEscape(inClass: false)
        case "*", "+", "?":
            throw IRegexpError("nothing to repeat before `\(Character(c))`", at: pos, hint: "escape it as `\\\(Character(c))`")
        case "{":
            throw IRegexpError("nothing to repeat before `{`", at: pos, hint: "escape it as `\\{`")
        case "]", "}":
            throw IRegexpError("unbalanced `\(Character(c))`", at: pos, hint: "escape it as `\\\(Character(c))`")
        default:
            pos += 1
            return .scalar(c)
        }
    }

    /// `\` escapes: single characters, `\p{…}`/`\P{…}`; everything else is rejected with a hint.
    private mutating func parseEscape(inClass: Bool) throws(IRegexpError) -> RegexNode {
        let start = pos
        guard let e = peek(1) else {
            throw IRegexpError("trailing `\\`", at: start, hint: "escape a backslash as `\\\\`")
        }
        pos += 2
        switch e {
        case "(", ")", "*", "+", ",", "-", ".", "?", "[", "\\", "]", "^", "{", "|", "}":
            return .scalar(e)
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "t": return .scalar("\t")
        case "p", "P":
            return .set(try parseCategory(negated: e == "P", start: start))
        case "d": throw IRegexpError("`\\d` is not I-Regexp", at: start, length: 2, hint: "use `[0-9]`")
        case "D": throw IRegexpError("`\\D` is not I-Regexp", at: start, length: 2, hint: "use `[^0-9]`")
        case "w": throw IRegexpError("`\\w` is not I-Regexp", at: start, length: 2, hint: "use `[A-Za-z0-9_]`")
        case "W": throw IRegexpError("`\\W` is not I-Regexp", at: start, length: 2, hint: "use `[^A-Za-z0-9_]`")
        case "s": throw IRegexpError("`\\s` is not I-Regexp", at: start, length: 2, hint: "use `[ \\t\\n\\r]`")
        case "S": throw IRegexpError("`\\S` is not I-Regexp", at: start, length: 2, hint: "use `[^ \\t\\n\\r]`")
        case "b", "B":
            throw IRegexpError(
                "word boundaries `\\\(Character(e))` are not I-Regexp",
                at: start,
                length: 2,
                hint: "match the neighbouring characters explicitly"
            )
        case "1"..."9": throw IRegexpError("backreferences are not I-Regexp", at: start, length: 2, hint: "repeat the group's pattern instead")
        case "u", "x":
            throw IRegexpError(
                "`\\\(Character(e))` escapes are not I-Regexp",
                at: start,
                length: 2,
                hint: "write the character itself (JSON and filter strings accept `\\uXXXX`)"
            )
        default:
            throw IRegexpError("`\\\(Character(e))` is not an I-Regexp escape", at: start, length: 2)
        }
    }

    private mutating func parseCategory(negated: Bool, start: Int) throws(IRegexpError) -> ScalarSet {
        guard peek() == "{" else {
            throw IRegexpError("expected `{` after `\\\(negated ? "P" : "p")`", at: start, length: 2, hint: "for example `\\p{Lu}`")
        }
        pos += 1
        let nameStart = pos
        while let c = peek(), c != "}" { pos += 1 }
        guard peek() == "}" else { throw IRegexpError("unterminated `\\p{`", at: start) }
        let name = text(nameStart..<pos)
        pos += 1
        if name.hasPrefix("Is") {
            throw IRegexpError(
                "Unicode blocks `\\p{Is…}` are not I-Regexp",
                at: start,
                length: pos - start,
                hint: "use a range such as `[\\u0400-\\u04FF]` written as the characters themselves"
            )
        }
        guard let categories = ScalarSet.categories(named: name) else {
            throw IRegexpError(
                "unknown Unicode category `\(name)`",
                at: start,
                length: pos - start,
                hint: "use L, Lu, Ll, Lt, Lm, Lo, M, N, Nd, P, S, Z, C and their two-letter forms"
            )
        }
        var set = ScalarSet()
        set.categories.append(ScalarSet.CategoryTest(categories: categories, negated: negated))
        return set
    }

    /// `[` `^`? … `]`
    private mutating func parseClassExpression() throws(IRegexpError) -> ScalarSet {
        let open = pos
        pos += 1
        var set = ScalarSet()
        if peek() == "^" {
            set.negated = true
            pos += 1
        }
        var first = true
        while true {
            guard let c = peek() else {
                throw IRegexpError("unbalanced `[`", at: open, hint: "close it with `]` or escape it as `\\[`")
            }
            if c == "]" && !first {
                pos += 1
                return set
            }
            if c == "]" {
                throw IRegexpError("empty character class `[]`", at: open, length: 2, hint: "escape a literal bracket as `\\]`")
            }
            if c == "[" {
                throw IRegexpError("`[` inside a class must be escaped", at: pos, hint: "write `\\[`")
            }
            let itemStart = pos
            if c == "-" {
                // Allowed only first or last.
                if first || peek(1) == "]" {
                    pos += 1
                    set.ranges.append(0x2D...0x2D)
                    first = false
                    continue
                }
                throw IRegexpError("`-` in a class must be first or last, or escaped", at: pos, hint: "write `\\-`")
            }
            let low: Unicode.Scalar
            if c == "\\" {
                let escaped = try parseEscape(inClass: true)
                switch escaped {
                case .scalar(let s): low = s
                case .set(let inner):
                    set.categories.append(contentsOf: inner.categories)
                    first = false
                    continue
                default:
                    throw IRegexpError("invalid escape in a class", at: itemStart)
                }
            } else {
                pos += 1
                low = c
            }
            first = false
            if peek() == "-", let next = peek(1), next != "]" {
                pos += 1
                let high: Unicode.Scalar
                if next == "\\" {
                    let escaped = try parseEscape(inClass: true)
                    guard case .scalar(let s) = escaped else {
                        throw IRegexpError("a range cannot end in a category", at: itemStart, length: pos - itemStart)
                    }
                    high = s
                } else if next == "[" || next == "-" {
                    throw IRegexpError("invalid range end", at: pos, hint: "escape it")
                } else {
                    pos += 1
                    high = next
                }
                guard low.value <= high.value else {
                    throw IRegexpError("range `\(text(itemStart..<pos))` is out of order", at: itemStart, length: pos - itemStart)
                }
                set.ranges.append(low.value...high.value)
            } else {
                set.ranges.append(low.value...low.value)
            }
        }
    }
}
