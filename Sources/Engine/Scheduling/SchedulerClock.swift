import Automation
import Foundation

/// The scheduler's time: instants from a ``WallClock`` (cron works on calendar instants) and a
/// way to sleep until one. Injected, so the scheduler's timing — due, late, missed, retried — is
/// tested on a clock the test moves, without waiting and without a broker.
public protocol SchedulerClock: WallClock {
    /// Returns at `deadline` (or at once when it passed); throws `CancellationError` if cancelled first.
    func sleep(until deadline: Date) async throws
}

extension SystemWallClock: SchedulerClock {
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSince(now())
        if interval > 0 { try await Task.sleep(for: .seconds(interval)) }
    }
}

extension Duration {
    /// The duration in seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
