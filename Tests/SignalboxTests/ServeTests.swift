import AMQPClient
import Foundation
import Logging
import Synchronization
import Testing

/// `signalbox serve` as a separate process against the real broker.
@Suite struct ServeTests {
    /// Collects a child's stderr as it is written.
    final class OutputCollector: Sendable {
        private let text = Mutex("")
        var current: String { text.withLock { $0 } }
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
    }

    @Test func declaresTopologyLogsAndAcksEventsAndStopsOnSIGTERM() async throws {
        let url = ProcessInfo.processInfo.environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
        let prefix = "test.serve.\(UUID().uuidString.prefix(8).lowercased())"
        let environment = [
            "SIGNALBOX_AMQP_URL": url, "SIGNALBOX_AMQP_EVENTS_EXCHANGE": "\(prefix).events",
            "SIGNALBOX_AMQP_EVENTS_QUEUE": "\(prefix).events", "SIGNALBOX_AMQP_COMMANDS_EXCHANGE": "\(prefix).commands",
            "SIGNALBOX_AMQP_DEAD_LETTER_EXCHANGE": "\(prefix).dlx", "SIGNALBOX_AMQP_DEAD_LETTER_QUEUE": "\(prefix).dlq",
            "SIGNALBOX_AMQP_CONNECTION_NAME": prefix,
        ]
        let process = Process()
        process.executableURL = SignalboxProcess.executable
        process.arguments = ["serve", "--config", "config/signalbox.yaml"]
        process.currentDirectoryURL = SignalboxProcess.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stderr = Pipe()
        let output = OutputCollector()
        stderr.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func eventually(_ condition: () -> Bool) async -> Bool {
            for _ in 0..<200 where !condition() { try? await Task.sleep(for: .milliseconds(50)) }
            return condition()
        }
        #expect(await eventually { output.current.contains("consuming events") }, "serve did not start: \(output.current)")

        var logger = Logger(label: "serve-test")
        logger.logLevel = .error
        let client = try await AMQPConnection.connect(AMQPConfiguration(url: url), logger: logger)
        for (index, type) in ["AppProcessUpdated", "InteractionProcessUpdated", "CapsuleProcessUpdated"].enumerated() {
            try await client.publish(
                Array(#"{"type":"\#(type)","id":"e-\#(index)","item":{"id":"p-\#(index)","status":"Finished"}}"#.utf8),
                exchange: "\(prefix).events", routingKey: type,
                properties: AMQPProperties(contentType: "application/json", messageID: "evt-\(index)"))
        }
        #expect(await eventually { output.current.components(separatedBy: "msg=\"event received\"").count == 4 })
        for index in 0..<3 { #expect(output.current.contains("message_id=evt-\(index)")) }
        #expect(try await client.queueStatus("\(prefix).events").messageCount == 0, "every event was acked")
        #expect(try await client.queueStatus("\(prefix).dlq").messageCount == 0, "the dead-letter queue exists")

        let stopping = ContinuousClock.now
        process.terminate()  // SIGTERM
        #expect(await eventually { !process.isRunning })
        #expect(ContinuousClock.now - stopping < .seconds(5))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(output.current.contains("msg=stopped"))

        for queue in ["\(prefix).events", "\(prefix).dlq"] { try await client.delete(queue: queue) }
        for exchange in ["\(prefix).events", "\(prefix).commands", "\(prefix).dlx"] { try await client.delete(exchange: exchange) }
        await client.close()
    }

    @Test func badConfigurationExitsTwoNamingTheKey() throws {
        let result = try SignalboxProcess.run(
            ["serve", "--config", "config/signalbox.yaml"], environment: ["SIGNALBOX_HTTP_PORT": "99999"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("SIGNALBOX_HTTP_PORT") && result.stderr.contains("http.port"))
    }
}
