import Foundation
import PostgresNIO

/// Where the PostgreSQL store connects and how.
///
/// Made from `database.url` (``init(url:key:)``) or field by field. The password is kept but never
/// printed: ``description`` and every error show the URL with `***` in its place.
public struct PostgresStoreConfiguration: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The most connections the pool opens (every replica opens its own pool).
    public var maximumConnections: Int
    /// How long opening one connection may take.
    public var connectTimeout: Duration

    /// `sslmode` of the URL, as libpq names them. Unlike libpq's `require`, `require` here also
    /// verifies the server's certificate against the system's trust store and the host name:
    /// an encrypted connection to an unverified peer protects against nothing that matters here.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        /// Plain TCP (a loopback or private network).
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS or no connection.
        case require
    }

    /// The port PostgreSQL listens on unless told otherwise.
    public static let defaultPort = 5432

    public init(
        host: String, port: Int = PostgresStoreConfiguration.defaultPort, username: String, password: String?, database: String,
        tls: TLSMode = .prefer, maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
    }

    /// The configuration as a URL with the password replaced by `***`.
    public var description: String {
        var url = "postgres://\(Self.encode(username))"
        if password != nil { url += ":***" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        url += "@\(shownHost):\(port)/\(Self.encode(database))"
        if tls != .prefer { url += "?sslmode=\(tls.rawValue)" }
        return url
    }

    /// postgres-nio's client configuration.
    public var clientConfiguration: PostgresClient.Configuration {
        let clientTLS: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }

    /// A pool of connections for this configuration. Nothing connects until its `run()` runs
    /// (a `Service`: put it in the executable's `ServiceGroup`, or a task that outlives its use).
    public func makeClient(logger: Logger) -> PostgresClient {
        PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
    }

    /// User and database names as they stand in a URL's user info and path.
    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? text
    }
}
