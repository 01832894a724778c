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
            body: try command.encodedBody(), exchange: exchange, routingKey: command.routingKey,
            properties: AMQPProperties(
                contentType: ProcessStartCommand.contentType, persistent: true,
                correlationID: command.processId.description, messageID: command.id.description,
                timestamp: now, type: command.routingKey),
            mandatory: mandatory, isCommand: true)
    }

    /// Each run's commands as messages, or why they could not be encoded: one result per run (a
    /// delivery's matches, a schedule occurrence, a manual run), so one bad run fails alone.
    static func commands(
        _ runs: [[ProcessStartCommand]], exchange: String, mandatory: Bool, at now: Date
    ) -> [Result<[AMQPOutboundMessage.Draft], any Error>] {
        runs.map { commands in
            Result { try commands.map { try .command($0, exchange: exchange, mandatory: mandatory, at: now) } }
        }
    }
}
