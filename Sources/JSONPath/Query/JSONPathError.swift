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
