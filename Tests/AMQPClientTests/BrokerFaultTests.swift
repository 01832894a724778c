import AMQPClient
import Foundation
import SignalboxTestSupport
import Testing

/// Heartbeats, connection loss and TLS settings against the real broker.
@Suite struct BrokerFaultTests {
    @Test func idleConnectionSurvivesPastTwiceTheHeartbeat() async throws {
        let connection = try await TestBroker.connect("idle", heartbeat: 1)
        let queue = try await TestBroker.scratchQueue(connection, "idle")
        // Nobody calls the client for 3.5 s: only its I/O thread can keep the 1 s heartbeat alive.
        try await Task.sleep(for: .milliseconds(3500))
        try await connection.publish(Array("after idle".utf8), exchange: "", routingKey: queue)
        #expect(try await connection.queueStatus(queue).messageCount == 1)
        #expect(connection.sessionsEstablished == 1, "the connection was never dropped")
        try await connection.delete(queue: queue)
        await connection.close()
    }

    /// `rabbitmqctl close_all_connections` in a vhost of its own (so parallel tests are unaffected)
    /// while messages flow: the client reconnects, resumes its consumer and loses nothing.
    @Test func reconnectsAfterTheBrokerClosesAllConnectionsAndLosesNothing() async throws {
        guard let vhost = try await Self.scratchVirtualHost() else { return }
        defer { TestBroker.rabbitmqctlInBackground(["delete_vhost", vhost]) }

        let connection = try await TestBroker.connect("reconnect", heartbeat: 2, vhost: vhost)
        let queue = try await TestBroker.scratchQueue(connection, "reconnect")
        let total = 600
        let consumer = try await connection.consume(queue: queue, prefetch: 50)
        let seen = Collector<String>()
        let reader = Task {
            for try await delivery in consumer {
                await seen.append(String(decoding: delivery.body, as: UTF8.self))
                try delivery.ack()
                if Set(await seen.values).count == total { return }
            }
        }
        let writer = Task {
            for index in 0..<total {
                // Paced, so the broker's close lands while messages are still flowing.
                if index % 20 == 0 { try await Task.sleep(for: .milliseconds(20)) }
                try await connection.publish(Array("m\(index)".utf8), exchange: "", routingKey: queue,
                                             properties: AMQPProperties(messageID: "m\(index)"))
            }
        }
        // A precondition, not a timing: under a loaded test run the first quarter can take a while.
        #expect(await eventually(timeout: .seconds(60)) { await seen.count >= total / 4 })
        try await TestBroker.rabbitmqctl(["close_all_connections", "-p", vhost, "signalbox fault test"])
        try await writer.value
        let finished = await eventually(timeout: .seconds(60)) { Set(await seen.values).count == total }
        reader.cancel()
        #expect(finished, "every message arrived (duplicates allowed, at-least-once)")
        #expect(Set(await seen.values) == Set((0..<total).map { "m\($0)" }))
        #expect(await eventually { connection.sessionsEstablished >= 2 }, "the client reconnected")
        #expect(try await eventually { try await connection.queueStatus(queue).messageCount == 0 })
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func stateIsReconnectingWithTheReasonWhileTheBrokerRefusesAndClosedAfterClose() async throws {
        guard let vhost = try await Self.scratchVirtualHost() else { return }
        defer { TestBroker.rabbitmqctlInBackground(["delete_vhost", vhost]) }

        let connection = try await TestBroker.connect("state", vhost: vhost)
        #expect(connection.state == .connected)
        // Deleting the vhost closes the connection, and every reconnect attempt is refused.
        try await TestBroker.rabbitmqctl(["delete_vhost", vhost])
        #expect(await eventually {
            if case .reconnecting(let reason) = connection.state { !reason.isEmpty } else { false }
        }, "\(connection.state)")
        await connection.close()
        guard case .closed = connection.state else {
            Issue.record("closed after close(), not \(connection.state)")
            return
        }
    }

    /// A virtual host of the test's own, which the test deletes; nil when the broker is external
    /// (SIGNALBOX_AMQP_URL), as rabbitmqctl cannot drive it from here.
    private static func scratchVirtualHost() async throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SIGNALBOX_TEST_RABBITMQCTL"] != nil || environment["SIGNALBOX_AMQP_URL"] == nil else {
            #expect(environment["CI"] == nil, "CI must run against the local broker of scripts/test.sh")
            return nil
        }
        let vhost = TestBroker.uniqueName("vhost")
        try await TestBroker.rabbitmqctl(["add_vhost", vhost])
        try await TestBroker.rabbitmqctl(["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"])
        return vhost
    }

    @Test func missingCAFileIsAClearTLSError() async throws {
        let configuration = try AMQPConfiguration(url: "amqps://guest:guest@localhost:5671/%2F?cacertfile=/nonexistent/ca.pem")
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        }
        #expect(error?.code == .tlsFailed)
        #expect(error?.reason.contains("/nonexistent/ca.pem") == true)
    }

    @Test func tlsAgainstAPlainPortFailsTheHandshake() async throws {
        let ca = ProcessInfo.processInfo.environment["SIGNALBOX_TEST_TLS_CA"] ?? "/etc/ssl/certs/ca-certificates.crt"
        let plain = try AMQPConfiguration(url: TestBroker.url)
        var configuration = plain
        configuration.tls = .init(caCertificatePath: ca)
        configuration.connectTimeout = .seconds(3)
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        }
        #expect(error?.code == .tlsFailed)
        #expect(error?.context.contains("TLS") == true)
    }

    @Test func tlsWithTheRightCAConnectsAndAWrongCAIsRejected() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SIGNALBOX_TEST_AMQPS_URL"], let ca = environment["SIGNALBOX_TEST_TLS_CA"] else {
            // Only brokers started by scripts/test.sh have a TLS listener; an external broker URL has none.
            #expect(environment["CI"] == nil, "CI must run with the TLS listener of scripts/test.sh")
            return
        }
        var configuration = try AMQPConfiguration(url: url)
        configuration.connectionName = "tls"
        configuration.tls?.caCertificatePath = ca
        configuration.tls?.clientCertificatePath = environment["SIGNALBOX_TEST_TLS_CERT"]
        configuration.tls?.clientKeyPath = environment["SIGNALBOX_TEST_TLS_KEY"]
        let connection = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        let queue = try await TestBroker.scratchQueue(connection, "tls")
        try await connection.publish(Array("over tls".utf8), exchange: "", routingKey: queue)
        #expect(try await connection.queueStatus(queue).messageCount == 1)
        try await connection.delete(queue: queue)
        await connection.close()

        // The system store does not contain the throwaway CA: verification must fail.
        configuration.tls?.caCertificatePath = "/etc/ssl/certs/ca-certificates.crt"
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        }
        #expect(error?.code == .tlsFailed)
    }
}
