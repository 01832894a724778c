import AMQPClient
import Automation
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes the notifications the store's outbox holds (``ActionNotification``: CloudEvents in
/// structured mode) to the notifications exchange, persistent, and deletes each once the broker
/// confirmed it. Woken when a batch queued some, and every ``Configuration/pollInterval``
/// (what a crash left, or another process queued). At-least-once: one confirmed but not yet
/// deleted is sent again, with the same message-id and CloudEvent id.
public final class NotificationPublisher: Service, Sendable {
    public struct Configuration: Sendable {
        public var exchange: String
        /// Notifications read and published at a time.
        public var batchSize: Int
        /// How long to wait for the broker's confirms of a batch.
        public var confirmTimeout: Duration
        public var pollInterval: Duration

        public init(
            exchange: String = "signalbox.notifications", batchSize: Int = 500, confirmTimeout: Duration = .seconds(10),
            pollInterval: Duration = .seconds(5)
        ) {
            self.exchange = exchange
            self.batchSize = max(1, batchSize)
            self.confirmTimeout = confirmTimeout
            self.pollInterval = pollInterval
        }
    }

    let store: any AutomationStore
    let publisher: any PipelinePublisher
    let clock: any SchedulerClock
    let configuration: Configuration
    let logger: Logger
    private let wake = WakeSignal()
    /// Published since start (for tests and logs).
    private let published = Atomic(0)

    public init(
        store: any AutomationStore, publisher: any PipelinePublisher, clock: any SchedulerClock, notifier: RecordedRunNotifier,
        configuration: Configuration = Configuration(), logger: Logger
    ) {
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        notifier.onNotificationsQueued { [wake] in wake.signal() }
    }

    public var publishedCount: Int { published.load(ordering: .relaxed) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Drain: a full batch means there may be more.
                while !Task.isCancelled, await self.publishBatch() == self.configuration.batchSize {}
                await self.wake.wait(
                    until: self.clock.now().addingTimeInterval(self.configuration.pollInterval.timeInterval), on: self.clock)
            }
        }
    }

    /// Publishes one batch; returns how many were read.
    private func publishBatch() async -> Int {
        let pending: [ActionNotification]
        do {
            pending = try await store.pendingNotifications(limit: configuration.batchSize)
        } catch {
            logger.warning("notifications could not be read; retrying", metadata: ["error": "\(error)"])
            return 0
        }
        guard !pending.isEmpty else { return 0 }
        let barrier = ResultBarrier<Bool>(count: pending.count)
        let now = clock.now()
        publisher.publish(pending.enumerated().map { index, notification in
            AMQPOutboundMessage(
                Array(notification.body.utf8), exchange: configuration.exchange, routingKey: notification.routingKey,
                properties: AMQPProperties(
                    contentType: ActionNotification.contentType, persistent: true, messageID: notification.id, timestamp: now,
                    type: ActionNotification.type(notification.kind))
            ) { result in
                if case .failure(let error) = result {
                    self.logger.warning("a notification was not confirmed; it stays in the outbox", metadata: [
                        "notification_id": "\(notification.id)", "error": "\(error)",
                    ])
                }
                barrier.deliver(index, (try? result.get()) != nil)
            }
        })
        let results = await barrier.results(timeout: configuration.confirmTimeout)
        let confirmed = zip(pending, results).filter { $1 == true }.map(\.0.id)
        guard !confirmed.isEmpty else { return 0 }
        _ = await StoreBackoff().retrying({ try await store.deleteNotifications(ids: confirmed) }) { error, _ in
            logger.warning("published notifications could not be removed from the outbox; retrying", metadata: ["error": "\(error)"])
        }
        published.add(confirmed.count, ordering: .relaxed)
        logger.debug("notifications published", metadata: ["notifications": "\(confirmed.count)"])
        return confirmed.count == pending.count ? pending.count : 0
    }
}
