import AMQPClient
import Foundation
import Logging
import SignalboxTestSupport

/// The real broker the integration tests talk to (started by `scripts/test.sh`).
enum TestBroker {
    static var url: String {
        ProcessInfo.processInfo.environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
    }

    static var logger: Logger {
        var logger = Logger(label: "amqp-tests")
        logger.logLevel = .warning
        return logger
    }

    static func configuration(_ name: String, heartbeat: Int = 10, vhost: String? = nil) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration.testBroker(url, name: name)
        configuration.heartbeatSeconds = heartbeat
        configuration.reconnect = ReconnectPolicy(initialDelay: .milliseconds(50), maximumDelay: .seconds(1))
        if let vhost { configuration.virtualHost = vhost }
        return configuration
    }

    static func connect(_ name: String, heartbeat: Int = 10, vhost: String? = nil) async throws -> AMQPConnection {
        try await AMQPConnection.connect(configuration(name, heartbeat: heartbeat, vhost: vhost), logger: logger)
    }

    static func uniqueName(_ prefix: String) -> String {
        "test.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A durable queue of its own for one test, bound to nothing.
    static func scratchQueue(_ connection: AMQPConnection, _ prefix: String, arguments: AMQPTable = [:]) async throws -> String {
        let name = uniqueName(prefix)
        try await connection.declare(AMQPTopology(queues: [.init(name: name, arguments: arguments)]))
        return name
    }

    /// Runs `rabbitmqctl` against the test node (`SIGNALBOX_TEST_RABBITMQCTL` names the command),
    /// on a dispatch thread: it takes a second or two, and every test shares the cooperative pool.
    @discardableResult
    static func rabbitmqctl(_ arguments: [String]) async throws -> String {
        try await rabbitmqctlTool.runDetached(arguments)
    }

    /// Starts `rabbitmqctl` for clean-up that nothing waits for (in a `defer`).
    static func rabbitmqctlInBackground(_ arguments: [String]) {
        DispatchQueue.global().async { _ = try? rabbitmqctlTool.run(arguments) }
    }

    private static var rabbitmqctlTool: CommandLineTool {
        CommandLineTool(ProcessInfo.processInfo.environment["SIGNALBOX_TEST_RABBITMQCTL"] ?? "rabbitmqctl -n rabbit@localhost")
    }

}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects values from concurrent tasks.
actor Collector<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
    var count: Int { values.count }
}
