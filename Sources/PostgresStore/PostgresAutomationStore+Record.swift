import Automation
import Foundation
import JSONPath
import PostgresNIO

// MARK: Recording runs

extension PostgresAutomationStore {
    public func record(_ batch: RunRecord) async throws -> RecordedRun {
        guard !batch.isEmpty else { return RecordedRun() }
        return try await transaction { [self] connection in
            let writer = RunWriter(connection: connection, logger: logger)
            if let key = batch.manualRunKey, let holder = try await writer.claim(key) {
                return RecordedRun(heldBy: holder)
            }
            let completing = try await writer.firstEntries(batch.completions)
            try await writer.lock(for: batch, completing: completing)
            var closed: [RunWriter.ClosedEntry?] = []
            for (request, row) in zip(batch.completions, completing) { closed.append(try await writer.close(request, row, at: batch.at)) }
            let (history, alreadyRecorded) = try await writer.insert(batch.history)
            let inserted = zip(history, alreadyRecorded).filter { !$1 }.map(\.0)
            try await writer.storeInOutbox(batch.httpRequests, inserted: inserted)
            // Entries recorded closed that end a run: a retry that did not run, an item of a
            // sequence that could not be planned. (Nearly every batch has none.)
            var ended: [RunWriter.ClosedEntry] = []
            for entry in inserted where entry.outcome == .failed || entry.outcome == .skipped {
                let followUp = try await writer.followUp(entry.actionId)
                guard CompletionFollowUp.endsRetriedRun(entry) || followUp.endsSequence(entry) else { continue }
                ended.append(try await writer.count(finalEntry: entry, followUp, at: batch.at))
            }
            try await writer.retain(batch.retainedEvents, for: inserted, at: batch.at)
            try await Self.recordScheduleProgress(batch.scheduleProgress, on: connection, logger: logger)
            var recorded = RecordedRun(completions: closed.map { $0?.completion }, history: history, alreadyRecorded: alreadyRecorded)
            let followUps = closed.compactMap { $0 } + ended
            recorded.pausedActions = followUps.compactMap(\.paused)
            recorded.queuedNotifications = followUps.reduce(0) { $0 + $1.notifications }
            // Stored, then cancelled: an alert and its acknowledgement in one batch cancel.
            recorded.insertedDelayedRuns = try await writer.insertDelayedRuns(batch.delayedRuns)
            recorded.cancelledDelayedRuns = try await writer.cancelDelayedRuns(batch.cancellations, at: batch.at)
            return recorded
        }
    }
}

/// The writes of ``PostgresAutomationStore/record(_:)`` (and of the other methods that share
/// them), inside its transaction; one writer per transaction.
final class RunWriter {
    let connection: PostgresConnection
    let logger: Logger
    /// What the closes of this transaction read of each action: read once (a batch closes many
    /// entries of few actions), its status kept as this transaction changes it.
    private var followUps: [ActionID: CompletionFollowUp] = [:]

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    // MARK: Locks

    /// Takes the batch's locks up front in the store's order — its actions by id, then the hourly
    /// statistics rows it will count in by key — so that replicas recording batches at once
    /// queue instead of deadlocking. The rows are created at zero if missing (the reads of the
    /// statistics skip zeros).
    func lock(for batch: RunRecord, completing: [HistoryRow?]) async throws {
        let open = zip(batch.completions, completing).compactMap { request, row in
            row.flatMap { $0.entry.outcome.isOpen ? (entry: $0.entry, outcome: request.outcome) : nil }
        }
        let actions =
            open.map(\.entry.actionId) + batch.history.map(\.actionId) + batch.delayedRuns.map(\.actionId)
            + batch.cancellations.map(\.actionId) + batch.scheduleProgress.map(\.actionId)
        let tenants = try await PostgresAutomationStore.lockActions(actions, on: connection, logger: logger)

        var runs = Set<RunCount>()
        var failures = Set<FailureCount>()
        func counts(_ entry: ExecutionHistoryEntry, _ outcome: ExecutionOutcome) {
            guard let tenant = tenants[entry.actionId] else { return }
            let hour = RunHour.of(entry.dateStarted)
            runs.insert(RunCount(tenant: tenant.rawValue, hour: hour, outcome: outcome.rawValue))
            if outcome == .failed { failures.insert(FailureCount(actionId: entry.actionId.rawValue, tenant: tenant.rawValue, hour: hour)) }
        }
        for (entry, outcome) in open {
            counts(entry, entry.outcome)
            counts(entry, outcome)
        }
        for entry in batch.history { counts(entry, entry.outcome) }
        try await lockCounts(runs: runs, failures: failures)
    }

