import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Testing

/// The PostgreSQL server of `scripts/test.sh` (`SIGNALBOX_TEST_DATABASE_URL`), and a database of
/// its own for each test, so that tests run in parallel without meeting.
///
/// Without the variable the server tests skip, except under `CI`, where they fail: CI must run
/// them. Shared by the PostgreSQL store's own tests and the store contract tests.
public enum TestDatabase {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["SIGNALBOX_TEST_DATABASE_URL"]
    public static let isCI = environment["CI"] != nil
    /// Whether tests that need the server run: with a server, or under CI (where they then fail).
    public static let isAvailable = url != nil || isCI
    public static let skipReason: Comment = "needs SIGNALBOX_TEST_DATABASE_URL: scripts/test.sh starts a local PostgreSQL and exports it"

    public static let logger: Logger = {
        var logger = Logger(label: "signalbox.postgres-store-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with the configuration of a new, empty database, dropped afterwards (also when
    /// `body` throws). Records an issue and returns nil when there is no test server.
    @discardableResult
    public static func withDatabase<Result: Sendable>(
        _ body: (PostgresStoreConfiguration) async throws -> Result
    ) async throws -> Result? {
        guard let url else {
            Issue.record("CI is set but SIGNALBOX_TEST_DATABASE_URL is not: scripts/test.sh exports it")
            return nil
        }
        let server = try PostgresStoreConfiguration(url: url, key: "SIGNALBOX_TEST_DATABASE_URL")
        let name = "signalbox_t_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
        try await run("CREATE DATABASE \(name)", on: server)
        var configuration = server
        configuration.database = name
        // Small pools: the tests run in parallel against one server (shared with other checkouts),
        // and a pool of the default 20 per store would exhaust its connection slots.
        configuration.maximumConnections = 4
        let result: Result
        do {
            result = try await body(configuration)
        } catch {
            try? await drop(name, on: server)
            throw error
        }
        try await drop(name, on: server)
        return result
    }

    /// The URL of `configuration`'s database on the test server (password included), for a
    /// process that reads `database.url`.
    public static func url(of configuration: PostgresStoreConfiguration) -> String? {
        guard let url, var components = URLComponents(string: url) else { return nil }
        components.path = "/" + configuration.database
        return components.string
    }

    private static func drop(_ name: String, on server: PostgresStoreConfiguration) async throws {
        try await run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
    }

    /// Runs one statement on the server, failing with the server's whole answer: `PSQLError`'s
    /// own description hides it, and a failed drop must say why.
    private static func run(_ sql: String, on server: PostgresStoreConfiguration) async throws {
        do {
            try await withClient(server) { client in _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        } catch {
            throw TestFailure("\(sql): \(String(reflecting: error))")
        }
    }

    /// Runs `body` with a running client (pool) of its own for `configuration`.
    public static func withClient<Result: Sendable>(
        _ configuration: PostgresStoreConfiguration, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = configuration.makeClient(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The single integer a query returns.
    public static func integer(_ query: PostgresQuery, on client: PostgresClient) async throws -> Int {
        for try await value in try await client.query(query, logger: logger).decode(Int.self) { return value }
        throw TestFailure("no row for \(query.sql)")
    }

    /// The integers of a query's first column, in order.
    public static func integers(_ query: PostgresQuery, on client: PostgresClient) async throws -> [Int] {
        var values: [Int] = []
        for try await value in try await client.query(query, logger: logger).decode(Int.self) { values.append(value) }
        return values
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Holds every arriving task until `count` have arrived, then lets them all go at once: the
/// concurrency tests start their contenders together, connections already open.
public actor Barrier {
    private let count: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(count: Int) { self.count = count }

    public func arrive() async {
        if waiting.count + 1 == count {
            for continuation in waiting { continuation.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
