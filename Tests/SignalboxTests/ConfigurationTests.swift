import Foundation
import Testing
@testable import signalbox

@Suite struct ConfigurationTests {
    private var shippedConfig: String { SignalboxProcess.repositoryRoot.appendingPathComponent("config/signalbox.yaml").path }

    private func temporaryConfig(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func shippedFileLoads() throws {
        let configuration = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(configuration.broker.eventsExchange == "signalbox.events")
        #expect(configuration.broker.eventsQueueType == .quorum)
        #expect(configuration.prefetch == 1000)
        #expect(configuration.amqp.host == "127.0.0.1")
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try SignalboxConfiguration.load(file: shippedConfig, environment: [
            "SIGNALBOX_AMQP_URL": "amqp://u:p@broker:5673/prod", "SIGNALBOX_AMQP_PREFETCH": "7",
            "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE": "classic", "SIGNALBOX_LOG_LEVEL": "debug",
        ])
        #expect(configuration.amqp.host == "broker" && configuration.amqp.port == 5673)
        #expect(configuration.amqp.virtualHost == "prod")
        #expect(configuration.amqp.connectionName == "signalbox", "keys the URL does not set still come from the file")
        #expect(configuration.prefetch == 7)
        #expect(configuration.broker.eventsQueueType == .classic)
        #expect(configuration.logLevel == .debug)
    }

    @Test func badEnvironmentValueNamesTheVariableAndKey() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_AMQP_PREFETCH": "lots"])
        }
        #expect(error?.source == "environment variable SIGNALBOX_AMQP_PREFETCH")
        #expect(error?.key == "amqp.prefetch")
        #expect(error?.message.contains("'lots'") == true)
    }

    @Test func unknownKeyNamesFileLineAndColumn() throws {
        let path = try temporaryConfig("amqp:\n  url: amqp://127.0.0.1\n  prefetc: 10\n")
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: path, environment: [:])
        }
        #expect(error?.source == "\(path):3:3")
        #expect(error?.key == "amqp.prefetc")
    }

    @Test func badValueInTheFileNamesItsPosition() throws {
        let path = try temporaryConfig("amqp:\n  url: http://127.0.0.1\nlog:\n  level: loud\n")
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: path, environment: [:])
        }
        #expect(error?.source == "\(path):2:8")
        #expect(error?.key == "amqp.url")
        #expect(error?.message.contains("scheme") == true)
    }

    @Test func environmentVariableNames() {
        #expect(ConfigurationSource.environmentVariable(for: "amqp.eventsQueueType") == "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE")
        #expect(ConfigurationSource.environmentVariable(for: "database.path") == "SIGNALBOX_DATABASE_PATH")
    }

    @Test func missingFileIsAClearError() {
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: "/nonexistent/signalbox.yaml", environment: [:])
        }
        #expect(error?.source == "/nonexistent/signalbox.yaml")
    }
}
