import Testing
@testable import AMQPClient

@Suite struct AMQPConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try AMQPConfiguration(
            url: "amqp://app:s%40cret@broker.local:5673/prod%2Fa?heartbeat=15&connection_name=signalbox-1&connection_timeout=2500")
        #expect(configuration.host == "broker.local")
        #expect(configuration.port == 5673)
        #expect(configuration.user == "app")
        #expect(configuration.password == "s@cret")
        #expect(configuration.virtualHost == "prod/a")
        #expect(configuration.heartbeatSeconds == 15)
        #expect(configuration.connectionName == "signalbox-1")
        #expect(configuration.connectTimeout == .milliseconds(2500))
        #expect(configuration.tls == nil)
        #expect(!configuration.description.contains("s@cret"), "the password never reaches logs")
    }

    @Test func defaultsAndTheDefaultVhost() throws {
        let plain = try AMQPConfiguration(url: "amqp://127.0.0.1")
        #expect(plain.port == 5672 && plain.virtualHost == "/" && plain.user == "guest")
        #expect(try AMQPConfiguration(url: "amqp://h/%2F").virtualHost == "/")
    }

    @Test func amqpsEnablesTLSWithItsOptions() throws {
        let configuration = try AMQPConfiguration(
            url: "amqps://h?cacertfile=/ca.pem&certfile=/c.pem&keyfile=/k.pem&verify=verify_peer")
        #expect(configuration.port == 5671)
        #expect(configuration.tls?.caCertificatePath == "/ca.pem")
        #expect(configuration.tls?.clientCertificatePath == "/c.pem")
        #expect(configuration.tls?.verifyPeer == true && configuration.tls?.verifyHostname == true)
        let unverified = try AMQPConfiguration(url: "amqps://h?verify=verify_none")
        #expect(unverified.tls?.verifyPeer == false && unverified.tls?.verifyHostname == false)
    }

    @Test(arguments: [
        ("http://h", "scheme"),
        ("amqp://h?heartbeat=abc", "heartbeat"),
        ("amqp://h?cacertfile=/x", "cacertfile"),
        ("amqp://h?colour=blue", "colour"),
        ("amqp://h/a/b", "vhost"),
        ("amqps://h?certfile=/c.pem", "keyfile"),
        ("amqp://u:topsecret@h?heartbeat=-1", "heartbeat"),
    ])
    func rejectsBadURLsNamingTheProblem(url: String, mentioned: String) {
        #expect {
            try AMQPConfiguration(url: url)
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.code == .invalidConfiguration && "\(error)".contains(mentioned) && !"\(error)".contains("topsecret")
        }
    }
}
