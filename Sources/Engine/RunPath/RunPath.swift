import AMQPClient
import Automation
import Foundation
import Logging

/// DESIGN's run path, the one way every source starts actions: a ``RunBatch`` is encoded while
/// ONE store transaction records it (completions closed, history rows, schedule progress, a
/// manual-run key), durable before anything is settled; then its messages are published in one
/// hand-off, and each slot's source is told its ``SlotResult`` once the broker answered for all of
/// the slot's messages.
///
/// - A store that cannot write is retried with ``StoreBackoff`` (for the pipeline and the
///   scheduler, until it writes: the sources wait, and the pipeline takes no new deliveries
///   meanwhile); ``StoreHealth`` says why for readiness.
/// - A command the broker cannot route (no queue bound to its key) or that cannot be encoded
///   would fail the same way every time: its entry is closed `Failed` with the reason and the
///   slot is done. A refusal (`basic.nack`) or a lost connection is passing: the slot is not done
///   (``SlotResult/retryReason``) and its source runs it again with the same ids.
public struct RunPath: Sendable {
    public struct Configuration: Sendable {
        public var commandsExchange: String
        /// Publish commands `mandatory`, so an unroutable command comes back as one (and its run
        /// is recorded `Failed`) instead of being dropped by the exchange.
        public var mandatoryCommands: Bool
        public var backoff: StoreBackoff

        public init(names: BrokerNames, mandatoryCommands: Bool = true, backoff: StoreBackoff = StoreBackoff()) {
            self.commandsExchange = names.commandsExchange
            self.mandatoryCommands = mandatoryCommands
            self.backoff = backoff
        }
    }

    /// What to do when the store cannot write the batch.
    public enum Recording: Sendable {
        /// Retry with backoff until it writes; throws only `CancellationError`.
        case untilRecorded
        /// Throw the store's error (a caller that answers someone: a manual run).
        case once
    }

    let store: any RunHistoryStore
    let clock: any WallClock
    let configuration: Configuration
    let counters: PipelineCounters
    public let health: StoreHealth
    /// Where recorded requests of `webhook` items go to be sent (``HTTPRequestSender`` reads it).
    public let httpRequests: OutboundRequestQueue
    /// Told what each recorded batch changed (see ``RecordedRunNotifier``).
    public let notifier: RecordedRunNotifier
    let logger: Logger

    /// Without a sender reading `httpRequests`, recorded requests wait in the store's outbox
    /// for the next start.
    public init(
        store: any RunHistoryStore, clock: any WallClock, configuration: Configuration,
        counters: PipelineCounters = PipelineCounters(), health: StoreHealth = StoreHealth(),
        httpRequests: OutboundRequestQueue = OutboundRequestQueue(), notifier: RecordedRunNotifier = RecordedRunNotifier(),
        logger: Logger
    ) {
        self.notifier = notifier
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.counters = counters
        self.health = health
        self.httpRequests = httpRequests
        self.logger = logger
    }

    /// When a batch's messages are published: at once, or not before an instant (runs recorded
    /// ahead of their instant, so that only the publish is left when it comes).
    public struct PublishTime: Sendable {
        let instant: Date
        let wait: @Sendable () async throws -> Void

        /// At `instant` on `clock`; at once if it passed.
        public static func at(_ instant: Date, on clock: any SchedulerClock) -> PublishTime {
            PublishTime(instant: instant) { try await clock.sleep(until: instant) }
        }
    }

