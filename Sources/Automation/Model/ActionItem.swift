/// One step of an automated action: what to start when the action runs. Items run in order, each
/// producing one process-start command (and one history entry) per run.
///
/// JSON: `{"name": "Generate Report", "runAs": "admin@example.com", "config": {"$type": "app", …}}`
/// (`runAs` optional, omitted when absent).
public struct ActionItem: Hashable, Sendable, Codable {
    /// Shown in history and logs; 1–200 characters.
    public var name: String
    /// The user the started process acts as (seed 002's `AsUserEmail`), passed on in the command
    /// as `runAs`; Signalbox does not interpret it.
    public var runAs: String?
    /// What to start, discriminated by `$type`.
    public var config: ActionConfig {
        didSet { eventValues = EventValueReferences(in: config) }
    }
    /// The config's `{"$fromEvent": …}` values, found and compiled here rather than for every
    /// event: planning checks ``EventValueReferences/isEmpty`` and is otherwise untouched.
    /// Derived from ``config``, so equality and hashing leave it out.
    public private(set) var eventValues: EventValueReferences

    public init(name: String, runAs: String? = nil, config: ActionConfig) {
        self.name = name
        self.runAs = runAs
        self.config = config
        eventValues = EventValueReferences(in: config)
    }

    private enum CodingKeys: String, CodingKey {
        case name, runAs, config
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), runAs: try c.decodeIfPresent(String.self, forKey: .runAs),
            config: try c.decode(ActionConfig.self, forKey: .config))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(runAs, forKey: .runAs)
        try c.encode(config, forKey: .config)
    }

    public static func == (lhs: ActionItem, rhs: ActionItem) -> Bool {
        lhs.name == rhs.name && lhs.runAs == rhs.runAs && lhs.config == rhs.config
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(runAs)
        hasher.combine(config)
    }
}
