import Automation
import Foundation
import HTTPAPI
import Logging
import PostgresStore
import SQLiteStore

/// The store `serve` and the CLI use: PostgreSQL when `database.url` is set (several replicas
/// share it), else the SQLite file at `database.path`.
enum ConfiguredStore {
    case sqlite(SQLiteAutomationStore)
    case postgres(PostgresAutomationStore, PostgresStoreConfiguration)

    var store: any AutomationStore {
        switch self {
        case .sqlite(let store): store
        case .postgres(let store, _): store
        }
    }

    /// Which store, and where: for logs and `/health/ready` (the URL without its password).
    /// From the settings, so that a store that failed to open is named the same way.
    static func location(_ settings: SignalboxConfiguration) -> String {
        settings.databaseURL.map { "PostgreSQL at \($0)" } ?? "SQLite at \(settings.databasePath)"
    }

    /// Opens the configured store (migrating its schema), runs `body` with it, then closes it.
    /// PostgreSQL's pool runs beside `body` until `body` returns; a server that does not answer
    /// within the connect timeout fails the open instead of holding the start-up.
    static func with<Result: Sendable>(
        _ settings: SignalboxConfiguration, logger: Logger, _ body: (ConfiguredStore) async throws -> Result
    ) async throws -> Result {
        guard let configuration = settings.databaseURL else {
            let store = try SQLiteAutomationStore(
                configuration: SQLiteStoreConfiguration(path: settings.databasePath, durability: settings.databaseDurability))
            defer { try? store.close() }
            return try await body(.sqlite(store))
        }
        let storeLogger = Logger(label: "signalbox.postgres")
        let client = configuration.makeClient(logger: storeLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let reachable = await PostgresReadiness.probe(client, timeout: configuration.connectTimeout, logger: storeLogger)
            guard reachable.status != .unreachable else { throw ReadinessCheck.Failure("\(configuration): \(reachable)") }
            let store = try await PostgresAutomationStore(client: client, logger: storeLogger)
            return try await body(.postgres(store, configuration))
        }
    }

    /// `GET /health/ready`'s check of the store: SQLite takes a write (rolled back); PostgreSQL
    /// answers and its schema is the one this binary migrates to.
    func checkReady() async throws {
        switch self {
        case .sqlite(let store):
            try await store.checkWritable()
        case .postgres(let store, _):
            let readiness = await store.readiness()
            guard readiness.isReady else { throw ReadinessCheck.Failure(readiness.description) }
        }
    }
}
