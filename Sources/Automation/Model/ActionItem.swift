/// One step of an automated action: what to start when the action runs. Items run in order, each
/// producing one process-start command (and one history entry) per run.
///
/// JSON: `{"name": "Generate Report", "config": {"$type": "app", …}}`.
public struct ActionItem: Hashable, Sendable, Codable {
    /// Shown in history and logs; 1–200 characters.
    public var name: String
    /// What to start, discriminated by `$type`.
    public var config: ActionConfig

    public init(name: String, config: ActionConfig) {
        self.name = name
        self.config = config
    }
}
