import Automation
import Foundation

/// Where the database lives and how much history it keeps.
///
/// Retention is applied by ``SQLiteAutomationStore/applyRetention(now:)``, which whoever runs the
/// service calls periodically (the store starts no task of its own).
public struct SQLiteStoreConfiguration: Hashable, Sendable {
    /// The database file; its folder is created when missing. WAL mode adds `-wal` and `-shm`
    /// files beside it.
    public var path: String
    /// Keep at most this many newest history entries per action; nil keeps any number.
    public var keepLastPerAction: Int?
    /// Drop history entries started more than this many days ago; nil keeps them regardless of
    /// age.
    public var maxAgeDays: Int?
    /// How long a write waits for another process (the CLI creating a token while the server
    /// runs) to release the database before failing.
    public var busyTimeout: TimeInterval
    /// When a commit reaches the disk (`PRAGMA synchronous`).
    public var durability: Durability

    /// `full` syncs the WAL at every commit: a transaction is on disk when it returns, before the
    /// run path acks or answers. `normal` syncs only at checkpoints: faster, never corrupt, but a
    /// power loss can drop the last commits while their events were acked and commands sent.
    public enum Durability: String, Hashable, Sendable, CaseIterable {
        case full
        case normal
    }

    /// The retention defaults, the domain's (``RetentionPolicy``): the last 1000 runs per
    /// action, 90 days.
    public static let defaultKeepLastPerAction = RetentionPolicy().keepLastPerAction
    public static let defaultMaxAgeDays = RetentionPolicy().maximumAgeDays

    public init(
        path: String,
        keepLastPerAction: Int? = SQLiteStoreConfiguration.defaultKeepLastPerAction,
        maxAgeDays: Int? = SQLiteStoreConfiguration.defaultMaxAgeDays,
        busyTimeout: TimeInterval = 5,
        durability: Durability = .full
    ) {
        self.path = path
        self.keepLastPerAction = keepLastPerAction
        self.maxAgeDays = maxAgeDays
        self.busyTimeout = busyTimeout
        self.durability = durability
    }

    /// The retention settings as the domain's policy, for `AutomationService.pruneHistory(_:)`.
    public var retentionPolicy: RetentionPolicy {
        RetentionPolicy(keepLastPerAction: keepLastPerAction, maximumAgeDays: maxAgeDays)
    }

    /// The cut-off date for ``maxAgeDays`` at `now`, or nil when there is no age limit.
    public func startedBefore(now: Date) -> Date? {
        maxAgeDays.map { now.addingTimeInterval(-Double($0) * 86_400) }
    }
}
