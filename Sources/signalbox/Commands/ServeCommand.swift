import AMQPClient
import ArgumentParser
import Engine
import Foundation
import Logging
import ServiceLifecycle

/// `signalbox serve`: connects to the broker, declares the topology and runs the services until
/// SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Signalbox service.")

    @Option(name: .long, help: "The configuration file; every key can be overridden by SIGNALBOX_… variables.")
    var config = "config/signalbox.yaml"

    func run() async throws {
        let settings: SignalboxConfiguration
        do {
            settings = try SignalboxConfiguration.load(file: config)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .logfmt
        LoggingSystem.bootstrap { StructuredLogHandler(label: $0, format: format, level: settings.logLevel) }
        let logger = Logger(label: "signalbox")
        logger.info("starting", metadata: [
            "config": "\(config)", "broker": "\(settings.amqp)", "events_queue": "\(settings.broker.eventsQueue)",
            "queue_type": "\(settings.broker.eventsQueueType.rawValue)",
        ])

        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(
                settings.amqp, logger: Logger(label: "signalbox.amqp"), shutdownTimeout: settings.shutdownTimeout)
            try await connection.declare(settings.broker.topology)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("topology declared", metadata: [
            "events_exchange": "\(settings.broker.eventsExchange)", "commands_exchange": "\(settings.broker.commandsExchange)",
            "dead_letter_exchange": "\(settings.broker.deadLetterExchange)",
        ])

        let events = EventLogService(
            connection: connection, names: settings.broker, prefetch: settings.prefetch,
            logger: Logger(label: "signalbox.events"))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: events, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