    private struct RunCount: Hashable, Comparable {
        var tenant: String
        var hour: Int64
        var outcome: String
        static func < (a: Self, b: Self) -> Bool { (a.tenant, a.hour, a.outcome) < (b.tenant, b.hour, b.outcome) }
    }

    private struct FailureCount: Hashable, Comparable {
        var actionId: UUID
        var tenant: String
        var hour: Int64
        static func < (a: Self, b: Self) -> Bool { (a.actionId.uuidString, a.hour) < (b.actionId.uuidString, b.hour) }
    }

    /// Locks (creating at zero) the counter rows, each table in key order.
    private func lockCounts(runs: Set<RunCount>, failures: Set<FailureCount>) async throws {
        if !runs.isEmpty {
            let keys = runs.sorted()
            try await connection.query(
                """
                INSERT INTO runs_by_hour AS counted (tenant_id, hour, outcome, runs)
                SELECT tenant, hour, outcome, 0
                FROM unnest(\(keys.map(\.tenant))::text[], \(keys.map(\.hour))::int8[], \(keys.map(\.outcome))::text[])
                    WITH ORDINALITY AS k(tenant, hour, outcome, position)
                ORDER BY position
                ON CONFLICT (tenant_id, hour, outcome) DO UPDATE SET runs = counted.runs
                """, logger: logger)
        }
        if !failures.isEmpty {
            let keys = failures.sorted()
            try await connection.query(
                """
                INSERT INTO failures_by_hour AS counted (action_id, tenant_id, hour, failures)
                SELECT action_id, tenant, hour, 0
                FROM unnest(\(keys.map(\.actionId))::uuid[], \(keys.map(\.tenant))::text[], \(keys.map(\.hour))::int8[])
                    WITH ORDINALITY AS k(action_id, tenant, hour, position)
                WHERE EXISTS (SELECT 1 FROM automated_action a WHERE a.id = k.action_id)
                ORDER BY position
                ON CONFLICT (action_id, hour) DO UPDATE SET failures = counted.failures
                """, logger: logger)
        }
    }

    // MARK: Manual-run keys

    /// Stores `key` unless a live key of the same text holds the action already; returns that
    /// one. One statement: concurrent claims of one key meet in the primary key, and only an
    /// expired key is replaced.
    func claim(_ key: ManualRunKey) async throws -> ManualRunKey? {
        let claimed = try await connection.changes(
            """
            INSERT INTO manual_run_key AS held (tenant_id, action_id, key, event_id, created_at)
            VALUES (\(key.tenantId.rawValue), \(key.actionId.rawValue), \(key.key), \(key.eventId), \(key.createdAt))
            ON CONFLICT (tenant_id, action_id, key) DO UPDATE SET event_id = EXCLUDED.event_id, created_at = EXCLUDED.created_at
                WHERE held.created_at <= EXCLUDED.created_at - make_interval(secs => \(ManualRunKey.lifetime))
            RETURNING 1
            """, logger: logger)
        guard claimed == 0 else { return nil }
        return try await PostgresAutomationStore.manualRunKey(key.key, actionId: key.actionId, tenant: key.tenantId, on: connection, logger: logger)
    }

    // MARK: History rows

