import Automation
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Testing

/// Scheduler leadership by advisory lock against the real server of `scripts/test.sh`: two
/// campaigns on one database, as two replicas, each on a session named after it so a third
/// connection can find it and end it.
@Suite("PostgreSQL scheduler leadership", .enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct AdvisoryLeadershipTests {
    /// The takeover the issue asks for, after the leader's session ends.
    static let takeoverBound = Duration.seconds(5)
    /// How long any wait may take before the test gives up: a hang guard, not a timing.
    static let hangGuard = Duration.seconds(30)

    /// One replica's campaign, running until stopped.
    struct Contender: Sendable {
        let name: String
        let leadership: PostgresAdvisoryLeadership
        let campaign: Task<Void, any Error>

        init(_ name: String, _ configuration: PostgresStoreConfiguration) {
            var settings = PostgresAdvisoryLeadership.Configuration()
            settings.session.applicationName = name
            let leadership = PostgresAdvisoryLeadership(store: configuration, configuration: settings, logger: TestDatabase.logger)
            self.name = name
            self.leadership = leadership
            campaign = Task { try await leadership.run() }
        }

        var leads: Bool { leadership.role == .leader }

        func stop() async {
            campaign.cancel()
            _ = try? await campaign.value
        }
    }

    /// How long `condition` took to hold, polled every 20 ms; nil if it did not within the hang guard.
    static func timeUntil(_ condition: () async throws -> Bool) async rethrows -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < hangGuard {
            if try await condition() { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Starts two contenders and waits until one leads and the other was refused the lock (so
    /// the follower polls, and a takeover is measured from a steady state); returns (leader, follower).
    static func twoContenders(_ configuration: PostgresStoreConfiguration) async throws -> (Contender, Contender) {
        let first = Contender("signalbox-test-leadership-a", configuration)
        let second = Contender("signalbox-test-leadership-b", configuration)
        let steady = try await TestDatabase.withClient(configuration) { client in
            try await timeUntil {
                guard first.leads || second.leads else { return false }
                let follower = first.leads ? second : first
                return try await TestDatabase.integer(
                    """
                    SELECT count(*)::int FROM pg_stat_activity WHERE application_name = \(follower.name)
                    AND datname = current_database() AND query LIKE '%pg_try_advisory_lock%'
                    """, on: client) == 1
            }
        }
        guard steady != nil else {
            await first.stop()
            await second.stop()
            throw TestFailure("no steady leader and follower within \(hangGuard)")
        }
        return first.leads ? (first, second) : (second, first)
    }

    /// The one of the two that leads, when exactly one does.
    static func soleLeader(_ first: Contender, _ second: Contender) -> Contender? {
        first.leads == second.leads ? nil : first.leads ? first : second
    }

    /// Words for a log line: which of the two leads after the first one lost its session.
    static func whoLeads(_ former: Contender, _ follower: Contender) -> String {
        follower.leads ? "the follower" : former.leads ? "the former leader, on a new session," : "nobody"
    }

    /// The application names of the sessions holding an advisory lock on the test's database.
    static func lockHolders(_ client: PostgresClient) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY 1
            """, logger: TestDatabase.logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    @Test func theLockKeyIsDerivedFromItsName() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                let derived = try await TestDatabase.integer(
                    "SELECT ('x' || left(encode(sha256('signalbox-scheduler'::bytea), 'hex'), 16))::bit(64)::bigint", on: client)
                #expect(Int64(derived) == PostgresAdvisoryLeadership.schedulerLockKey)
            }
        }
    }

    @Test func theDedicatedSessionIsNamedAndBoundsHowLongADeadPeerGoesUnnoticed() async throws {
        try await TestDatabase.withDatabase { configuration in
            var settings = PostgresAdvisoryLeadership.Configuration()
            settings.session.applicationName = "signalbox-test-settings"
            let leadership = PostgresAdvisoryLeadership(store: configuration, configuration: settings, logger: TestDatabase.logger)
            let connection = try await leadership.session.connect()
            var shown: [String: String] = [:]
            for name in ["application_name", "statement_timeout", "tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout"] {
                for try await value in try await connection.query("SELECT current_setting(\(name))", logger: TestDatabase.logger).decode(String.self) {
                    shown[name] = value
                }
            }
            try await connection.close()
            #expect(shown == [
                "application_name": "signalbox-test-settings", "statement_timeout": "2s", "tcp_keepalives_idle": "1",
                "tcp_keepalives_interval": "1", "tcp_keepalives_count": "3", "tcp_user_timeout": "4000",
            ])
        }
    }

    @Test func ofTwoContendersOnOneDatabaseExactlyOneLeads() async throws {
        try await TestDatabase.withDatabase { configuration in
            let (leader, follower) = try await Self.twoContenders(configuration)
            // Several of the follower's polls: it keeps following. (Under load a heartbeat can
            // time out and the lead change hands; then still exactly one leads.)
            try await Task.sleep(for: .seconds(2.5))
            var holders: [String] = []
            let one = try await TestDatabase.withClient(configuration) { client in
                try await Self.timeUntil {
                    holders = try await Self.lockHolders(client)
                    return Self.soleLeader(leader, follower).map { holders == [$0.name] } ?? false
                }
            }
            #expect(one != nil, "one session holds the lock, the leader's: \(holders), \(Self.whoLeads(leader, follower)) leads")
            await follower.stop()
            await leader.stop()
            #expect(!leader.leads, "a stopped campaign does not lead")
        }
    }

    @Test func endingTheLeadersSessionHandsTheLeadToTheOtherWithinFiveSeconds() async throws {
        try await TestDatabase.withDatabase { configuration in
            let (leader, follower) = try await Self.twoContenders(configuration)
            let term = try await leader.leadership.waitUntilLeading()
            try await TestDatabase.withClient(configuration) { client in
                let ended = try await TestDatabase.integer(
                    """
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                    WHERE application_name = \(leader.name) AND datname = current_database()
                    """, on: client)
                #expect(ended == 1)
            }
            // Both measured from the termination. Either may win the freed lock: the former
            // leader campaigns again on a new session as soon as it notices.
            async let takingOver = Self.timeUntil { follower.leads || (leader.leads && !leader.leadership.holds(term)) }
            async let noticing = Self.timeUntil { !leader.leadership.holds(term) }
            let (takeover, noticed) = await (takingOver, noticing)
            print("leadership takeover after pg_terminate_backend: \(takeover.map { "\($0)" } ?? "none") by \(Self.whoLeads(leader, follower)), loss noticed after \(noticed.map { "\($0)" } ?? "never")")
            let gap = try #require(takeover, "nobody led within \(Self.hangGuard)")
            #expect(gap < Self.takeoverBound, "takeover took \(gap)")
            #expect(noticed != nil, "the former leader reports its loss")
            let reason = try await leader.leadership.waitUntilLost(term)
            #expect(!reason.isEmpty)
            // Some polls later: still one leader, holding the lock on its one session.
            try await Task.sleep(for: .seconds(1.5))
            let sole = try #require(Self.soleLeader(leader, follower), "\(Self.whoLeads(leader, follower)) leads")
            let holders = try await TestDatabase.withClient(configuration) { client in try await Self.lockHolders(client) }
            #expect(holders == [sole.name])
            await leader.stop()
            await follower.stop()
        }
    }

    /// A session that stops answering (its server process frozen with SIGSTOP, as a hung
    /// network would leave it): the leader gives the lead up by its heartbeat's timeout, and once
    /// the server ends that session the other takes over. On a server of the test's own: a frozen
    /// backend of the shared one stalls other tests' `CREATE`/`DROP DATABASE`, which wait for
    /// every backend to answer a barrier. Needs root and the server's binaries (CI has both).
    @Test(.enabled(if: PrivatePostgresServer.canStart || TestDatabase.isCI, PrivatePostgresServer.skipReason))
    func aLeaderWhoseSessionHangsGivesTheLeadUp() async throws {
        let server = try await PrivatePostgresServer()
        do {
            try await Self.freezeTheLeadersSession(on: try PostgresStoreConfiguration(url: server.url), server)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    private static func freezeTheLeadersSession(on configuration: PostgresStoreConfiguration, _ server: PrivatePostgresServer) async throws {
        let (leader, follower) = try await twoContenders(configuration)
        let term = try await leader.leadership.waitUntilLeading()
        let backend = try await TestDatabase.withClient(configuration) { client in
            try await TestDatabase.integer("SELECT pid FROM pg_stat_activity WHERE application_name = \(leader.name)", on: client)
        }
        #expect(kill(pid_t(backend), SIGSTOP) == 0, "froze the leader's server process \(backend)")
        let noticed = await timeUntil { !leader.leadership.holds(term) }
        // Thawed, the server process finds the leader's socket closed and ends the session.
        let thawed = ContinuousClock.now
        kill(pid_t(backend), SIGCONT)
        // Either may win the released lock: the former leader campaigns again on a new session
        // and polls like the follower, so whoever asks first after the release leads.
        let takeover = await timeUntil { follower.leads || leader.leads }
        print("a hung leader session: loss noticed after \(noticed.map { "\($0)" } ?? "never"), \(whoLeads(leader, follower)) leads \(takeover.map { "\($0)" } ?? "never") after the thaw (\(ContinuousClock.now - thawed))")
        #expect(noticed != nil, "the leader gives the lead up without an answer")
        #expect(takeover != nil, "\(server.log.suffix(2_000))")
        #expect(try await leader.leadership.waitUntilLost(term).contains("did not answer"))
        #expect(!leader.leadership.holds(term), "the frozen session's term stays lost")
        let holders = try await TestDatabase.withClient(configuration) { client in try await lockHolders(client) }
        #expect(holders == [soleLeader(leader, follower)?.name ?? "none"], "one session holds the lock: the new leader's")
        await leader.stop()
        await follower.stop()
    }

    @Test func stoppingTheLeaderHandsTheLeadToTheOther() async throws {
        try await TestDatabase.withDatabase { configuration in
            let (leader, follower) = try await Self.twoContenders(configuration)
            let stopped = ContinuousClock.now
            await leader.stop()
            #expect(!leader.leads)
            // Measured from the moment the stop began, the stop's own time included.
            let takeover = await Self.timeUntil { follower.leads }.map { _ in ContinuousClock.now - stopped }
            print("leadership takeover after stopping the leader: \(takeover.map { "\($0)" } ?? "none") since the stop began")
            let gap = try #require(takeover, "the follower did not lead within \(Self.hangGuard)")
            #expect(gap < Self.takeoverBound, "takeover took \(gap)")
            await follower.stop()
        }
    }
}
