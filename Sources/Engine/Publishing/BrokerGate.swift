import AMQPClient
import Automation
import Synchronization

/// Whether a publisher's messages can leave now.
public enum BrokerReachability: Sendable, Hashable {
    case reachable
    /// Why not, in words for logs and error bodies (the connection's last error).
    case unreachable(reason: String)
}

extension AMQPConnection {
    public var reachability: BrokerReachability {
        switch state {
        case .connected: .reachable
        case .reconnecting(let reason): .unreachable(reason: reason)
        case .closing: .unreachable(reason: "the broker connection is closing")
        case .closed(let reason): .unreachable(reason: "the broker connection is closed: \(reason)")
        }
    }
}

/// Backpressure at the door of the run path: while the broker is away nothing new is recorded
/// or queued for it, so memory stays flat however long the outage lasts.
///
/// Someone waiting (a manual run, a webhook call) waits up to `wait` for the broker to come
/// back, then is refused with 503 and the reason; nothing was recorded, so a retry is clean.
/// At most `maximumWaiting` callers wait at once; more are refused at once. Background sources
/// (schedules, delayed runs) wait as long as it takes with ``waitUntilReachable(while:)``, and
/// decide what fell due meanwhile by their missed-run policy.
public final class BrokerGate: Sendable {
    private let publisher: any PipelinePublisher
    private let wait: Duration
    private let maximumWaiting: Int
    private let pollInterval: Duration
    private let waiting = Atomic(0)
    private let refused = Atomic(0)
    private let onRefused: @Sendable () -> Void

    public init(publisher: any PipelinePublisher, wait: Duration = .seconds(5), maximumWaiting: Int = 1_000,
                pollInterval: Duration = .milliseconds(50), onRefused: @escaping @Sendable () -> Void = {}) {
        self.publisher = publisher
        self.onRefused = onRefused
        self.wait = wait
        self.maximumWaiting = max(0, maximumWaiting)
        self.pollInterval = pollInterval
    }

    /// Runs refused because the broker stayed away, since start.
    public var refusedCount: Int { refused.load(ordering: .relaxed) }

    /// Returns once the broker is reachable; throws ``AutomationError/unavailable(_:)`` naming
    /// why when it is not within the wait, or when too many already wait.
    public func admit(_ what: String) async throws {
        guard case .unreachable = publisher.reachability else { return }
        let admitted = waiting.add(1, ordering: .relaxed).newValue
        defer { waiting.subtract(1, ordering: .relaxed) }
        let deadline = ContinuousClock.now.advanced(by: wait)
        while case .unreachable(let reason) = publisher.reachability {
            if admitted > maximumWaiting || ContinuousClock.now >= deadline {
                refused.add(1, ordering: .relaxed)
                onRefused()
                let waited = admitted > maximumWaiting ? "\(maximumWaiting) requests already wait for it" : "waited \(wait)"
                throw AutomationError.unavailable(
                    "the message broker is unreachable (\(reason)); \(waited); \(what) was not recorded: retry later")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Returns once the broker is reachable, or when `shouldGoOn` turns false or the task is cancelled.
    public func waitUntilReachable(while shouldGoOn: () -> Bool) async {
        while case .unreachable = publisher.reachability, shouldGoOn(), !Task.isCancelled {
            try? await Task.sleep(for: pollInterval)
        }
    }
}
