import Foundation

/// Identifies a process-start command: its AMQP message-id. Deterministic (UUIDv5, see
/// ``CommandPlanner/commandID(eventId:cause:itemIndex:)``), so a redelivered event yields the
/// same command and consumers can de-duplicate on it.
public struct CommandID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}
