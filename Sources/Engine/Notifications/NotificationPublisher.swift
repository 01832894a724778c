import AMQPClient
import Automation
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes the notifications the store's outbox holds (``ActionNotification``: CloudEvents in
/// structured mode) to the notifications exchange, persistent, and deletes each once the broker
/// confirmed it. Woken when a batch queued some or a confirm came, and every
/// ``Configuration/pollInterval`` (what a crash left, or another process queued).
///
/// A notification is published once and stays in flight until the broker answers: the connection
/// keeps an unconfirmed message across a reconnect and publishes it again itself, so a slow or
/// absent broker costs no copies here. A refusal (`basic.nack`, a closed channel) makes it eligible
/// again. At-least-once: one confirmed but not yet deleted (a crash in between) is sent again after
/// the restart, with the same message-id and CloudEvent id.
public final class NotificationPublisher: Service, Sendable {
    public struct Configuration: Sendable {
        public var exchange: String
        /// Notifications read and published at a time.
        public var batchSize: Int
        /// The most waiting for their confirms at once: past it, nothing more is read.
        public var maximumInFlight: Int
        public var pollInterval: Duration

        public init(
            exchange: String = "signalbox.notifications", batchSize: Int = 500, maximumInFlight: Int = 5000,
            pollInterval: Duration = .seconds(5)
        ) {
            self.exchange = exchange
            self.batchSize = max(1, batchSize)
            self.maximumInFlight = max(1, maximumInFlight)
            self.pollInterval = pollInterval
        }
    }

    let store: any NotificationOutboxStore
    let publisher: any PipelinePublisher
    let clock: any SchedulerClock
    let configuration: Configuration
    let logger: Logger
    private let wake = WakeSignal()
    /// Published and not yet answered, by id; and those the broker confirmed, to delete.
    private let confirms = Mutex<(inFlight: Set<String>, confirmed: [String])>(([], []))
    /// Confirmed and removed from the outbox since start.
    private let published = Atomic(0)

    public init(
        store: any NotificationOutboxStore, publisher: any PipelinePublisher, clock: any SchedulerClock, notifier: RecordedRunNotifier,
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
                await self.deleteConfirmed()
                // A full batch means there may be more: read again at once.
                if await self.publishBatch() < self.configuration.batchSize {
                    await self.wake.wait(
                        until: self.clock.now().addingTimeInterval(self.configuration.pollInterval.timeInterval), on: self.clock)
                }
            }
        }
    }

    /// Removes what the broker confirmed from the outbox (retrying while the store cannot write).
    private func deleteConfirmed() async {
        let confirmed = confirms.withLock { state in
            defer { state.confirmed.removeAll() }
            return state.confirmed
        }
        guard !confirmed.isEmpty else { return }
        let deleted: Bool? = await StoreBackoff().retrying({ try await store.deleteNotifications(ids: confirmed); return true }) { error, _ in
            logger.warning("published notifications could not be removed from the outbox; retrying", metadata: ["error": "\(error)"])
        }
        // Out of flight only once deleted: until then a read of the outbox still returns them.
        confirms.withLock { state in
            if deleted == nil {
                state.confirmed += confirmed  // cancelled: kept for the next start's deletion attempt
            } else {
                state.inFlight.subtract(confirmed)
            }
        }
        if deleted != nil {
            published.add(confirmed.count, ordering: .relaxed)
            logger.debug("notifications published", metadata: ["notifications": "\(confirmed.count)"])
        }
    }

    /// Publishes the oldest notifications not in flight; returns how many it published.
    private func publishBatch() async -> Int {
        let inFlight = confirms.withLock { $0.inFlight }
        guard inFlight.count < configuration.maximumInFlight else { return 0 }
        let pending: [ActionNotification]
        do {
            pending = try await store.pendingNotifications(limit: configuration.batchSize + inFlight.count)
                .filter { !inFlight.contains($0.id) }
        } catch {
            logger.warning("notifications could not be read; retrying", metadata: ["error": "\(error)"])
            return 0
        }
        let batch = Array(pending.prefix(configuration.batchSize))
        guard !batch.isEmpty else { return 0 }
        confirms.withLock { $0.inFlight.formUnion(batch.map(\.id)) }
        let now = clock.now()
        publisher.publish(batch.map { notification in
            AMQPOutboundMessage(
                Array(notification.body.utf8), exchange: configuration.exchange, routingKey: notification.routingKey,
                properties: AMQPProperties(
                    contentType: ActionNotification.contentType, persistent: true, messageID: notification.id, timestamp: now,
                    type: ActionNotification.type(notification.kind))
            ) { [self] result in
                switch result {
                case .success:
                    confirms.withLock { $0.confirmed.append(notification.id) }
                case .failure(let error):
                    logger.warning("a notification was not confirmed; it stays in the outbox and is published again", metadata: [
                        "notification_id": "\(notification.id)", "error": "\(error)",
                    ])
                    _ = confirms.withLock { $0.inFlight.remove(notification.id) }
                }
                wake.signal()
            }
        })
        return batch.count
    }
}
