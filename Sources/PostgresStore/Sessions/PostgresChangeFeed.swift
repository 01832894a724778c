import Automation
import Foundation
import Logging
import PostgresNIO

/// The changes other replicas commit, heard with `LISTEN` on ``PostgresSchema/changesChannel``:
/// the schema's row triggers `NOTIFY` it in the writing transaction (migration v2), so a change
/// is announced exactly when it commits, by whoever wrote it.
///
/// Listens on a ``DedicatedSession`` and checks it with `SELECT 1` every `heartbeatInterval`: a
/// session that died without closing would otherwise just go quiet. After any failure it
/// reconnects with backoff and, once listening again, asks for a resynchronisation: what was
/// committed while nobody listened is read from the store instead.
public final class PostgresChangeFeed: StoreChangeFeed {
    public struct Configuration: Sendable {
        /// The listening session: its name, the heartbeat's timeout, keepalives.
        public var session = PostgresSessionSettings(applicationName: "signalbox change feed")
        /// How often the listening session is checked.
        public var heartbeatInterval: Duration = .seconds(2)
        /// The reconnect backoff after a failure.
        public var initialReconnectDelay: Duration = .milliseconds(250)
        public var maximumReconnectDelay: Duration = .seconds(5)

        public init() {}
    }

    private let configuration: Configuration
    private let session: DedicatedSession
    private let logger: Logger

    public init(store: PostgresStoreConfiguration, configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        session = DedicatedSession(store: store, settings: configuration.session, logger: logger)
    }

    /// Returns when cancelled; failures are logged and retried, never thrown.
    public func follow(_ observer: any DefinitionChangeObserver) async throws {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await session.connect()
                do {
                    // Returns only by throwing: the session ended or failed.
                    try await listen(on: connection, observer) {
                        if failures > 0 { self.logger.notice("change feed: listening again; changes by other replicas are heard at once") }
                        failures = 0
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch {
                if Task.isCancelled { break }
                failures += 1
                if failures == 1 {
                    logger.warning(
                        "change feed: not listening to PostgreSQL; changes by other replicas are heard by polling until it listens again",
                        metadata: ["reason": "\(DedicatedSession.reason(error))"])
                }
            }
            let delay = min(configuration.initialReconnectDelay * (1 << min(failures, 10)), configuration.maximumReconnectDelay)
            guard await DedicatedSession.pause(delay) else { break }
        }
    }

    /// Listens until the session fails: the notifications end when the heartbeat closes it.
    private func listen(
        on connection: PostgresConnection, _ observer: any DefinitionChangeObserver, listening: () -> Void
    ) async throws {
        try await connection.listen(on: PostgresSchema.changesChannel) { notifications in
            listening()
            // From here on every change is heard; earlier ones are read.
            observer.resynchronize()
            let heartbeat = Task { [session, interval = configuration.heartbeatInterval] in
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        try await session.check(connection)
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                }
            }
            defer { heartbeat.cancel() }
            for try await notification in notifications {
                guard let change = Self.change(notification.payload) else {
                    logger.warning("change feed: a notification was not understood; ignored", metadata: ["payload": "\(notification.payload.prefix(200))"])
                    continue
                }
                change.tell(observer)
            }
            throw DedicatedSession.Unanswered(description: "the listening session ended")
        }
    }

    /// The change a notification's payload (written by migration v2's triggers) announces.
    static func change(_ payload: String) -> StoreChange? {
        struct Payload: Decodable {
            var kind: String
            var id: UUID?
            var tenant: String?
            var action: UUID?
            var due: Double?
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(payload.utf8)) else { return nil }
        switch payload.kind {
        case "action":
            guard let action = payload.action, let tenant = payload.tenant else { return nil }
            return .action(ActionID(rawValue: action), tenant: TenantID(tenant))
        case "delayed":
            guard let id = payload.id, let action = payload.action, let tenant = payload.tenant, let due = payload.due else { return nil }
            return .delayedRunScheduled(DelayedRunDue(
                id: DelayedRunID(rawValue: id), actionId: ActionID(rawValue: action), tenantId: TenantID(tenant),
                dueAt: Date(timeIntervalSince1970: due)))
        case "cancelled":
            return payload.id.map { .delayedRunCancelled(DelayedRunID(rawValue: $0)) }
        default:
            return nil
        }
    }
}
