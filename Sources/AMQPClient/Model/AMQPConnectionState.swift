/// Where a connection's supervisor is, for health checks: readable from any thread.
public enum AMQPConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// A session is established: publishes and consumers run.
    case connected
    /// The session was lost or a connection attempt failed; the supervisor retries with backoff.
    /// `reason` is the last error.
    case reconnecting(reason: String)
    /// `close()` was called: consumers are cancelled and in-flight confirms awaited.
    case closing
    /// Closed for good (by the application, or the supervisor gave up); `reason` says which.
    case closed(reason: String)

    public var description: String {
        switch self {
        case .connected: "connected"
        case .reconnecting(let reason): "reconnecting: \(reason)"
        case .closing: "closing"
        case .closed(let reason): "closed: \(reason)"
        }
    }
}
