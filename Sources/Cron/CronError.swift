/// Why a cron schedule could not be created.
///
/// Every rejection names the place (a field such as `minute`, the whole `expression`, `@every` or
/// `timeZone`), the offending value and what would have been allowed, so an operator can fix the
/// schedule from the message alone. The description is safe to log: it holds only the schedule
/// text the user wrote (cut to a bounded length), never payloads or credentials.
public struct CronError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of rejection, for code that reacts to it; compare with the static constants.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case wrongFieldCount
            case valueOutOfRange
            case invalidValue
            case invalidStep
            case reversedRange
            case emptyElement
            case unknownName
            case unsupportedExtension
            case unknownDescriptor
            case invalidInterval
            case unknownTimeZone
            case missingAnchor
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Not 5 or 6 fields, or a descriptor followed by extra words.
        public static let wrongFieldCount = Code(.wrongFieldCount)
        /// A number outside the field's bounds, e.g. minute `75`.
        public static let valueOutOfRange = Code(.valueOutOfRange)
        /// Something that is neither a number, a name nor `*`, e.g. `1.5` or `-3`.
        public static let invalidValue = Code(.invalidValue)
        /// A zero, empty, non-numeric or too large step, or a step after a single value (`5/10`).
        public static let invalidStep = Code(.invalidStep)
        /// A range whose start is after its end, e.g. `5-1`.
        public static let reversedRange = Code(.reversedRange)
        /// An empty list element, e.g. `1,,2` or a trailing comma, or an empty field.
        public static let emptyElement = Code(.emptyElement)
        /// A name that the field does not know, e.g. `FOO` or `MON` in the month field.
        public static let unknownName = Code(.unknownName)
        /// Quartz and other extensions (`L`, `W`, `#`, `?`, `H`, `~`), which Signalbox does not follow.
        public static let unsupportedExtension = Code(.unsupportedExtension)
        /// An `@` word that is not a descriptor, e.g. `@reboot`.
        public static let unknownDescriptor = Code(.unknownDescriptor)
        /// A bad `@every` duration, e.g. `0s`, `-5m` or `5x`.
        public static let invalidInterval = Code(.invalidInterval)
        /// A time zone identifier that cannot be loaded (unknown, or tzdata missing).
        public static let unknownTimeZone = Code(.unknownTimeZone)
        /// An `@every` schedule created without the instant its runs count from.
        public static let missingAnchor = Code(.missingAnchor)

        public var description: String { base.rawValue }

        /// The phrase that follows `place "value"` in a message.
        var phrase: String {
            switch base {
            case .wrongFieldCount: "has the wrong number of fields"
            case .valueOutOfRange: "is out of range"
            case .invalidValue: "is not a number or name"
            case .invalidStep: "has an invalid step"
            case .reversedRange: "is a reversed range"
            case .emptyElement: "has an empty element"
            case .unknownName: "is not a known name"
            case .unsupportedExtension: "uses an unsupported cron extension"
            case .unknownDescriptor: "is not a known descriptor"
            case .invalidInterval: "is not a valid interval"
            case .unknownTimeZone: "cannot be loaded as a time zone"
            case .missingAnchor: "needs an anchor instant"
            }
        }
    }

    /// Longest value quoted in a message; user text beyond this is cut so logs stay bounded.
    static let maximumQuotedLength = 80

    /// What went wrong.
    public let code: Code
    /// Where: `second`, `minute`, `hour`, `day-of-month`, `month`, `day-of-week`, `expression`,
    /// `@every` or `timeZone`.
    public let field: String
    /// The offending text (a single term or value where possible).
    public let value: String
    /// What the place accepts, e.g. `0-59`.
    public let allowed: String

    init(_ code: Code, field: String, value: some StringProtocol, allowed: String) {
        self.code = code
        self.field = field
        let text = String(value)
        self.value =
            text.count > Self.maximumQuotedLength
            ? String(text.prefix(Self.maximumQuotedLength)) + "…" : text
        self.allowed = allowed
    }

    public var description: String {
        "invalid cron schedule: \(field) \"\(value)\" \(code.phrase) (allowed: \(allowed))"
    }
}
