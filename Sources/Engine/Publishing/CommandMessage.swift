import AMQPClient
import Automation
import Foundation

extension AMQPOutboundMessage.Draft {
    /// A process-start command as published (docs/asyncapi.yaml): its JSON body to the commands
    /// exchange under its kind's routing key, persistent, message-id = the deterministic command
    /// id (consumers de-duplicate on it), correlation-id = the process id.
    static func command(
        _ command: ProcessStartCommand, exchange: String, mandatory: Bool, at now: Date
    ) throws -> AMQPOutboundMessage.Draft {
        AMQPOutboundMessage.Draft(
            body: Array(try command.encodedBody()), exchange: exchange, routingKey: command.routingKey,
            properties: AMQPProperties(
                contentType: ProcessStartCommand.contentType, persistent: true,
                correlationID: command.processId.description, messageID: command.id.description,
                timestamp: now, type: command.routingKey),
            mandatory: mandatory, isCommand: true)
    }
}
