import AMQPClient
import Automation
import Logging
import ServiceLifecycle
import Synchronization

/// Consumes the events queue batch by batch through the ``EventPipeline`` and keeps the trigger
/// index fresh.
///
/// Graceful shutdown: the consumer is cancelled (the broker stops delivering, what was delivered
/// is still processed), the in-flight confirms and their acks are awaited up to `drainTimeout`;
/// the connection is closed after this service by ``ConnectionService`` (it waits for the last
/// settlements, bounded by its own shutdown timeout). Anything left unsettled is requeued by the
/// broker.
public struct PipelineService: Service {
    private let connection: AMQPConnection
    private let pipeline: EventPipeline
    private let triggers: TriggerIndexProvider
    private let queue: String
    private let prefetch: UInt16
    private let refreshInterval: Duration
    private let drainTimeout: Duration
    private let logger: Logger

    public init(
        connection: AMQPConnection, pipeline: EventPipeline, triggers: TriggerIndexProvider, queue: String,
        prefetch: UInt16, refreshInterval: Duration = .milliseconds(500), drainTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.connection = connection
        self.pipeline = pipeline
        self.triggers = triggers
        self.queue = queue
        self.prefetch = prefetch
        self.refreshInterval = refreshInterval
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    public func run() async throws {
        if let index = try await triggers.refresh() {
            logger.info("trigger index built", metadata: ["triggers": "\(index.count)", "skipped": "\(index.skipped.count)"])
        }
        let consumer = try await connection.consume(queue: queue, prefetch: prefetch)
        logger.info("consuming events", metadata: ["queue": "\(queue)", "prefetch": "\(prefetch)"])
        let connection = self.connection, drainTimeout = self.drainTimeout
        let batches = BatchTasks()
        // However the loop ends, no batch outlives the service.
        defer { batches.cancelAll() }
        do {
            try await withThrowingDiscardingTaskGroup { group in
                let triggers = self.triggers, interval = refreshInterval, logger = self.logger
                group.addTask { await triggers.run(every: interval, logger: logger) }
                try await withGracefulShutdownHandler {
                    // Two batches in flight: the next one is read, matched, planned and encoded
                    // while the store writes this one's history (the writes stay one at a time).
                    // A completion cannot overtake the history of its own start: that start's
                    // command is published only after its history is written.
                    var previous: Task<Void, Never>?
                    for try await batch in consumer.batches {
                        let current = batches.track {
                            let report = await pipeline.process(batch, publisher: connection)
                            logger.debug("batch", metadata: [
                                "deliveries": "\(report.deliveries)", "matched": "\(report.matched)",
                                "commands": "\(report.commands)", "poison": "\(report.poison)",
                                "unknown_type": "\(report.unknownType)", "completed": "\(report.completed)",
                                "requeued": "\(report.requeued)",
                            ])
                        }
                        await previous?.value
                        previous = current
                    }
                    await previous?.value
                } onGracefulShutdown: {
                    Task {
                        do { try await consumer.cancel() } catch { connection.beginClose() }
                    }
                    // A batch still held (the store cannot write) is given up after the drain
                    // timeout, even if the broker does not answer the cancel: it is requeued.
                    Task {
                        try? await Task.sleep(for: drainTimeout)
                        batches.cancelAll()
                    }
                }
                group.cancelAll()
            }
        } catch {
            logger.error("event consumption failed", metadata: ["error": "\(error)"])
            await drain()
            throw error
        }
        await drain()
        logger.info("event consumer stopped", metadata: ["counts": "\(pipeline.counters.snapshot)"])
    }

    /// Waits until every delivery handed to the pipeline is settled, or `drainTimeout` passed.
    private func drain() async {
        if await !pipeline.counters.unsettled.waitUntilIdle(timeout: drainTimeout) {
            logger.warning("shutdown with unconfirmed events; the broker redelivers them", metadata: [
                "in_flight": "\(pipeline.counters.inFlight)",
            ])
        }
    }
}

/// The batch tasks in flight, so that shutdown can cancel one the store holds.
private final class BatchTasks: Sendable {
    private let tasks = Mutex<[Int: Task<Void, Never>]>([:])
    private let nextID = Atomic(0)

    func track(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let task = Task {
            await body()
            _ = self.tasks.withLock { $0.removeValue(forKey: id) }
        }
        tasks.withLock { $0[id] = task }
        return task
    }

    func cancelAll() {
        for task in tasks.withLock({ Array($0.values) }) { task.cancel() }
    }
}
