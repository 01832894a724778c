import Automation
import ServiceLifecycle

/// Follows a shared store's ``StoreChangeFeed`` while the service runs: `observer` (the scheduler
/// and the trigger index) hears of changes committed through other replicas as they commit, and
/// compares itself with the store whenever the feed starts listening (again).
public struct StoreChangeFollower: Service {
    private let feed: any StoreChangeFeed
    private let observer: any DefinitionChangeObserver

    public init(feed: any StoreChangeFeed, observer: any DefinitionChangeObserver) {
        self.feed = feed
        self.observer = observer
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [feed, observer] in try await feed.follow(observer) }
    }
}
