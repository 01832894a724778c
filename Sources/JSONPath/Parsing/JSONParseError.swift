/// Why a JSON document was rejected, and at which byte.
///
/// The description names the problem and the byte offset only, never document content, so it is
/// safe to log for events that may carry personal data.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; compare with the static members (`error.code == .depthLimitExceeded`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case unexpectedEnd, unexpectedByte, invalidNumber, numberOutOfRange, invalidEscape
            case invalidUnicodeEscape, controlCharacterInString, invalidUTF8, depthLimitExceeded
            case sizeLimitExceeded, trailingData, unterminatedString
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let unexpectedEnd = Code(.unexpectedEnd)
        public static let unexpectedByte = Code(.unexpectedByte)
        public static let invalidNumber = Code(.invalidNumber)
        public static let numberOutOfRange = Code(.numberOutOfRange)
        public static let invalidEscape = Code(.invalidEscape)
        public static let invalidUnicodeEscape = Code(.invalidUnicodeEscape)
        public static let controlCharacterInString = Code(.controlCharacterInString)
        public static let invalidUTF8 = Code(.invalidUTF8)
        public static let depthLimitExceeded = Code(.depthLimitExceeded)
        public static let sizeLimitExceeded = Code(.sizeLimitExceeded)
        public static let trailingData = Code(.trailingData)
        /// The input ends inside a string; the offset is the string's opening quote.
        public static let unterminatedString = Code(.unterminatedString)

        public var description: String {
            switch base {
            case .unexpectedEnd: return "unexpected end of input"
            case .unexpectedByte: return "unexpected byte"
            case .invalidNumber: return "invalid number"
            case .numberOutOfRange: return "number out of range"
            case .invalidEscape: return "invalid escape sequence"
            case .invalidUnicodeEscape: return "invalid \\u escape"
            case .controlCharacterInString: return "unescaped control character in string"
            case .invalidUTF8: return "invalid UTF-8"
            case .depthLimitExceeded: return "nesting too deep"
            case .sizeLimitExceeded: return "document too large"
            case .trailingData: return "unexpected data after the JSON value"
            case .unterminatedString: return "unterminated string"
            }
        }
    }

    public let code: Code
    /// Zero-based offset of the offending byte in the input.
    public let byteOffset: Int
    /// Extra context such as the limit that was exceeded (never document content).
    public let detail: String?

    init(_ code: Code, at byteOffset: Int, detail: String? = nil) {
        self.code = code
        self.byteOffset = byteOffset
        self.detail = detail
    }

    public var description: String {
        var s = "invalid JSON at byte \(byteOffset): \(code)"
        if let detail { s += " (\(detail))" }
        return s
    }
}
