/// Finds where a request body stops being JSON, so a 400 can name the line and column.
///
/// Foundation's `JSONDecoder` reports syntax errors with an unstructured message whose wording
/// differs between platforms; this small validator is run only after decoding failed on syntax,
/// and gives a stable position and message. It checks RFC 8259 grammar (no comments, no
/// trailing commas, no NaN) up to ``maximumDepth`` nested containers.
struct JSONSyntaxLocator {
    /// One syntax error: 1-based line and column (columns count Unicode scalars) and the
    /// 0-based byte offset.
    struct Failure: Hashable, Sendable {
        var offset: Int
        var line: Int
        var column: Int
        var message: String
    }

    /// Deeper nesting is refused: Foundation's decoder stops at 512 levels, the API well before.
    static let maximumDepth = 128

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first syntax error in `bytes`, or nil when they are one JSON value.
    static func firstError(in bytes: [UInt8]) -> Failure? {
        var locator = JSONSyntaxLocator(bytes)
        guard let (offset, message) = locator.check() else { return nil }
        return locator.failure(at: offset, message)
    }

    private mutating func check() -> (Int, String)? {
        skipWhitespace()
        if index == bytes.count { return (index, "the body is empty; expected a JSON value") }
        if let error = value() { return error }
        skipWhitespace()
        if index < bytes.count { return (index, "unexpected \(describe(index)) after the JSON value") }
        return nil
    }

    /// Containers are tracked on an explicit stack so hostile nesting cannot overflow the
    /// thread's stack.
    private enum Container { case array, object }

    private mutating func value() -> (Int, String)? {
        var stack: [Container] = []
        while true {
            // Parse one value start.
            skipWhitespace()
            guard index < bytes.count else { return (index, "unexpected end of the body; expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                if stack.count >= Self.maximumDepth { return (index, "nested deeper than \(Self.maximumDepth) levels") }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                } else {
                    stack.append(.object)
                    if let error = memberName() { return error }
                    continue
                }
            case UInt8(ascii: "["):
                if stack.count >= Self.maximumDepth { return (index, "nested deeper than \(Self.maximumDepth) levels") }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                } else {
                    stack.append(.array)
                    continue
                }
            case UInt8(ascii: "\""):
                if let error = string() { return error }
            case UInt8(ascii: "t"):
                if let error = literal("true") { return error }
            case UInt8(ascii: "f"):
                if let error = literal("false") { return error }
            case UInt8(ascii: "n"):
                if let error = literal("null") { return error }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                if let error = number() { return error }
            default:
                return (index, "unexpected \(describe(index)); expected a value")
            }
            // After a complete value: close containers or move to the next element.
            while let top = stack.last {
                skipWhitespace()
                guard index < bytes.count else {
                    return (index, top == .array ? "unexpected end of the body; expected ',' or ']'" : "unexpected end of the body; expected ',' or '}'")
                }
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    if top == .object, let error = memberName() { return error }
                    break
                }
                if (top == .array && byte == UInt8(ascii: "]")) || (top == .object && byte == UInt8(ascii: "}")) {
                    index += 1
                    stack.removeLast()
                    continue
                }
                return (index, "unexpected \(describe(index)); expected ',' or '\(top == .array ? "]" : "}")'")
            }
            if stack.isEmpty { return nil }
        }
    }

    /// `"name" :` inside an object.
    private mutating func memberName() -> (Int, String)? {
        skipWhitespace()
        guard index < bytes.count else { return (index, "unexpected end of the body; expected a member name") }
        guard bytes[index] == UInt8(ascii: "\"") else {
            return (index, "unexpected \(describe(index)); expected a member name in double quotes")
        }
        if let error = string() { return error }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            return (index, index < bytes.count ? "unexpected \(describe(index)); expected ':'" : "unexpected end of the body; expected ':'")
        }
        index += 1
        return nil
    }

    private mutating func string() -> (Int, String)? {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return nil
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    for offset in 1...4 {
                        guard index + offset < bytes.count, Self.isHexDigit(bytes[index + offset]) else {
                            return (index - 1, "invalid \\u escape; expected four hex digits")
                        }
                    }
                    index += 5
                default:
                    return (index - 1, "invalid escape \(describe(index - 1, length: 2))")
                }
            case 0..<0x20:
                return (index, "control character in a string; escape it")
            default:
                index += 1
            }
        }
        return (start, "unterminated string")
    }

    private mutating func number() -> (Int, String)? {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { return (start, "invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { return (start, "invalid number: leading zero") }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { return (start, "invalid number: digits expected after '.'") }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { return (start, "invalid number: digits expected in the exponent") }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        return nil
    }

    private mutating func literal(_ word: String) -> (Int, String)? {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            return (index, "unexpected \(describe(index)); expected a value")
        }
        index += expected.count
        return nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    /// A short quotation of the text at `offset` for messages: `'x'` or `end of the body`.
    private func describe(_ offset: Int, length: Int = 1) -> String {
        guard offset < bytes.count else { return "end of the body" }
        var end = min(bytes.count, offset + length)
        // Extend to the end of a multi-byte scalar.
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        return printable ? "'\(text)'" : "character U+\(String(bytes[offset], radix: 16, uppercase: true))"
    }

    private func failure(at offset: Int, _ message: String) -> Failure {
        var line = 1
        var lineStart = 0
        for position in 0..<min(offset, bytes.count) where bytes[position] == UInt8(ascii: "\n") {
            line += 1
            lineStart = position + 1
        }
        // Columns count scalars: every byte that is not a UTF-8 continuation byte starts one.
        let column = 1 + bytes[lineStart..<min(offset, bytes.count)].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return Failure(offset: offset, line: line, column: column, message: message)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
