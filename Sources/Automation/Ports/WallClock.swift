import Foundation
import Synchronization

/// The time source of the domain: `now()` as a `Date`, since schedules, history and
/// `dateUpdated` are calendar instants. Injected so tests control time; the domain never calls
/// `Date()` itself.
///
/// A wall clock rather than `any Clock<Duration>`: Swift's clocks measure durations, not
/// calendar instants, and cron needs the latter. The engine's sleeping (waiting for the next
/// occurrence) uses a `Clock`; only instants come from here.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The real clock: the system's time.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that says what it is told: for tests and simulations.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Sets the time.
    public func set(_ date: Date) { current.withLock { $0 = date } }

    /// Moves the time forward (or back, for a negative interval).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