    /// Inserts the rows whose idempotency key is new (the schema refuses the others); returns
    /// each row as stored, and whether it was there before.
    func insert(_ entries: [ExecutionHistoryEntry]) async throws -> ([ExecutionHistoryEntry], [Bool]) {
        guard !entries.isEmpty else { return ([], []) }
        let existing = Set(try await connection.query(
            "SELECT id FROM automated_action WHERE id = ANY(\(Array(Set(entries.map(\.actionId.rawValue)))))", logger: logger
        ).decode(UUID.self).collect())
        if let missing = entries.first(where: { !existing.contains($0.actionId.rawValue) }) {
            throw AutomationError.notFound("action \(missing.actionId) does not exist")
        }
        var inserted = Set(try await connection.query(HistoryRow.insertUnlessRecorded(entries), logger: logger).decode(UUID.self).collect())
        // An entry was inserted when its id came back, the first time it stands in `entries`.
        let isNew = entries.map { inserted.remove($0.id.rawValue) != nil }
        let skipped = zip(entries, isNew).filter { !$1 }.map(\.0.idempotencyKey)
        var earlier: [ExecutionKey: ExecutionHistoryEntry] = [:]
        if !skipped.isEmpty {
            for row in try await connection.query(HistoryRow.byKeys(skipped), logger: logger).stored(table: HistoryRow.table, HistoryRow.init) {
                earlier[row.entry.idempotencyKey] = row.entry
            }
        }
        var stored: [ExecutionHistoryEntry] = []
        var existed: [Bool] = []
        for (entry, new) in zip(entries, isNew) {
            if new {
                stored.append(entry)
                existed.append(false)
            } else if let row = earlier[entry.idempotencyKey] {
                stored.append(row)
                existed.append(true)
            } else {
                // Unreachable: the conflict that skipped the insert is a row holding the key.
                throw PostgresStoreError.corruptValue(table: HistoryRow.table, column: "source_event_id", reason: "no row holds the key")
            }
        }
        return (stored, existed)
    }

    /// Keeps the requests whose entries this batch inserted until those entries close.
    func storeInOutbox(_ requests: [OutboundHTTPRequest], inserted entries: [ExecutionHistoryEntry]) async throws {
        guard !requests.isEmpty else { return }
        let inserted = Set(entries.map(\.processId))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for request in requests where inserted.contains(request.processId) {
            let text = String(decoding: try encoder.encode(request), as: UTF8.self)
            try await connection.query(
                """
                INSERT INTO http_outbox (process_id, action_id, request) VALUES (\(request.processId.rawValue), \(request.actionId.rawValue), \(text))
                ON CONFLICT (process_id) DO NOTHING
                """, logger: logger)
        }
    }

    /// For each request, the first entry recorded for its process (in insertion order), of an
    /// action of the request's tenant when it names one: all in one statement, read before the
    /// batch's locks (a close then changes only an entry still open).
    func firstEntries(_ requests: [ExecutionCompletionRequest]) async throws -> [HistoryRow?] {
        guard !requests.isEmpty else { return [] }
        var byProcess: [ProcessID: [(tenant: String, row: HistoryRow)]] = [:]
        for (tenant, row) in try await connection.query(
            """
            SELECT h.*, a.tenant_id AS action_tenant FROM execution_history h JOIN automated_action a ON a.id = h.action_id
            WHERE h.process_id = ANY(\(Array(Set(requests.map(\.processId.rawValue)))))
            ORDER BY h.sequence
            """, logger: logger
        ).stored(table: HistoryRow.table, { row in (try row.value("action_tenant", as: String.self), try HistoryRow(row)) }) {
            byProcess[row.entry.processId, default: []].append((tenant, row))
        }
        return requests.map { request in
            byProcess[request.processId]?.first { candidate in request.tenantId.map { $0.rawValue == candidate.tenant } ?? true }?.row
        }
    }

    /// The first entry recorded for `processId` (in insertion order), of an action of `tenant` when given.
    func firstEntry(_ processId: ProcessID, tenant: TenantID?) async throws -> HistoryRow? {
        try await connection.query(
            """
            SELECT h.* FROM execution_history h JOIN automated_action a ON a.id = h.action_id
            WHERE h.process_id = \(processId.rawValue) AND (\(tenant?.rawValue)::text IS NULL OR a.tenant_id = \(tenant?.rawValue))
            ORDER BY h.sequence LIMIT 1
            """, logger: logger
        ).first(table: HistoryRow.table, HistoryRow.init)
    }

