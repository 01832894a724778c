extension ActionConfig.Kind {
    /// The routing key of this kind's commands on the commands exchange. Part of the published
    /// contract (`docs/asyncapi.yaml`): consumers bind on these, so they do not change.
    public var commandRoutingKey: String {
        switch self {
        case .app: "process.start.app"
        case .interaction: "process.start.interaction"
        case .capsule: "process.start.capsule"
        case .interactionMessage: "interaction.message.send"
        }
    }
}
