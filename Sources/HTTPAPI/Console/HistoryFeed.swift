import Automation
import Foundation
import ServiceLifecycle
import Synchronization

/// Fans out history entries as they are recorded or closed to the live streams of the web
/// console (`GET /history/stream`).
///
/// Bounded by design: each subscriber gets an `AsyncStream` that keeps at most
/// ``bufferPerSubscriber`` entries (the newest; older ones are dropped and counted), so a slow or
/// stalled client costs a fixed amount of memory and never slows the writer, which only yields
/// under a lock. At most ``maximumSubscribers`` streams are open at once. The feed carries every
/// tenant's entries: each stream filters them by its caller's tenant (``HistoryStream``).
///
/// It is a `Service` whose only work is to close at a graceful shutdown: every stream ends then
/// and no new one starts, so the HTTP server, which waits for its open responses, can stop.
/// Run it in the same group as the server, after it (services stop in reverse order).
public final class HistoryFeed: Service, Sendable {
    public static let bufferPerSubscriber = 256
    public static let maximumSubscribers = 64

    /// One subscriber's entries and how many it missed.
    public struct Subscription: Sendable {
        public let id: Int
        public let entries: AsyncStream<ExecutionHistoryEntry>
        let dropped: DropCounter
    }

    private struct State {
        var next = 0
        var closed = false
        var subscribers: [Int: (continuation: AsyncStream<ExecutionHistoryEntry>.Continuation, dropped: DropCounter)] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Subscribes; nil when ``maximumSubscribers`` streams are open. Cancel with ``unsubscribe(_:)``.
    public func subscribe() -> Subscription? {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ExecutionHistoryEntry.self, bufferingPolicy: .bufferingNewest(Self.bufferPerSubscriber))
        let dropped = DropCounter()
        let id: Int? = state.withLock { state in
            guard !state.closed, state.subscribers.count < Self.maximumSubscribers else { return nil }
            state.next += 1
            state.subscribers[state.next] = (continuation, dropped)
            return state.next
        }
        guard let id else {
            continuation.finish()
            return nil
        }
        return Subscription(id: id, entries: stream, dropped: dropped)
    }

    public func unsubscribe(_ subscription: Subscription) {
        let removed = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        removed?.continuation.finish()
    }

    /// Waits for a graceful shutdown (or cancellation), then ends every stream: ``close()``.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Ends every subscription and refuses new ones.
    public func close() {
        let ended = state.withLock { state in
            state.closed = true
            defer { state.subscribers = [:] }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in ended { continuation.finish() }
    }

    /// Open subscriptions (for tests and metrics).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Hands what a recorded batch changed — the entries it added (not those recorded before) and
    /// those it closed — to every subscriber; costs nothing while no stream is open.
    public func publish(_ recorded: RecordedRun) {
        guard subscriberCount > 0 else { return }
        let added = zip(recorded.history, recorded.alreadyRecorded).filter { !$0.1 }.map(\.0)
        publish(added + recorded.completions.compactMap { $0?.entry })
    }

    /// Hands `entries` to every subscriber; never waits.
    public func publish(_ entries: [ExecutionHistoryEntry]) {
        guard !entries.isEmpty else { return }
        state.withLock { state in
            for subscriber in state.subscribers.values {
                for entry in entries {
                    if case .dropped = subscriber.continuation.yield(entry) { subscriber.dropped.value.add(1, ordering: .relaxed) }
                }
            }
        }
    }
}

/// How many entries a subscriber missed, shared by the feed and the stream that reads them.
final class DropCounter: Sendable {
    let value = Atomic<Int>(0)
}

extension HistoryFeed.Subscription {
    /// Entries dropped so far because the subscriber read too slowly; reset to zero.
    func takeDropped() -> Int { dropped.value.exchange(0, ordering: .relaxed) }
}