    // MARK: Completions

    /// A closed entry and what else its close did.
    struct ClosedEntry {
        var completion: ExecutionCompletion
        var paused: ActionNotification.Action?
        var notifications = 0
    }

    /// Closes the pending entry of the request's process (of the request's tenant, when it names
    /// one) and does what ``CompletionFollowUp`` decides: a retry stored, or the action's
    /// counters moved, the action paused, notifications queued. Nil when there is no such entry.
    func close(_ request: ExecutionCompletionRequest, _ found: HistoryRow?, at date: Date) async throws -> ClosedEntry? {
        guard let row = found, row.entry.outcome.isOpen else { return nil }
        if request.outcome == .running {
            // Started: marks a Pending entry, nothing more (no counters, no follow-ups).
            if row.entry.outcome == .pending {
                try await connection.query(
                    """
                    UPDATE execution_history SET outcome = 'Running', date_running = \(date)
                    WHERE sequence = \(row.sequence) AND outcome = 'Pending'
                    """, logger: logger)
            }
            return nil
        }
        let followUp = try await followUp(row.entry.actionId)
        // Most actions neither retry nor run in sequence: their close is their count, one statement.
        if !followUp.usesKeptEvents { return try await closeAndCount(row, request, followUp, at: date) }
        // Closes only an entry still open (it was read before the batch's locks: another writer
        // may have closed it since), and returns it as it now stands.
        let closed = try await connection.query(
            """
            UPDATE execution_history SET outcome = \(request.outcome.rawValue), date_completed = \(date),
                error_message = \(request.errorMessage), result = \(request.result?.jsonText)
            WHERE sequence = \(row.sequence) AND outcome IN ('Pending', 'Running')
            RETURNING *
            """, logger: logger
        ).first(table: HistoryRow.table, HistoryRow.init)
        guard let closed else { return nil }
        let entry = try await closedAsGiven(closed.entry, request, at: date)
        // Most actions keep no events: their closes (one per finished process) look none up.
        let kept = followUp.usesKeptEvents ? try await retainedEvent(entry.run) : nil
        // A sequence (few actions) reads its action: which item is next, what it is called.
        var next: CompletionFollowUp.SequenceNext?
        if followUp.execution == .sequential, let action = try await sequenceAction(entry.actionId) {
            next = followUp.sequenceStep(
                after: entry, origin: try await origin(of: entry), action: action, previous: request.eventBody, event: kept, at: date)
        }
        if kept != nil {
            // A sequence keeps its event for its next item.
            if case .step = next {} else { try await forgetEventIfDone(entry) }
        }
        switch next {
        case .step(let step):
            // Not counted: a sequential run counts once, at its end.
            let counters = try await counters(entry.actionId)
            let inserted = try await insertDelayedRuns([step])
            return ClosedEntry(completion: ExecutionCompletion(
                entry: entry, totalExecutions: counters.total, consecutiveFailures: counters.consecutiveFailures, step: inserted.first))
        case .stopped(let rest):
            _ = try await insert(rest)
        case nil:
            break
        }
        if followUp.retries(entry),
            let retry = followUp.retry(
                of: entry, payload: kept, previous: try await previousCompletion(followUp.previousCarrier(of: entry)),
                itemName: try await itemName(entry.actionId, entry.itemIndex), at: date)
        {
            // Not counted: the run counts once, by its last attempt.
            let counters = try await counters(entry.actionId)
            let inserted = try await insertDelayedRuns([retry])
            return ClosedEntry(completion: ExecutionCompletion(
                entry: entry, totalExecutions: counters.total, consecutiveFailures: counters.consecutiveFailures, retry: inserted.first))
        }
        return try await count(finalEntry: entry, followUp, at: date)
    }

