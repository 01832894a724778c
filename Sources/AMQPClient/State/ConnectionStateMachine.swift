/// The life of a supervised connection, as a plain value that returns what to do next.
///
/// The I/O thread feeds it events (session established, connect failed, connection lost, close
/// requested) and performs the returned actions; the machine itself does no I/O, so every
/// transition is unit-tested.
struct ConnectionStateMachine: Sendable {
    enum State: Equatable, Sendable {
        /// The first connection attempt; its failure goes back to the caller of `connect`.
        case starting
        case connected
        /// Waiting before reconnect attempt `attempt` (0-based).
        case reconnecting(attempt: Int)
        case closing
        case closed
    }

    enum Action: Equatable, Sendable {
        case none
        /// Tell the caller of `connect` that the connection is up.
        case reportStarted
        /// Tell the caller of `connect` that it failed; stop.
        case failStartup
        /// Wait the backoff delay for `attempt`, then try again.
        case scheduleReconnect(attempt: Int)
        /// Open a connection and restore the session (topology, consumers, unconfirmed publishes).
        case establishSession
        /// Cancel consumers, flush acks and confirms, close channels and the connection.
        case closeGracefully
        /// Fail what is still waiting and end the I/O thread.
        case finish
    }

    private(set) var state: State = .starting
    let maximumAttempts: Int?

    init(maximumAttempts: Int? = nil) {
        self.maximumAttempts = maximumAttempts
    }

    mutating func sessionEstablished() -> Action {
        switch state {
        case .starting:
            state = .connected
            return .reportStarted
        case .reconnecting:
            state = .connected
            return .none
        case .connected, .closing, .closed:
            return .none
        }
    }

    mutating func connectFailed() -> Action {
        switch state {
        case .starting:
            state = .closed
            return .failStartup
        case .reconnecting(let attempt):
            if let maximumAttempts, attempt + 1 >= maximumAttempts {
                state = .closed
                return .finish
            }
            state = .reconnecting(attempt: attempt + 1)
            return .scheduleReconnect(attempt: attempt + 1)
        case .connected, .closing, .closed:
            return .none
        }
    }

    mutating func connectionLost() -> Action {
        switch state {
        case .connected:
            state = .reconnecting(attempt: 0)
            return .scheduleReconnect(attempt: 0)
        case .closing:
            state = .closed
            return .finish
        case .starting, .reconnecting, .closed:
            return .none
        }
    }

    mutating func reconnectDelayElapsed() -> Action {
        guard case .reconnecting = state else { return .none }
        return .establishSession
    }

    mutating func closeRequested() -> Action {
        switch state {
        case .connected:
            state = .closing
            return .closeGracefully
        case .starting, .reconnecting:
            state = .closed
            return .finish
        case .closing, .closed:
            return .none
        }
    }

    mutating func closeCompleted() -> Action {
        guard state == .closing else { return .none }
        state = .closed
        return .finish
    }
}
