import Foundation

/// A command to publish on the commands exchange: start an app, interaction or capsule, or send
/// a message to a running interaction. One per action item of a run.
///
/// AMQP mapping (issue 6): message-id = ``id``, correlation-id = ``processId``, routing key =
/// ``routingKey``, content-type = ``contentType``, persistent; the payload is
/// ``encodedBody()``.
public struct ProcessStartCommand: Hashable, Sendable {
    /// Deterministic: the same event, trigger and item always give the same id.
    public var id: CommandID
    /// The process the command starts (also deterministic, derived from ``id``).
    public var processId: ProcessID
    /// `process.start.app`, `process.start.interaction`, `process.start.capsule` or
    /// `interaction.message.send` (``ActionConfig/Kind/commandRoutingKey``).
    public var routingKey: String
    /// The item's position in the action, from 0.
    public var itemIndex: Int
    public var body: Body
    /// Whether the body's config holds values read from the event (`$fromEvent`): such a config
    /// is encoded for this command alone, not kept with the definitions' encoded configs.
    public var configReadsEvent: Bool

    /// The payload's content type.
    public static let contentType = "application/json"

    public init(
        id: CommandID, processId: ProcessID, routingKey: String, itemIndex: Int, body: Body, configReadsEvent: Bool = false
    ) {
        self.id = id
        self.processId = processId
        self.routingKey = routingKey
        self.itemIndex = itemIndex
        self.body = body
        self.configReadsEvent = configReadsEvent
    }

    /// The JSON payload: sorted keys and ISO 8601 dates, so a re-planned command is
    /// byte-for-byte the one published before. Bytes, as the AMQP message body takes them.
    public func encodedBody() throws -> [UInt8] {
        try CommandBodyWriter.shared.encode(body, cachingConfig: !configReadsEvent)
    }
}
