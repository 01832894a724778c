/// Why a use-case was refused. Every service call throws only this type, so the REST API maps it
/// to a status with ``Code/httpStatus`` and the CLI prints ``description``.
///
/// The error names the offending request field as a JSON path (`messageTriggers[0].eventFilter`,
/// `hour`, `actions[1].config.version.version`), and for filters and cron expressions the
/// position in that field's text and, when there is one, a fix-it ``hint``. The description is
/// safe to log: it quotes at most the user's definition text, never secrets or event payloads.
public struct AutomationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The category, which decides the HTTP status; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidInput, invalidValue, unauthorized, forbidden, notFound, conflict, limitExceeded, unavailable
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The request is malformed: not JSON, a member missing or of the wrong type, a bad
        /// path or query parameter (400).
        public static let invalidInput = Code(.invalidInput)
        /// The body is well-formed, but a value breaks a rule: an empty name, a cron expression
        /// that does not parse, a number out of range, an unknown enum case (422).
        public static let invalidValue = Code(.invalidValue)
        /// No token, or one that is not known (401).
        public static let unauthorized = Code(.unauthorized)
        /// The token's role may not do this, e.g. a member deleting (403).
        public static let forbidden = Code(.forbidden)
        /// No such action, schedule, trigger or tenant, or it belongs to another tenant (404).
        public static let notFound = Code(.notFound)
        /// A name already taken in the namespace (409).
        public static let conflict = Code(.conflict)
        /// Over a limit, e.g. a sixth schedule (422).
        public static let limitExceeded = Code(.limitExceeded)
        /// The store failed (database locked, disk full): retry later (503).
        public static let unavailable = Code(.unavailable)

        /// The HTTP status the REST API answers with.
        public var httpStatus: Int {
            switch base {
            case .invalidInput: 400
            case .invalidValue: 422
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .conflict: 409
            case .limitExceeded: 422
            case .unavailable: 503
            }
        }

        /// Stable camelCase name for JSON error bodies (`"invalidInput"`).
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What is wrong, for people; names the field when there is one.
    public let message: String
    /// JSON path of the offending request field, if one is to blame.
    public let field: String?
    /// Where in the field's text (filters, cron expressions).
    public let position: SourcePosition?
    /// A suggested fix, often the corrected text.
    public let hint: String?

    public init(
        _ code: Code,
        _ message: String,
        field: String? = nil,
        position: SourcePosition? = nil,
        hint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.position = position
        self.hint = hint
    }

    public var description: String {
        var text = "\(code): "
        if let field { text += "\(field)" + (position.map { " \($0)" } ?? "") + ": " }
        text += message
        if let hint { text += "; hint: \(hint)" }
        return text
    }

    /// A 400 for `field`.
    public static func invalidInput(_ message: String, field: String? = nil, position: SourcePosition? = nil, hint: String? = nil) -> AutomationError {
        AutomationError(.invalidInput, message, field: field, position: position, hint: hint)
    }

    /// A 422 for a value of a well-formed body at `field`.
    public static func invalidValue(_ message: String, field: String? = nil, position: SourcePosition? = nil, hint: String? = nil) -> AutomationError {
        AutomationError(.invalidValue, message, field: field, position: position, hint: hint)
    }

    /// A 404 for what `reference` names.
    public static func notFound(_ message: String, field: String? = nil) -> AutomationError {
        AutomationError(.notFound, message, field: field)
    }

    /// A 409 for a duplicate name.
    public static func conflict(_ message: String, field: String? = "name") -> AutomationError {
        AutomationError(.conflict, message, field: field)
    }

    /// A 422 for a limit.
    public static func limitExceeded(_ message: String, field: String? = nil) -> AutomationError {
        AutomationError(.limitExceeded, message, field: field)
    }

    /// A 403 for a role.
    public static func forbidden(_ message: String) -> AutomationError {
        AutomationError(.forbidden, message)
    }

    /// A 401.
    public static func unauthorized(_ message: String = "missing or unknown bearer token") -> AutomationError {
        AutomationError(.unauthorized, message)
    }

    /// A 503 wrapping a store failure; the underlying error's text is not kept (it may quote data).
    public static func unavailable(_ message: String = "the store is unavailable; retry later") -> AutomationError {
        AutomationError(.unavailable, message)
    }
}
