extension ActionConfig.Kind {
    /// The routing key of this kind's commands on the commands exchange; nil for `webhook`, whose
    /// requests Signalbox sends itself. Part of the published contract (`docs/asyncapi.yaml`):
    /// consumers bind on these, so they do not change.
    public var commandRoutingKey: String? {
        switch self {
        case .app: "process.start.app"
        case .interaction: "process.start.interaction"
        case .capsule: "process.start.capsule"
        case .interactionMessage: Self.interactionMessageRoutingKey
        case .webhook: nil
        }
    }

    public static let interactionMessageRoutingKey = "interaction.message.send"
}
