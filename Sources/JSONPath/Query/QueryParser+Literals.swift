/// String and number literals, with the exact error positions the filter doc promises
/// (the opening quote for an unterminated string, the backslash for a bad escape, the first
/// digit for a leading zero).
extension QueryParser {
    /// A single- or double-quoted string literal at `pos`.
    mutating func parseStringLiteral() throws(ParseFailure) -> (value: String, range: SourceRange) {
        let start = pos
        let quote = scalars[pos]
        pos += 1
        var out = String.UnicodeScalarView()
        var offsets: [Int] = []
        while true {
            guard let c = peek() else {
                throw fail(
                    .unterminatedString,
                    "unterminated string",
                    range: SourceRange(lower: start, upper: pos),
                    hint: "close it with \(quote == "'" ? "`'`" : "`\"`")"
                )
            }
            if c == quote {
                pos += 1
                break
            }
            if c.value < 0x20 {
                throw fail(.syntax, "control character U+\(String(c.value, radix: 16, uppercase: true)) in a string must be escaped", at: pos)
            }
            if c != "\\" {
                offsets.append(pos)
                out.append(c)
                pos += 1
                continue
            }
            let escape = pos
            pos += 1
            guard let e = peek() else {
                throw fail(.unterminatedString, "unterminated string", range: SourceRange(lower: start, upper: pos))
            }
            pos += 1
            let decoded: Unicode.Scalar
            switch e {
            case "b": decoded = "\u{08}"
            case "f": decoded = "\u{0C}"
            case "n": decoded = "\n"
            case "r": decoded = "\r"
            case "t": decoded = "\t"
            case "/": decoded = "/"
            case "\\": decoded = "\\"
            case "'" where quote == "'": decoded = "'"
            case "\"" where quote == "\"": decoded = "\""
            case "u":
                decoded = try parseUnicodeEscape(escape)
            default:
                var hint: String?
                if e == "'" || e == "\"" {
                    hint = "`\(Character(e))` needs no escape inside \(quote == "'" ? "single" : "double") quotes"
                } else if QueryParser.isAlpha(e) || QueryParser.isDigit(e) || e == "." || e == "[" || e == "(" {
                    hint = "to pass a backslash (e.g. to a regex) double it: `\\\\\(Character(e))`"
                }
                throw fail(.invalidEscape, "invalid escape `\\\(Character(e))`", range: SourceRange(lower: escape, upper: pos), hint: hint)
            }
            offsets.append(escape)
            out.append(decoded)
        }
        stringOffsets[start] = offsets
        return (String(out), SourceRange(lower: start, upper: pos))
    }

    private mutating func readHex4(_ escape: Int) throws(ParseFailure) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek(), let d = QueryParser.hexValue(c) else {
                throw fail(.invalidEscape, "`\\u` needs four hex digits", range: SourceRange(lower: escape, upper: pos))
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c.value {
        case 0x30...0x39: return c.value - 0x30
        case 0x41...0x46: return c.value - 0x41 + 10
        case 0x61...0x66: return c.value - 0x61 + 10
        default: return nil
        }
    }

    private mutating func parseUnicodeEscape(_ escape: Int) throws(ParseFailure) -> Unicode.Scalar {
        let high = try readHex4(escape)
        if (0xDC00...0xDFFF).contains(high) {
            throw fail(.invalidEscape, "unpaired low surrogate in `\\u` escape", range: SourceRange(lower: escape, upper: pos))
        }
        if (0xD800...0xDBFF).contains(high) {
            guard peek() == "\\", peek(1) == "u" else {
                throw fail(.invalidEscape, "high surrogate must be followed by a `\\u` low surrogate", range: SourceRange(lower: escape, upper: pos))
            }
            pos += 2
            let low = try readHex4(escape)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw fail(.invalidEscape, "high surrogate must be followed by a low surrogate", range: SourceRange(lower: escape, upper: pos))
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        return Unicode.Scalar(high)!
    }

    /// RFC 9535 `number`: `(int / "-0") [frac] [exp]`.
    mutating func parseNumberLiteral() throws(ParseFailure) -> (value: JSONValue, range: SourceRange) {
        let start = pos
        if peek() == "-" { pos += 1 }
        guard let first = peek(), QueryParser.isDigit(first) else {
            throw fail(.invalidNumber, "expected a digit", at: pos)
        }
        let intStart = pos
        while let c = peek(), QueryParser.isDigit(c) { pos += 1 }
        if first == "0" && pos - intStart > 1 {
            throw fail(
                .invalidNumber,
                "leading zero in number",
                range: SourceRange(lower: intStart, upper: pos),
                hint: "write `\(QueryParser.stripLeadingZeros(text(SourceRange(lower: intStart, upper: pos))))`, or quote it if it is a string"
            )
        }
        if peek() == "." {
            pos += 1
            guard let c = peek(), QueryParser.isDigit(c) else {
                throw fail(.invalidNumber, "expected a digit after `.`", at: pos)
            }
            while let c = peek(), QueryParser.isDigit(c) { pos += 1 }
        }
        if peek() == "e" || peek() == "E" {
            pos += 1
            if peek() == "+" || peek() == "-" { pos += 1 }
            guard let c = peek(), QueryParser.isDigit(c) else {
                throw fail(.invalidNumber, "expected a digit in the exponent", at: pos)
            }
            while let c = peek(), QueryParser.isDigit(c) { pos += 1 }
        }
        let range = SourceRange(lower: start, upper: pos)
        let literal = text(range)
        guard let value = try? JSONParser.parse(literal) else {
            throw fail(.invalidNumber, "number out of range", range: range)
        }
        return (value, range)
    }

    static func stripLeadingZeros(_ s: String) -> String {
        let trimmed = s.drop(while: { $0 == "0" })
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