    /// Closes the entry of `row` if still open and counts it on its action, in one statement: the
    /// close of an action without retries or sequence, which always counts.
    private func closeAndCount(
        _ row: HistoryRow, _ request: ExecutionCompletionRequest, _ followUp: CompletionFollowUp, at date: Date
    ) async throws -> ClosedEntry? {
        let closed = try await connection.query(
            """
            WITH closed AS (
                UPDATE execution_history SET outcome = \(request.outcome.rawValue), date_completed = \(date),
                    error_message = \(request.errorMessage), result = \(request.result?.jsonText)
                WHERE sequence = \(row.sequence) AND outcome IN ('Pending', 'Running')
                RETURNING *),
            counted AS (
                UPDATE automated_action
                SET total_executions = total_executions + 1,
                    consecutive_failures = CASE WHEN \(request.outcome != .success) THEN consecutive_failures + 1 ELSE 0 END
                WHERE id = \(row.entry.actionId.rawValue) AND EXISTS (SELECT 1 FROM closed)
                RETURNING total_executions, consecutive_failures)
            SELECT closed.*, counted.total_executions AS counted_total, counted.consecutive_failures AS counted_failures
            FROM closed LEFT JOIN counted ON true
            """, logger: logger
        ).first(table: HistoryRow.table) { row in
            (entry: try HistoryRow(row).entry, total: try row.value("counted_total", as: Int?.self),
             failures: try row.value("counted_failures", as: Int?.self))
        }
        guard let closed else { return nil }
        guard let total = closed.total, let failures = closed.failures else {
            // Unreachable: the entry's action exists (a foreign key). Undo the close.
            throw AutomationError.notFound("action \(row.entry.actionId) does not exist")
        }
        let entry = try await closedAsGiven(closed.entry, request, at: date)
        return try await counted(entry, followUp, counters: (total, failures), at: date)
    }

    /// `entry` as the close wrote it, with the values as given rather than as they read back (an
    /// instant to the microsecond, a result reparsed); a `webhook` item's request leaves the outbox.
    private func closedAsGiven(_ entry: ExecutionHistoryEntry, _ request: ExecutionCompletionRequest, at date: Date) async throws -> ExecutionHistoryEntry {
        var entry = entry
        entry.dateCompleted = date
        entry.result = request.result
        if entry.processType == .webhook {
            try await connection.query("DELETE FROM http_outbox WHERE process_id = \(entry.processId.rawValue)", logger: logger)
        }
        return entry
    }

    /// The action's counters as they stand, for a close that does not count (the run goes on).
    private func counters(_ actionId: ActionID) async throws -> (total: Int, consecutiveFailures: Int) {
        for try await counters in try await connection.query(
            "SELECT total_executions, consecutive_failures FROM automated_action WHERE id = \(actionId.rawValue)", logger: logger
        ).decode((Int, Int).self) {
            return counters
        }
        return (0, 0)
    }

    /// Counts the run `entry` ended (its last attempt) on the action, pauses the action when its
    /// failures reached the threshold, and queues the notifications asked for.
    func count(finalEntry entry: ExecutionHistoryEntry, _ followUp: CompletionFollowUp, at date: Date) async throws -> ClosedEntry {
        var counters: (total: Int, failures: Int)?
        for try await row in try await connection.query(
            """
            UPDATE automated_action
            SET total_executions = total_executions + 1,
                consecutive_failures = CASE WHEN \(entry.outcome != .success) THEN consecutive_failures + 1 ELSE 0 END
            WHERE id = \(entry.actionId.rawValue)
            RETURNING total_executions, consecutive_failures
            """, logger: logger
        ).decode((Int, Int).self) {
            counters = row
        }
        guard let counters else {
            // Unreachable: the entry's action exists (a foreign key). Undo the close.
            throw AutomationError.notFound("action \(entry.actionId) does not exist")
        }
        return try await counted(entry, followUp, counters: counters, at: date)
    }

