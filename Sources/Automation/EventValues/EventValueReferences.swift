import JSONPath

/// The `$fromEvent` objects of one item's config, found and compiled once when the item is made
/// or decoded (``ActionItem/eventValues``), so that planning an item without any costs one check
/// and planning one with some compiles nothing.
public struct EventValueReferences: Sendable {
    /// The objects that read, in config order (inputs, then uninterpreted members by name).
    public private(set) var references: [EventValueReference] = []
    /// The objects that do not read, in the same order. Saving an action refuses them
    /// (``AutomationValidator/validateItems(_:field:)``); planning fails an item holding one.
    public private(set) var errors: [EventValueError] = []

    /// True when the config reads nothing from the event: its commands carry it as defined.
    public var isEmpty: Bool { references.isEmpty && errors.isEmpty }

    /// Finds the `$fromEvent` objects in `config`'s free-form values.
    public init(in config: ActionConfig) {
        for (field, value) in config.freeFormValues {
            collect(value, at: ConfigValuePath(field: field))
        }
    }

    private mutating func collect(_ value: JSONValue, at path: ConfigValuePath) {
        switch value {
        case .array(let elements):
            for (index, element) in elements.enumerated() { collect(element, at: path.appending(.index(index))) }
        case .object(let object):
            let source: EventValueReference.Source
            let query: JSONValue
            if let text = object[EventValueReference.queryMember] {
                (source, query) = (.event, text)
            } else if let text = object[EventValueReference.previousMember] {
                (source, query) = (.previous, text)
            } else {
                for member in object.members { collect(member.value, at: path.appending(.name(member.key))) }
                return
            }
            switch Self.reference(query: query, source: source, in: object, at: path) {
            case .success(let reference): references.append(reference)
            case .failure(let error): errors.append(error)
            }
        case .null, .bool, .int, .double, .string:
            return
        }
    }

    /// The reference `object` (whose `$fromEvent` member is `query`) stands for, or the first
    /// thing wrong with it.
    private static func reference(
        query: JSONValue, source: EventValueReference.Source, in object: JSONObject, at path: ConfigValuePath
    ) -> Result<EventValueReference, EventValueError> {
        let queryMember = source.member, defaultMember = EventValueReference.defaultMember
        guard case .string(let text) = query else {
            return .failure(
                EventValueError(
                    .queryNotAString, path: path, member: queryMember,
                    message: "must be a string holding a JSONPath query (e.g. \"$.item.id\"), not a \(query.typeName)"))
        }
        if let unknown = object.keys.first(where: { $0 != queryMember && $0 != defaultMember }) {
            return .failure(
                EventValueError(
                    .unknownMember, path: path, member: unknown,
                    message: "unknown member beside \"\(queryMember)\"; only \"\(defaultMember)\" may stand beside it"))
        }
        let defaultValue = object[defaultMember]
        if let defaultValue, EventValueReference.occurs(in: defaultValue) {
            return .failure(
                EventValueError(
                    .defaultReadsEvent, path: path, member: defaultMember,
                    message: "a default is used as written and cannot hold \"\(EventValueReference.queryMember)\" or \"\(EventValueReference.previousMember)\""))
        }
        do {
            return .success(
                EventValueReference(path: path, query: try JSONPathQuery(parsing: text), defaultValue: defaultValue, source: source))
        } catch {
            return .failure(
                EventValueError(
                    .invalidQuery, path: path, member: queryMember, message: error.message,
                    position: SourcePosition(line: error.line, column: error.column, span: error.span), hint: error.hint))
        }
    }
}
