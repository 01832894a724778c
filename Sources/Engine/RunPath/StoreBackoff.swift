import Foundation
import Synchronization

/// How long to wait before writing again to a store that failed: exponential from
/// ``initial`` to ``maximum``, with jitter, so replicas and sources that failed together do not
/// retry in step.
public struct StoreBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The pause after the `attempt`-th failure in a row (1-based): the exponential step
    /// `initial × 2^(attempt-1)`, plus up to half of it at random, within ``initial`` …
    /// ``maximum``. `unit` in 0..<1 is the random draw.
    public func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        let doublings = min(max(attempt, 1) - 1, 30)
        let step = min(maximum, initial * (1 << doublings))
        return min(maximum, step + (step / 2) * min(max(unit, 0), 1))
    }

    /// ``delay(afterAttempt:unit:)`` with a random draw.
    public func delay(afterAttempt attempt: Int) -> Duration {
        delay(afterAttempt: attempt, unit: Double.random(in: 0..<1))
    }

    /// Runs `operation` until it succeeds, telling `failed` of each error (and how many in a row)
    /// and pausing as ``delay(afterAttempt:)`` says; nil once the task is cancelled. For store
    /// calls that nothing waits on but that must not be dropped.
    func retrying<T: Sendable>(
        _ operation: () async throws -> T, failed: (_ error: any Error, _ attempt: Int) -> Void
    ) async -> T? {
        var attempt = 0
        while !Task.isCancelled {
            do {
                return try await operation()
            } catch {
                attempt += 1
                failed(error, attempt)
                do { try await Task.sleep(for: delay(afterAttempt: attempt)) } catch { return nil }
            }
        }
        return nil
    }
}

/// Whether the run path's store is writing, for `/health/ready` and the logs: the last write error
/// while writes keep failing, nil once one succeeds.
public final class StoreHealth: Sendable {
    public struct Failure: Sendable, Hashable {
        /// The store's error, as logged.
        public var error: String
        /// Failed writes in a row.
        public var attempts: Int
        /// When the first of them failed.
        public var since: Date
    }

    private let state = Mutex<Failure?>(nil)

    public init() {}

    /// The current failure; nil while the store writes.
    public var failure: Failure? { state.withLock { $0 } }

    /// Counts a failed write; returns how many failed in a row.
    func failed(_ error: any Error, at now: Date) -> Int {
        state.withLock { failure in
            var next = failure ?? Failure(error: "", attempts: 0, since: now)
            next.error = "\(error)"
            next.attempts += 1
            failure = next
            return next.attempts
        }
    }

    /// A write succeeded; returns the failure it ends, if any.
    func recovered() -> Failure? {
        state.withLock { failure in
            defer { failure = nil }
            return failure
        }
    }
}
