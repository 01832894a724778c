/// Where in a piece of user text (a filter, a cron expression) a problem is.
///
/// `line` and `column` are 1-based and count Unicode scalars, as an editor shows them; `span` is
/// the offending text as 0-based scalar offsets. JSON: `{"line", "column", "start", "end"}`.
public struct SourcePosition: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var span: Range<Int>

    public init(line: Int, column: Int, span: Range<Int>) {
        self.line = line
        self.column = column
        self.span = span
    }

    public var description: String { "\(line):\(column)" }

    enum CodingKeys: String, CodingKey {
        case line, column, start, end
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        line = try c.decode(Int.self, forKey: .line)
        column = try c.decode(Int.self, forKey: .column)
        let start = try c.decode(Int.self, forKey: .start)
        let end = try c.decode(Int.self, forKey: .end)
        guard start <= end else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: c, debugDescription: "end before start")
        }
        span = start..<end
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(span.lowerBound, forKey: .start)
        try c.encode(span.upperBound, forKey: .end)
    }
}
