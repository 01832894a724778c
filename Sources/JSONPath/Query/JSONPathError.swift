/// A query or filter that cannot be compiled, with where and how to fix it.
///
/// Positions count Unicode scalars, 1-based, like an editor would show them. The description
/// holds the message, the position and the hint; it quotes only the query or filter text
/// (configuration, not event payloads), so it is safe to log.
public struct JSONPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case syntax, unterminatedString, invalidEscape, invalidNumber, nonSingularQuery
            case typeMismatch, unknownFunction, argumentCount, invalidRegex, uncomparedLiteral
            case uncomparedValue, comparedLogical, misplacedNot, unbalancedParenthesis
            case nonRFCSyntax, nestingTooDeep, emptyInput
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Generic syntax error (unexpected character or end).
        public static let syntax = Code(.syntax)
        public static let unterminatedString = Code(.unterminatedString)
        public static let invalidEscape = Code(.invalidEscape)
        public static let invalidNumber = Code(.invalidNumber)
        /// A query that can select several nodes where one value is needed.
        public static let nonSingularQuery = Code(.nonSingularQuery)
        /// A function argument of the wrong kind (RFC 9535 §2.4.3 well-typedness).
        public static let typeMismatch = Code(.typeMismatch)
        public static let unknownFunction = Code(.unknownFunction)
        public static let argumentCount = Code(.argumentCount)
        /// A literal `match`/`search` pattern that is not I-Regexp (RFC 9485).
        public static let invalidRegex = Code(.invalidRegex)
        public static let uncomparedLiteral = Code(.uncomparedLiteral)
        public static let uncomparedValue = Code(.uncomparedValue)
        public static let comparedLogical = Code(.comparedLogical)
        public static let misplacedNot = Code(.misplacedNot)
        public static let unbalancedParenthesis = Code(.unbalancedParenthesis)
        /// Syntax from other JSONPath dialects (Newtonsoft/Jayway); the hint has the RFC rewrite.
        public static let nonRFCSyntax = Code(.nonRFCSyntax)
        public static let nestingTooDeep = Code(.nestingTooDeep)
        public static let emptyInput = Code(.emptyInput)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What is wrong, for people.
    public let message: String
    /// 1-based line of the first offending character.
    public let line: Int
    /// 1-based column (in Unicode scalars) of the first offending character.
    public let column: Int
    /// The offending text as 0-based Unicode scalar offsets into the source.
    public let span: Range<Int>
    /// A suggested fix, often the corrected text.
    public let hint: String?

    public init(code: Code, message: String, line: Int, column: Int, span: Range<Int>, hint: String?) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.span = span
        self.hint = hint
    }

    public var description: String {
        var s = "\(line):\(column): \(message)"
        if let hint { s += "; hint: \(hint)" }
        return s
    }
}

/// Something that compiles but probably does not mean what the author intended.
public struct FilterWarning: Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public let span: Range<Int>
    public let hint: String?

    public var description: String {
        var s = "\(line):\(column): warning: \(message)"
        if let hint { s += "; hint: \(hint)" }
        return s
    }
}

/// A parse failure before line and column are known.
struct ParseFailure: Error {
    var code: JSONPathError.Code
    var message: String
    var range: SourceRange
    var hint: String?
}

/// Text positions: offsets to 1-based line and column.
struct SourceText: Sendable {
    let scalars: [Unicode.Scalar]

    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var i = 0
        let end = min(offset, scalars.count)
        while i < end {
            let c = scalars[i]
            if c == "\n" || (c == "\r" && (i + 1 >= scalars.count || scalars[i + 1] != "\n")) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        return (line, offset - lineStart + 1)
    }

    func text(_ range: SourceRange) -> String {
        let lower = max(0, min(range.lower, scalars.count))
        let upper = max(lower, min(range.upper, scalars.count))
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars[lower..<upper])
        return s
    }

    func error(_ failure: ParseFailure) -> JSONPathError {
        let (line, column) = lineAndColumn(of: failure.range.lower)
        return JSONPathError(
            code: failure.code, message: failure.message, line: line, column: column,
            span: failure.range.lower..<max(failure.range.lower, failure.range.upper), hint: failure.hint)
    }

    func warning(_ message: String, _ range: SourceRange, hint: String?) -> FilterWarning {
        let (line, column) = lineAndColumn(of: range.lower)
        return FilterWarning(message: message, line: line, column: column, span: range.lower..<range.upper, hint: hint)
    }
}
