import Foundation

/// Where and how to connect: parsed from an `amqp://` or `amqps://` URL.
///
/// Query parameters follow RabbitMQ's URI spec: `heartbeat`, `connection_timeout` (ms),
/// `connection_name`, and for TLS `cacertfile`, `certfile`, `keyfile`, `verify`
/// (`verify_peer` or `verify_none`), `server_name_indication`.
public struct AMQPConfiguration: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var virtualHost: String
    public var user: String
    public var password: String
    /// Heartbeat interval proposed to the broker; 0 turns heartbeats off.
    public var heartbeatSeconds: Int
    public var connectTimeout: Duration
    /// Bound for every RPC (declare, consume, close) so a dead peer cannot block the I/O thread.
    public var rpcTimeout: Duration
    /// Shown in the management UI and `rabbitmqctl list_connections client_properties`.
    public var connectionName: String
    public var tls: TLS?
    public var reconnect: ReconnectPolicy

    /// TLS through rabbitmq-c's OpenSSL socket.
    public struct TLS: Sendable, Hashable {
        /// PEM bundle of trusted CAs; rabbitmq-c 0.11 does not load the system store by itself.
        public var caCertificatePath: String
        public var clientCertificatePath: String?
        public var clientKeyPath: String?
        public var verifyPeer: Bool
        public var verifyHostname: Bool

        public init(
            caCertificatePath: String = "/etc/ssl/certs/ca-certificates.crt",
            clientCertificatePath: String? = nil, clientKeyPath: String? = nil,
            verifyPeer: Bool = true, verifyHostname: Bool = true
        ) {
            self.caCertificatePath = caCertificatePath
            self.clientCertificatePath = clientCertificatePath
            self.clientKeyPath = clientKeyPath
            self.verifyPeer = verifyPeer
            self.verifyHostname = verifyHostname
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int? = nil, virtualHost: String = "/", user: String = "guest",
        password: String = "guest", heartbeatSeconds: Int = 10, connectTimeout: Duration = .seconds(5),
        rpcTimeout: Duration = .seconds(10), connectionName: String = "signalbox", tls: TLS? = nil,
        reconnect: ReconnectPolicy = .init()
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.virtualHost = virtualHost
        self.user = user
        self.password = password
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.connectionName = connectionName
        self.tls = tls
        self.reconnect = reconnect
    }

    /// Parses `amqp[s]://user:password@host:port/vhost?heartbeat=10&connection_name=x`.
    public init(url: String) throws(AMQPError) {
        func invalid(_ reason: String) -> AMQPError {
            AMQPError(.invalidConfiguration, context: "broker URL '\(Self.redacted(url))'", reason: reason)
        }
        guard let components = URLComponents(string: url) else { throw invalid("not a valid URL") }
        let isTLS: Bool
        switch components.scheme?.lowercased() {
        case "amqp": isTLS = false
        case "amqps": isTLS = true
        default: throw invalid("scheme must be amqp or amqps, not '\(components.scheme ?? "")'")
        }
        self.init()
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? (isTLS ? 5671 : 5672)
        guard (1...65535).contains(port) else { throw invalid("port \(port) is outside 1...65535") }
        user = components.user ?? "guest"
        password = components.password ?? "guest"
        // The path is one segment: "/" means the default vhost "/" (RabbitMQ's URI spec says "%2F").
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            virtualHost = "/"
        } else {
            let segment = String(path.dropFirst())
            guard !segment.contains("/") else { throw invalid("the vhost must be one path segment; write '/' as %2F") }
            virtualHost = segment.removingPercentEncoding ?? segment
        }
        var tlsSettings = isTLS ? TLS() : nil
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            func integer(_ range: ClosedRange<Int>) throws(AMQPError) -> Int {
                guard let number = Int(value), range.contains(number) else {
                    throw invalid("query parameter '\(item.name)' must be an integer in \(range), not '\(value)'")
                }
                return number
            }
            switch item.name {
            case "heartbeat": heartbeatSeconds = try integer(0...65535)
            case "connection_timeout": connectTimeout = .milliseconds(try integer(1...600_000))
            case "rpc_timeout": rpcTimeout = .milliseconds(try integer(1...600_000))
            case "connection_name": connectionName = value
            case "cacertfile", "certfile", "keyfile", "verify", "server_name_indication":
                guard isTLS else { throw invalid("'\(item.name)' applies only to amqps:// URLs") }
                switch item.name {
                case "cacertfile": tlsSettings?.caCertificatePath = value
                case "certfile": tlsSettings?.clientCertificatePath = value
                case "keyfile": tlsSettings?.clientKeyPath = value
                case "verify":
                    switch value {
                    case "verify_peer": tlsSettings?.verifyPeer = true
                    case "verify_none":
                        tlsSettings?.verifyPeer = false
                        tlsSettings?.verifyHostname = false
                    default: throw invalid("'verify' must be verify_peer or verify_none, not '\(value)'")
                    }
                default: break  // rabbitmq-c always sends SNI for the host name.
                }
            default:
                throw invalid("unknown query parameter '\(item.name)'")
            }
        }
        tls = tlsSettings
        if let tls, (tls.clientCertificatePath == nil) != (tls.clientKeyPath == nil) {
            throw invalid("certfile and keyfile must be given together")
        }
    }

    /// The URL with its password replaced, for logs.
    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "%2F" : virtualHost
        return "\(scheme)://\(user):***@\(host):\(port)/\(vhost)"
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "<unparseable URL>"
    }
}

/// How the supervisor reconnects after the connection is lost: exponential backoff with jitter.
public struct ReconnectPolicy: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// Fraction of each delay that is randomised, so replicas do not reconnect in lockstep.
    public var jitter: Double
    /// Give up after this many failed attempts in a row; nil retries forever.
    public var maximumAttempts: Int?

    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.5, maximumAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumAttempts = maximumAttempts
    }

    /// The delay before attempt `attempt` (0-based): `min(max, initial·multiplier^attempt)`, the top
    /// `jitter` fraction of it drawn at random.
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let initial = initialDelay.seconds
        let capped = min(maximumDelay.seconds, initial * pow(multiplier, Double(min(attempt, 64))))
        let fixed = capped * (1 - jitter)
        let random = capped * jitter * Double.random(in: 0...1, using: &generator)
        return .nanoseconds(Int64((fixed + random) * 1e9))
    }
}

extension Duration {
    /// The duration as floating-point seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// Whole milliseconds, rounded down (what rabbitmq-c's timeouts resolve to).
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