    /// Records `batch` and hands its messages to `publisher` (at `publishAt` when given); returns
    /// what was recorded. `settle` is called once per slot, possibly before this returns, on the
    /// connection's I/O thread or a task: it must return at once. When ``RecordedRun/heldBy`` is
    /// set (the manual-run key was taken) nothing was written or published and `settle` is not
    /// called. Cancelled while waiting for `publishAt`, it throws `CancellationError` with the
    /// batch recorded and nothing published: its source runs it again with the same ids.
    @discardableResult
    public func run(
        _ planned: RunBatch, publisher: some PipelinePublisher, recording: Recording, publishAt: PublishTime? = nil,
        settle: @escaping @Sendable (_ slot: Int, _ result: SlotResult) -> Void
    ) async throws -> RecordedRun {
        let now = max(clock.now(), publishAt?.instant ?? .distantPast)
        let exchange = configuration.commandsExchange, mandatory = configuration.mandatoryCommands
        // Encoding needs no history: it runs on the pool while the store writes on its thread.
        async let encoded = AMQPOutboundMessage.Draft.commands(
            planned.slots.map(\.commands), exchange: exchange, mandatory: mandatory, at: now)
        let (recorded, batch) = try await record(planned, at: now, recording)
        var drafts = await encoded
        if recorded.heldBy != nil { return recorded }
        if batch.slots.map(\.commands.count) != planned.slots.map(\.commands.count) {
            // Runs of deleted actions were dropped: encode what is left (rare).
            drafts = AMQPOutboundMessage.Draft.commands(batch.slots.map(\.commands), exchange: exchange, mandatory: mandatory, at: now)
        }

        var results: [SlotResult] = []
        var messages: [SlotTracker.Message] = []
        var requests: [OutboundHTTPRequest] = []
        var expected: [Int] = []
        var unencodable: [[ExecutionCompletionRequest]] = []
        var historyOffset = 0, completionOffset = 0
        for (index, slot) in batch.slots.enumerated() {
            let rows = historyOffset..<historyOffset + slot.history.count
            var result = SlotResult(entries: Array(recorded.history[rows]))
            historyOffset += slot.history.count
            result.replayed = !slot.republishesRecordedRuns && recorded.recordedBefore(rows)
            if slot.completion != nil {
                result.completion = recorded.completions[completionOffset]
                completionOffset += 1
            }
            results.append(result)
            if !slot.httpRequests.isEmpty && !result.replayed {
                // Sent while their entries are Pending: a redelivered event whose request is
                // under way or done sends nothing again (the sender skips one in flight).
                let pending = Set(result.entries.filter { $0.outcome == .pending }.map(\.processId))
                requests += slot.httpRequests.filter { pending.contains($0.processId) }
            }
            var failed: [ExecutionCompletionRequest] = []
            var count = 0
            switch drafts[index] {
            case .success where result.replayed:
                break
            case .success(let commands):
                // A run recorded before whose process has reported since (running or ended) had
                // its command delivered: publishing it again could start that process twice.
                // Only runs recorded before can have been answered: a fresh slot builds no set.
                let answered: Set<ProcessID> =
                    recorded.alreadyRecorded[rows].contains(true)
                    ? Set(zip(result.entries, recorded.alreadyRecorded[rows]).filter { $1 && $0.outcome != .pending }.map(\.0.processId))
                    : []
                for (command, draft) in zip(slot.commands, commands) where !answered.contains(command.processId) {
                    messages.append(SlotTracker.Message(slot: index, processId: command.processId, draft: draft))
                    count += 1
                }
            case .failure(let error):
                logger.error("commands could not be encoded; their runs are recorded Failed", metadata: [
                    "commands": "\(slot.commands.count)", "error": "\(error)",
                ])
                failed = slot.commands.map {
                    ExecutionCompletionRequest(processId: $0.processId, outcome: .failed, errorMessage: "\(ExecutionHistoryEntry.NotPublished.unencodable) \(error)")
                }
            }
            for draft in slot.unrecorded {
                messages.append(SlotTracker.Message(slot: index, processId: nil, draft: draft))
                count += 1
            }
            expected.append(count)
            unencodable.append(failed)
        }
        try await publishAt?.wait()
        httpRequests.send(requests)
        let tracker = SlotTracker(
            results: results, expected: expected, failed: unencodable, runPath: self, exchange: exchange, settle: settle)
        tracker.start()
        if !messages.isEmpty {
            publisher.publish(messages.map { message in
                message.draft.message { tracker.confirm(message, $0) }
            })
        }
        return recorded
    }

    /// ``run(_:publisher:recording:settle:)``, then waits up to `timeout` for the slots' results:
    /// nil for a slot the broker has not answered by then (the connection keeps its messages and
    /// still publishes them, after a reconnect if need be).
    public func runAndWait(
        _ batch: RunBatch, publisher: some PipelinePublisher, recording: Recording, publishAt: PublishTime? = nil,
        timeout: Duration
    ) async throws -> (recorded: RecordedRun, results: [SlotResult?]) {
        let barrier = ResultBarrier<SlotResult>(count: batch.slots.count)
        let recorded = try await run(batch, publisher: publisher, recording: recording, publishAt: publishAt) { [clock] in
            var result = $1
            result.settledAt = clock.now()
            barrier.deliver($0, result)
        }
        if recorded.heldBy != nil { return (recorded, []) }
        return (recorded, await barrier.results(timeout: timeout))
    }

