import Logging
import PostgresNIO
import Synchronization

/// The settings of a session of its own (``DedicatedSession``): the leadership's and the change
/// feed's configurations each hold one.
public struct PostgresSessionSettings: Sendable {
    /// The session's `application_name`, which `pg_stat_activity` shows.
    public var applicationName: String
    /// How long a query may take before the session counts as lost. Also the session's
    /// `statement_timeout`.
    public var queryTimeout: Duration = .seconds(2)
    /// How long the server waits on a silent client before it ends the session (freeing its
    /// locks): TCP keepalive idle time and probe interval, in whole seconds…
    public var keepaliveInterval: Duration = .seconds(1)
    /// …and how many unanswered probes end it.
    public var keepaliveProbes = 3

    public init(applicationName: String) {
        self.applicationName = applicationName
    }
}

/// How a long-lived connection of its own is opened and asked: the scheduler leadership's lock
/// session and the change feed's listening session. Not from the store's pool: a session-level
/// lock or `LISTEN` lives as long as its session, and its heartbeat must not queue behind the
/// store's work.
///
/// Every query gets `queryTimeout`; a session that does not answer in time is closed, so a dead
/// server or network is noticed within that, not when TCP gives up.
struct DedicatedSession: Sendable {
    /// The connection closed, or no answer within the query timeout.
    struct Unanswered: Error, CustomStringConvertible {
        let description: String
    }

    /// Connection ids for postgres-nio's log metadata.
    private static let connectionIDs = Atomic(0)

    let store: PostgresStoreConfiguration
    let settings: PostgresSessionSettings
    let logger: Logger

    /// Opens the session, with settings that bound how long a dead peer goes unnoticed on either side.
    func connect() async throws -> PostgresConnection {
        var connection = PostgresConnection.Configuration(
            host: store.host, port: store.port, username: store.username, password: store.password, database: store.database,
            tls: try Self.tls(store.tls))
        connection.options.connectTimeout = .nanoseconds(Int64(store.connectTimeout.milliseconds) * 1_000_000)
        connection.options.additionalStartupParameters = startupParameters
        let id = Self.connectionIDs.wrappingAdd(1, ordering: .relaxed).newValue
        return try await PostgresConnection.connect(configuration: connection, id: id, logger: logger)
    }

    /// Run-time settings sent with the startup message, so they hold from the first query on.
    var startupParameters: [(String, String)] {
        let keepalive = max(1, settings.keepaliveInterval.components.seconds)
        let probes = max(1, settings.keepaliveProbes)
        return [
            ("application_name", settings.applicationName),
            // A statement stuck on the server fails there too, not only on this side's timeout.
            ("statement_timeout", "\(settings.queryTimeout.milliseconds)"),
            // The server probes a silent client after `keepalive` s, every `keepalive` s, and
            // ends the session (freeing its locks) after `probes` unanswered probes…
            ("tcp_keepalives_idle", "\(keepalive)"),
            ("tcp_keepalives_interval", "\(keepalive)"),
            ("tcp_keepalives_count", "\(probes)"),
            // …or when what it sent stays unacknowledged that long.
            ("tcp_user_timeout", "\(keepalive * Int64(probes + 1) * 1000)"),
        ]
    }

    /// `query`'s result, or ``Unanswered`` when the connection is closed or the query timeout
    /// passes (then the connection is closed). A query that outlives its timeout is not waited
    /// for: postgres-nio may never answer a query on a connection that closed under it.
    @discardableResult
    func answer<Value: Sendable>(
        on connection: PostgresConnection, _ query: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        guard !connection.isClosed else { throw Unanswered(description: "the connection is closed") }
        let timeout = settings.queryTimeout
        do {
            return try await firstAnswer(within: timeout, late: { Unanswered(description: "PostgreSQL did not answer within \(timeout)") }) {
                try await query(connection)
            }
        } catch let error as Unanswered {
            try? await connection.close()
            throw error
        }
    }

    /// A heartbeat: `SELECT 1`, answered within the query timeout (else ``Unanswered``, and closed).
    func check(_ connection: PostgresConnection) async throws {
        try await answer(on: connection) { [logger] in try await $0.query("SELECT 1", logger: logger) }
    }

    /// Words for a log line: the server's message and SQLSTATE, or the connection's error.
    static func reason(_ error: any Error) -> String {
        if let unanswered = error as? Unanswered { return unanswered.description }
        return PostgresStoreError.describe(error).reason
    }

    /// Sleeps `delay`; false when cancelled first.
    static func pause(_ delay: Duration) async -> Bool {
        guard delay > .zero else { return !Task.isCancelled }
        do {
            try await Task.sleep(for: delay)
            return true
        } catch {
            return false
        }
    }

    private static func tls(_ mode: PostgresStoreConfiguration.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
