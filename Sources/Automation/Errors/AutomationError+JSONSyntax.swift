import JSONPath

/// Turning a request body that is not JSON into a 400 that says what and where.
extension AutomationError {
    /// `invalidInput` on `body`: "the body is not valid JSON: unexpected ',' at line 3, column 15",
    /// with the position (scalar offsets, like filter errors) of the byte the parser refused.
    public init(invalidJSON error: JSONParseError, in body: [UInt8]) {
        let (line, column, offset) = error.location(in: body)
        self.init(
            .invalidInput,
            "the body is not valid JSON: \(Self.problem(error, in: body)) at line \(line), column \(column)",
            field: "body",
            position: SourcePosition(line: line, column: column, span: offset..<(error.byteOffset < body.count ? offset + 1 : offset)))
    }

    /// The parser's message, quoting the refused character where that helps (the sender sees
    /// their own body; the parser's own description quotes nothing, for logs).
    private static func problem(_ error: JSONParseError, in body: [UInt8]) -> String {
        switch error.code {
        case .unexpectedEnd where !body.contains(where: { !isWhitespace($0) }):
            return "the body is empty; expected a JSON value"
        case .unexpectedByte:
            return "unexpected \(quote(body, at: error.byteOffset))"
        case .trailingData:
            return "unexpected \(quote(body, at: error.byteOffset)) after the JSON value"
        case .depthLimitExceeded:
            return "nested too deep" + (error.detail.map { " (\($0))" } ?? "")
        default:
            return error.detail.map { "\(error.code) (\($0))" } ?? "\(error.code)"
        }
    }

    /// `','`, or `character U+0007` for one that does not print, or `byte 0xFF` for one that
    /// does not begin a UTF-8 character.
    private static func quote(_ body: [UInt8], at offset: Int) -> String {
        guard offset < body.count else { return "end of the body" }
        var bytes = body[offset...].prefix(4).makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&bytes) else {
            return "byte 0x" + String(body[offset], radix: 16, uppercase: true)
        }
        let printable = scalar.value > 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value)
        guard !printable else { return "'\(scalar)'" }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "character U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
