/// The advisory-lock campaign as a plain value that returns what to do next: connect, ask for
/// the lock, heartbeat while leading, give the lead up on the first failure, reconnect with
/// backoff. ``PostgresAdvisoryLeadership`` performs the actions; the machine does no I/O, so
/// every transition is unit-tested.
///
/// Any failure while leading ends the lead at once: the lock belongs to the session, and a
/// session that cannot answer a heartbeat may already be gone on the server's side, the lock
/// with it. Giving up first and asking again on a new session keeps two leaders from overlapping
/// longer than it takes the old one to notice.
struct AdvisoryLeadershipStateMachine: Sendable {
    enum State: Equatable, Sendable {
        /// No connection; `failures` connection attempts in a row failed.
        case disconnected(failures: Int)
        /// Connected, the lock held by another session.
        case following
        /// Connected, the lock held by this session.
        case leading
        case stopped
    }

    enum Action: Equatable, Sendable {
        /// Wait `delay`, then open the dedicated connection.
        case connect(after: Duration)
        /// Wait `delay`, then ask for the lock without waiting for it (`pg_try_advisory_lock`).
        case tryLock(after: Duration)
        /// Report the lead gained; heartbeat after `delay`.
        case lead(heartbeatAfter: Duration)
        /// Wait `delay`, then check that the session still answers.
        case heartbeat(after: Duration)
        /// Report the lead lost for `reason`, close the connection, connect again after `delay`.
        case loseAndReconnect(reason: String, after: Duration)
        /// Close the connection, lost for `reason`, and connect again after `delay`.
        case reconnect(reason: String, after: Duration)
        /// Report the lead lost if `leading`, close the connection (the server frees the lock
        /// with the session), end the campaign.
        case stop(leading: Bool)
    }

    struct Timing: Equatable, Sendable {
        /// How often a follower asks for the lock: the takeover time after a leader's session ends.
        var pollInterval: Duration = .seconds(1)
        /// How often the leader checks its session.
        var heartbeatInterval: Duration = .seconds(1)
        /// The first pause before reconnecting, doubled after each failed attempt…
        var initialReconnectDelay: Duration = .milliseconds(250)
        /// …up to this.
        var maximumReconnectDelay: Duration = .seconds(2)
    }

    private(set) var state: State = .disconnected(failures: 0)
    let timing: Timing

    init(timing: Timing = Timing()) {
        self.timing = timing
    }

    mutating func start() -> Action {
        guard case .disconnected = state else { return stop() }
        return .connect(after: .zero)
    }

    mutating func connected() -> Action {
        guard case .disconnected = state else { return stop() }
        state = .following
        return .tryLock(after: .zero)
    }

    mutating func lockAnswered(acquired: Bool) -> Action {
        guard state == .following else { return stop() }
        guard acquired else { return .tryLock(after: timing.pollInterval) }
        state = .leading
        return .lead(heartbeatAfter: timing.heartbeatInterval)
    }

    mutating func heartbeatAnswered() -> Action {
        guard state == .leading else { return stop() }
        return .heartbeat(after: timing.heartbeatInterval)
    }

    /// A connection attempt, a lock request or a heartbeat failed (an error, or no answer in time).
    mutating func failed(_ reason: String) -> Action {
        switch state {
        case .disconnected(let failures):
            state = .disconnected(failures: failures + 1)
            return .connect(after: reconnectDelay(afterFailures: failures + 1))
        case .following:
            state = .disconnected(failures: 1)
            return .reconnect(reason: reason, after: reconnectDelay(afterFailures: 1))
        case .leading:
            state = .disconnected(failures: 1)
            return .loseAndReconnect(reason: reason, after: reconnectDelay(afterFailures: 1))
        case .stopped:
            return .stop(leading: false)
        }
    }

    mutating func stop() -> Action {
        let leading = state == .leading
        state = .stopped
        return .stop(leading: leading)
    }

    /// The pause after `failures` failed attempts in a row: the initial delay doubled each time,
    /// at most the maximum.
    func reconnectDelay(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures, 1) - 1, 16)
        return min(timing.maximumReconnectDelay, timing.initialReconnectDelay * (1 << doublings))
    }
}