    /// What follows the count of the run `entry` ended: the action paused when its failures
    /// reached the threshold, the notifications asked for queued.
    private func counted(
        _ entry: ExecutionHistoryEntry, _ followUp: CompletionFollowUp, counters: (total: Int, failures: Int), at date: Date
    ) async throws -> ClosedEntry {
        let (total, failures) = counters
        let pausedReason = followUp.pauseReason(after: entry, consecutiveFailures: failures)
        if let pausedReason {
            try await connection.query(
                """
                UPDATE automated_action SET status = 'paused', paused_reason = \(pausedReason), paused_at = \(date), next_scheduled_run_at = NULL
                WHERE id = \(entry.actionId.rawValue) AND status = 'active'
                """, logger: logger)
            if followUps[entry.actionId]?.status == .active { followUps[entry.actionId]?.status = .paused }
        }
        let notifications = followUp.notifications(closing: entry, counters: (total, failures), pausedReason: pausedReason, at: date)
        try await queue(notifications, at: date)
        return ClosedEntry(
            completion: ExecutionCompletion(
                entry: entry, totalExecutions: total, consecutiveFailures: failures, pausedAction: pausedReason != nil),
            paused: pausedReason != nil ? followUp.action : nil, notifications: notifications.count)
    }

    /// The action of a sequential entry, its items as stored (schedules and triggers left out).
    private func sequenceAction(_ actionId: ActionID) async throws -> AutomatedAction? {
        try await connection.query(
            "SELECT \(unescaped: ActionRow.columns) FROM automated_action a WHERE a.id = \(actionId.rawValue)", logger: logger
        ).first(table: ActionRow.table, ActionRow.action)
    }

    /// The first attempt of `entry`'s item (the end of its `retryOf` chain), whose event and
    /// trigger are those of its run.
    private func origin(of entry: ExecutionHistoryEntry) async throws -> ExecutionHistoryEntry {
        var current = entry
        for _ in 0...RetryPolicy.maximumRetries {
            guard let earlier = current.retryOf,
                let found = try await connection.query(
                    "SELECT * FROM execution_history WHERE id = \(earlier.rawValue) LIMIT 1", logger: logger
                ).first(table: HistoryRow.table, HistoryRow.init)
            else { break }
            current = found.entry
        }
        return current
    }

    /// The name of the action's item at `index` (read from the JSON, not decoded), nil if none.
    private func itemName(_ actionId: ActionID, _ index: Int) async throws -> String? {
        for try await name in try await connection.query(
            "SELECT (items::json -> \(index)::int) ->> 'name' FROM automated_action WHERE id = \(actionId.rawValue)", logger: logger
        ).decode(String?.self) {
            return name
        }
        return nil
    }

    /// The action's identity, status and policies, as the close of one of its entries reads them.
    func followUp(_ actionId: ActionID) async throws -> CompletionFollowUp {
        if let known = followUps[actionId] { return known }
        let followUp = try await connection.query(
            "SELECT tenant_id, namespace, name, status, policies, execution FROM automated_action WHERE id = \(actionId.rawValue)",
            logger: logger
        ).first(table: ActionRow.table) { row in
            CompletionFollowUp(
                action: ActionNotification.Action(
                    id: actionId, tenantId: TenantID(rawValue: try row.value("tenant_id")),
                    namespace: NamespaceName(rawValue: try row.value("namespace")), name: try row.value("name")),
                status: try row.enumeration("status"), policies: try row.optionalJSON("policies") ?? FailurePolicies(),
                execution: try row.enumeration("execution"))
        }
        guard let followUp else { throw AutomationError.notFound("action \(actionId) does not exist") }
        followUps[actionId] = followUp
        return followUp
    }

    // MARK: Retained events

    /// Keeps the events retries will need, once per action and event, for runs this batch
    /// inserted with Pending entries (a redelivered event keeps nothing again).
    func retain(_ events: [RetainedEvent], for inserted: [ExecutionHistoryEntry], at date: Date) async throws {
        guard !events.isEmpty else { return }
        let runs = Set(inserted.filter { $0.outcome == .pending }.map(\.run))
        for event in events where runs.contains(event.run) {
            try await connection.query(
                """
                INSERT INTO run_event (action_id, source_event_id, body, created_at)
                SELECT \(event.actionId.rawValue), \(event.sourceEventId), \(event.body.jsonText), \(date)
                WHERE EXISTS (SELECT 1 FROM automated_action WHERE id = \(event.actionId.rawValue))
                ON CONFLICT (action_id, source_event_id) DO NOTHING
                """, logger: logger)
        }
    }

