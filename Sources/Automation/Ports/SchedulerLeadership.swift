/// Whether this replica is the one that fires schedules and delayed runs. Several replicas share
/// one store; if two fired, every occurrence would be published twice. The scheduler waits to
/// lead before it loads anything, checks its term before each occurrence fires, and drops its
/// queues when the term ends.
///
/// Implementations: ``SoleSchedulerLeadership`` (one process owns the store: it always leads),
/// ``SchedulerLeadershipState`` (told by whoever campaigns: a test, or the PostgreSQL store's
/// advisory-lock campaign).
public protocol SchedulerLeadership: Sendable {
    /// Leader or follower now: for `/health/ready` and metrics.
    var role: SchedulerRole { get }

    /// Returns once this replica leads (at once when it does), with the term it leads in.
    /// Throws `CancellationError` when cancelled first.
    func waitUntilLeading() async throws -> LeadershipTerm

    /// Returns once `term` has ended (at once when it has), with why, for logs. Throws
    /// `CancellationError` when cancelled first.
    func waitUntilLost(_ term: LeadershipTerm) async throws -> String

    /// Whether `term` still holds: cheap, checked before anything fires.
    func holds(_ term: LeadershipTerm) -> Bool
}

/// A replica's part in firing schedules.
public enum SchedulerRole: String, Hashable, Sendable {
    /// Fires schedules and delayed runs.
    case leader
    /// Waits to lead; serves everything else.
    case follower
}

/// One uninterrupted period of leading. Numbered so that a term that ended is never mistaken for
/// the next one: work started in term 3 is dropped once term 3 is over, even if term 4 began.
public struct LeadershipTerm: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let number: Int

    public init(_ number: Int) { self.number = number }

    public static func < (lhs: LeadershipTerm, rhs: LeadershipTerm) -> Bool { lhs.number < rhs.number }

    public var description: String { "term \(number)" }
}
