import Automation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Scheduler leadership among replicas that share one PostgreSQL: the replica whose session holds
/// the advisory lock ``schedulerLockKey`` leads.
///
/// The lock is held on a ``DedicatedSession``, not a connection of the store's pool: a
/// session-level advisory lock lives as long as its session. A follower asks for the lock every
/// `pollInterval` (`pg_try_advisory_lock`, which never waits); the leader runs `SELECT 1` every
/// `heartbeatInterval`. Any failure — the connection closed, an error, no answer within the
/// session's `queryTimeout` — ends the lead at once (the server frees the lock when it ends the
/// session), then the campaign reconnects and asks again.
///
/// How fast the others take over when the leader dies: when its process dies the kernel closes
/// its socket, the server ends the session and frees the lock, and a follower's next ask (within
/// `pollInterval`) gets it. When its host or the network goes silent, the server notices through
/// the session's TCP keepalives (`tcp_keepalives_*`, `tcp_user_timeout`, set at connect) within a
/// few seconds, and the silent leader notices its own loss by its heartbeat's timeout.
///
/// A `Service`: run it in the `ServiceGroup` before the scheduler, so that on shutdown it lets go
/// of the lock only after the scheduler has stopped firing.
public final class PostgresAdvisoryLeadership: SchedulerLeadership, Service {
    public struct Configuration: Sendable {
        /// The advisory lock the replicas compete for.
        public var lockKey: Int64 = PostgresAdvisoryLeadership.schedulerLockKey
        /// The lock's session: its name, query timeout (also the heartbeat's) and keepalives.
        public var session = PostgresSessionSettings(applicationName: "signalbox scheduler leadership")
        /// How often a follower asks for the lock.
        public var pollInterval: Duration = .seconds(1)
        /// How often the leader checks its session.
        public var heartbeatInterval: Duration = .seconds(1)
        /// The reconnect backoff after a failure.
        public var initialReconnectDelay: Duration = .milliseconds(250)
        public var maximumReconnectDelay: Duration = .seconds(2)

        public init() {}
    }

    /// The first 8 bytes of SHA-256("signalbox-scheduler"), big-endian. Advisory locks are per
    /// database, so Signalbox installations sharing a server do not compete.
    public static let schedulerLockKey: Int64 = 0x6CF8_53A0_33A5_BE71

    let configuration: Configuration
    let logger: Logger
    /// The session the lock is held on.
    let session: DedicatedSession
    private let status = SchedulerLeadershipState()

    public init(store: PostgresStoreConfiguration, configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        session = DedicatedSession(store: store, settings: configuration.session, logger: logger)
    }

    // MARK: SchedulerLeadership

    public var role: SchedulerRole { status.role }

    public func waitUntilLeading() async throws -> LeadershipTerm { try await status.waitUntilLeading() }

    public func waitUntilLost(_ term: LeadershipTerm) async throws -> String { try await status.waitUntilLost(term) }

    public func holds(_ term: LeadershipTerm) -> Bool { status.holds(term) }

    // MARK: Campaign

    /// Campaigns until cancelled or, in a `ServiceGroup`, until graceful shutdown; then gives the
    /// lead up and closes the session.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.campaign() }
    }

    private func campaign() async {
        var machine = AdvisoryLeadershipStateMachine(
            timing: .init(
                pollInterval: configuration.pollInterval, heartbeatInterval: configuration.heartbeatInterval,
                initialReconnectDelay: configuration.initialReconnectDelay, maximumReconnectDelay: configuration.maximumReconnectDelay))
        var connection: PostgresConnection?
        var action = machine.start()
        while true {
            if Task.isCancelled, machine.state != .stopped { action = machine.stop() }
            switch action {
            case .connect(let delay):
                guard await DedicatedSession.pause(delay) else { continue }
                do {
                    connection = try await session.connect()
                    if case .disconnected(let failures) = machine.state, failures > 0 {
                        logger.info("scheduler leadership: connected to PostgreSQL again")
                    }
                    action = machine.connected()
                } catch {
                    let reason = DedicatedSession.reason(error)
                    if case .disconnected(failures: 0) = machine.state {
                        logger.warning("scheduler leadership: cannot connect to PostgreSQL; retrying", metadata: ["reason": "\(reason)"])
                    }
                    action = machine.failed(reason)
                }
            case .tryLock(let delay):
                guard await DedicatedSession.pause(delay) else { continue }
                guard let open = connection else {
                    action = machine.failed("no connection")
                    continue
                }
                do {
                    let acquired = try await session.answer(on: open) { connection in
                        let rows = try await connection.query(
                            "SELECT pg_try_advisory_lock(\(self.configuration.lockKey))", logger: self.logger)
                        for try await acquired in rows.decode(Bool.self) { return acquired }
                        return false
                    }
                    action = machine.lockAnswered(acquired: acquired)
                } catch {
                    action = failed(error, &machine)
                }
            case .lead(let delay):
                let term = status.gain()
                logger.notice("became scheduler leader", metadata: ["term": "\(term.number)"])
                action = .heartbeat(after: delay)
            case .heartbeat(let delay):
                guard await DedicatedSession.pause(delay) else { continue }
                guard let open = connection else {
                    action = machine.failed("no connection")
                    continue
                }
                do {
                    try await session.check(open)
                    action = machine.heartbeatAnswered()
                } catch {
                    action = failed(error, &machine)
                }
            case .loseAndReconnect(let reason, let delay):
                // Reported before the session closes: from the server freeing the lock on, this
                // replica no longer counts itself leader.
                giveUp(reason: reason)
                await close(&connection)
                action = .connect(after: delay)
            case .reconnect(let reason, let delay):
                logger.info("scheduler leadership: connection to PostgreSQL lost; reconnecting", metadata: ["reason": "\(reason)"])
                await close(&connection)
                action = .connect(after: delay)
            case .stop(let leading):
                if leading { giveUp(reason: "stopping", level: .notice) }
                await close(&connection)
                return
            }
        }
    }

    /// What follows a failed query: stopping, when it failed because the campaign was cancelled
    /// (a stop, not a lost session), else the machine's answer to the failure.
    private func failed(_ error: any Error, _ machine: inout AdvisoryLeadershipStateMachine) -> AdvisoryLeadershipStateMachine.Action {
        Task.isCancelled ? machine.stop() : machine.failed(DedicatedSession.reason(error))
    }

    /// Reports the lead lost; a warning unless it was given up on purpose.
    private func giveUp(reason: String, level: Logger.Level = .warning) {
        guard let term = status.lose(reason: reason) else { return }
        logger.log(level: level, "lost scheduler leadership: \(reason)", metadata: ["term": "\(term.number)"])
    }

    private func close(_ connection: inout PostgresConnection?) async {
        guard let open = connection else { return }
        connection = nil
        try? await open.close()
    }
}