    /// Drops the kept event of `entry`'s run once none of its entries is Pending: a retry carries
    /// its own copy.
    private func forgetEventIfDone(_ entry: ExecutionHistoryEntry) async throws {
        try await connection.query(
            """
            DELETE FROM run_event WHERE action_id = \(entry.actionId.rawValue) AND source_event_id = \(entry.sourceEventId)
                AND NOT EXISTS (SELECT 1 FROM execution_history
                    WHERE action_id = \(entry.actionId.rawValue) AND date_started = \(entry.dateStarted)
                        AND source_event_id = \(entry.sourceEventId) AND outcome IN ('Pending', 'Running'))
            """, logger: logger)
    }

    /// The completion `$fromPrevious` read in the delayed run `carrier`; nil when there is none,
    /// it was pruned, or its row does not decode (the retry then reads no previous value).
    private func previousCompletion(_ carrier: DelayedRunID?) async throws -> JSONValue? {
        guard let carrier else { return nil }
        let targets = try await connection.query("SELECT retry, step FROM delayed_run WHERE id = \(carrier.rawValue)", logger: logger)
            .first(table: DelayedRunRow.table) { row in
                (try? row.optionalJSON("retry", as: RetryTarget.self), try? row.optionalJSON("step", as: StepTarget.self))
            }
        guard let targets else { return nil }
        return targets.0?.previous ?? targets.1?.previous
    }

    private func retainedEvent(_ run: RunKey) async throws -> JSONValue? {
        guard
            let text = try await connection.strings(
                "SELECT body FROM run_event WHERE action_id = \(run.actionId.rawValue) AND source_event_id = \(run.sourceEventId)",
                logger: logger
            ).first
        else { return nil }
        return try StoredJSON.parse(text, table: "run_event", column: "body")
    }

    // MARK: Notifications and delayed runs

    private func queue(_ notifications: [ActionNotification], at date: Date) async throws {
        for notification in notifications {
            try await connection.query(
                """
                INSERT INTO notification_outbox (id, kind, body, created_at)
                VALUES (\(notification.id), \(notification.kind.rawValue), \(notification.body), \(date))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger)
        }
    }

    /// Stores the runs triggers scheduled, unless stored before (the same id: a redelivery) or
    /// their action is gone; returns those stored.
    func insertDelayedRuns(_ runs: [DelayedRun]) async throws -> [DelayedRunDue] {
        var inserted: [DelayedRunDue] = []
        for run in runs {
            let stored = try await connection.changes(
                """
                INSERT INTO delayed_run (id, tenant_id, action_id, key, due_at, status, payload, date_created, retry, step)
                SELECT \(run.id.rawValue), \(run.tenantId.rawValue), \(run.actionId.rawValue), \(run.key), \(run.dueAt), 'scheduled',
                    \(run.payload?.jsonText), \(run.dateCreated), \(try run.retry.map(StoredJSON.text)), \(try run.step.map(StoredJSON.text))
                WHERE EXISTS (SELECT 1 FROM automated_action WHERE id = \(run.actionId.rawValue))
                ON CONFLICT (id) DO NOTHING
                RETURNING 1
                """, logger: logger)
            if stored > 0 { inserted.append(run.due) }
        }
        return inserted
    }

    /// Cancels the scheduled, unclaimed runs each cancellation names; returns their ids.
    func cancelDelayedRuns(_ cancellations: [DelayedRunCancellation], at date: Date) async throws -> [DelayedRunID] {
        var cancelled: [DelayedRunID] = []
        for cancellation in cancellations {
            for try await id in try await connection.query(
                """
                UPDATE delayed_run SET status = 'cancelled', cancelled_at = \(date)
                WHERE action_id = \(cancellation.actionId.rawValue) AND tenant_id = \(cancellation.tenantId.rawValue)
                    AND key = \(cancellation.key) AND status = 'scheduled' AND claimed_at IS NULL
                RETURNING id
                """, logger: logger
            ).decode(UUID.self) {
                cancelled.append(DelayedRunID(rawValue: id))
            }
        }
        return cancelled
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func collect() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
