import JSONPath

/// A value of an item's config that is read from the run's event:
/// `{"$fromEvent": "<RFC 9535 query>"}`, or `{"$fromEvent": "<query>", "default": <JSON>}`.
///
/// At planning time the object is replaced by the one value the query selects in the event's
/// body (a message event as published, a schedule event with its `scheduledAt`, a webhook call's
/// `payload`). Selecting nothing uses `default` when there is one and otherwise fails the item;
/// selecting several values fails it always. Such objects may stand anywhere inside an input's
/// value or a config member Signalbox does not interpret; typed fields (versions, ids, prompts)
/// take none. See `docs/values-from-events.md`.
public struct EventValueReference: Sendable {
    /// The member that marks an object as a reference; its value is the query.
    public static let queryMember = "$fromEvent"
    /// The member that marks an object as reading the previous item's completion (sequences).
    public static let previousMember = "$fromPrevious"

    /// What a reference reads: the run's event, or the completion event of the item before in a
    /// sequence (``ActionExecution/sequential``).
    public enum Source: Hashable, Sendable {
        case event
        case previous

        /// The member naming the query: `$fromEvent` or `$fromPrevious`.
        public var member: String { self == .event ? queryMember : previousMember }
    }
    /// The optional member with the value to use when the query selects nothing.
    public static let defaultMember = "default"

    /// Where the reference object sits in the config.
    public let path: ConfigValuePath
    /// The compiled query (compiled once, when the item was made or decoded).
    public let query: JSONPathQuery
    /// What to use when the query selects nothing; taken as written.
    public let defaultValue: JSONValue?
    /// Whether the query reads the run's event or the previous item's completion.
    public let source: Source

    public init(path: ConfigValuePath, query: JSONPathQuery, defaultValue: JSONValue? = nil, source: Source = .event) {
        self.source = source
        self.path = path
        self.query = query
        self.defaultValue = defaultValue
    }

    /// Whether `value` is, or holds somewhere inside it, an object with a `$fromEvent` member.
    static func occurs(in value: JSONValue) -> Bool {
        switch value {
        case .array(let elements): elements.contains(where: occurs(in:))
        case .object(let object):
            object[queryMember] != nil || object[previousMember] != nil || object.values.contains(where: occurs(in:))
        case .null, .bool, .int, .double, .string: false
        }
    }
}
