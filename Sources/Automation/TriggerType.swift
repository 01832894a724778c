/// The kinds of ProcessUpdated event a message trigger listens to; each is also the routing key
/// its events carry on the events exchange.
public enum TriggerType: String, Sendable, Hashable, CaseIterable, Codable {
    case appProcessUpdated = "AppProcessUpdated"
    case interactionProcessUpdated = "InteractionProcessUpdated"
    case codeGenerationProcessUpdated = "CodeGenerationProcessUpdated"
    case capsuleProcessUpdated = "CapsuleProcessUpdated"

    /// The routing key of this type's events.
    public var routingKey: String { rawValue }
}