    // MARK: Store

    /// Writes `batch` in one transaction (see ``write(_:_:attempts:)``). An action deleted while
    /// its runs were planned makes the store refuse the batch (`notFound`): its runs are dropped —
    /// nothing will run it any more — and the rest of the batch is written, so that one deletion
    /// neither fails the others nor requeues their events. Returns the batch as recorded.
    private func record(_ batch: RunBatch, at now: Date, _ recording: Recording) async throws -> (RecordedRun, RunBatch) {
        var batch = batch
        while true {
            let record = RunRecord(
                completions: batch.slots.compactMap(\.completion), history: batch.slots.flatMap(\.history),
                scheduleProgress: batch.scheduleProgress, manualRunKey: batch.manualRunKey,
                httpRequests: batch.slots.flatMap(\.httpRequests), delayedRuns: batch.slots.flatMap(\.delayedRuns),
                cancellations: batch.slots.flatMap(\.cancellations), retainedEvents: batch.slots.flatMap(\.retainedEvents), at: now)
            do {
                let recorded = try await write(record, recording)
                if !recorded.cancelledDelayedRuns.isEmpty {
                    logger.info("scheduled runs cancelled by a trigger", metadata: ["runs": "\(recorded.cancelledDelayedRuns.count)"])
                }
                return (recorded, batch)
            } catch let refusal as AutomationError where refusal.code == .notFound && !record.history.isEmpty {
                let named = Set(record.history.map(\.actionId))
                let present = try await store.existingActionIDs(named)
                guard present.count < named.count else { throw refusal }
                let absent = named.subtracting(present)
                logger.notice("actions were deleted while their runs were planned; those runs are dropped", metadata: [
                    "action_ids": "\(absent.map(\.description).sorted())",
                ])
                for index in batch.slots.indices { batch.slots[index].drop(actions: absent) }
            }
        }
    }

    /// One transaction, retried per `recording`, or until `attempts` failed in a row.
    private func write(_ record: RunRecord, _ recording: Recording, attempts limit: Int = .max) async throws -> RecordedRun {
        // A batch of foreign completions and unmatched events writes nothing: it needs no store.
        if record.isEmpty { return RecordedRun() }
        var attempts = 0
        while true {
            do {
                let recorded = try await counters.metrics.historyWriteLatency.measure { try await store.record(record) }
                storeAnswered()
                notifier.tell(recorded)
                return recorded
            } catch {
                // A rule outcome (an action deleted under a run) is not the store failing.
                if let refusal = error as? AutomationError, refusal.code != .unavailable {
                    storeAnswered()
                    throw error
                }
                if case .once = recording { throw error }
                try Task.checkCancellation()
                // Each writer backs off on its own failures; the health counts them all.
                attempts += 1
                guard attempts < limit else { throw error }
                _ = health.failed(error, at: clock.now())
                let delay = configuration.backoff.delay(afterAttempt: attempts)
                logger.log(level: attempts == 1 ? .error : .warning, "the store cannot write; holding the batch and retrying", metadata: [
                    "attempt": "\(attempts)", "retry_in": "\(delay)", "history_rows": "\(record.history.count)",
                    "completions": "\(record.completions.count)", "error": "\(error)",
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// The store wrote, or refused for a rule: it is up.
    private func storeAnswered() {
        if let failure = health.recovered() {
            logger.notice("the store writes again; resuming", metadata: [
                "failed_attempts": "\(failure.attempts)", "since": "\(failure.since.formatted(.iso8601))",
            ])
        }
    }

    /// Closes the entries of commands that will never be delivered, retrying while the store
    /// cannot write, up to 8 attempts (~25 s); nil then, and the source runs the slot again.
    func closeUndeliverable(_ requests: [ExecutionCompletionRequest]) async -> [ExecutionCompletion?]? {
        try? await write(RunRecord(completions: requests, at: clock.now()), .untilRecorded, attempts: 8).completions
    }
}
