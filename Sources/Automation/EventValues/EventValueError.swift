/// A `{"$fromEvent": …}` object that cannot be read: saving the action is refused with it
/// (as an ``AutomationError`` naming the member), and planning an item that holds one anyway
/// (stored before the rule existed) fails the item with its ``description``.
public struct EventValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case queryNotAString, invalidQuery, unknownMember, defaultReadsEvent
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `$fromEvent` holds something other than a string.
        public static let queryNotAString = Code(.queryNotAString)
        /// `$fromEvent` is not an RFC 9535 query; ``EventValueError/position`` says where.
        public static let invalidQuery = Code(.invalidQuery)
        /// A member other than `default` stands beside `$fromEvent`.
        public static let unknownMember = Code(.unknownMember)
        /// `default` holds a `$fromEvent` object of its own.
        public static let defaultReadsEvent = Code(.defaultReadsEvent)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The reference object.
    public let path: ConfigValuePath
    /// The object's member at fault: `$fromEvent`, `default` or the unknown one.
    public let member: String
    /// What is wrong, for people.
    public let message: String
    /// Where in the query text, for ``Code/invalidQuery``.
    public let position: SourcePosition?
    /// A suggested fix, often the corrected query.
    public let hint: String?

    public init(
        _ code: Code, path: ConfigValuePath, member: String, message: String, position: SourcePosition? = nil,
        hint: String? = nil
    ) {
        self.code = code
        self.path = path
        self.member = member
        self.message = message
        self.position = position
        self.hint = hint
    }

    /// The member's path relative to the config: `inputs[0].value.$fromEvent`.
    public var field: String { "\(path).\(member)" }

    public var description: String {
        var text = field + (position.map { " \($0)" } ?? "") + ": " + message
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}
