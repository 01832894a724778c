import Automation
import Foundation
import GRDB
import JSONPath

// MARK: History

extension SQLiteAutomationStore {
    /// Inserts a row unless one holds its idempotency key (the unique index of migration v16):
    /// any number of writers may record one run, a single row exists, and each learns from the
    /// change count whether it was the one that inserted it.
    private static let insertHistorySQL = """
        INSERT INTO executionHistory (\(HistoryRecord.insertColumns.joined(separator: ", ")))
        VALUES (\(HistoryRecord.insertColumns.map { _ in "?" }.joined(separator: ", ")))
        ON CONFLICT (sourceEventId, ifnull(triggerId, ''), itemIndex) DO NOTHING
        """

    /// The row holding an idempotency key (through the unique index).
    private static let historyByKeySQL = """
        SELECT * FROM executionHistory
        WHERE sourceEventId = ? AND ifnull(triggerId, '') = ? AND itemIndex = ?
        """

    private static func keyArguments(_ key: ExecutionKey) -> StatementArguments {
        [key.sourceEventId, key.triggerId?.description ?? "", key.itemIndex]
    }

    public func record(_ batch: RunRecord) async throws -> RecordedRun {
        guard !batch.isEmpty else { return RecordedRun() }
        return try await writer.write { db in
            if let key = batch.manualRunKey, let holder = try Self.claim(db, key) {
                return RecordedRun(heldBy: holder)
            }
            let closed = try batch.completions.map { try Self.close(db, $0, at: batch.at) }
            let (history, alreadyRecorded) = try Self.insert(db, batch.history)
            let inserted = zip(history, alreadyRecorded).filter { !$1 }.map(\.0)
            try Self.storeInOutbox(db, batch.httpRequests, inserted: inserted)
            // Entries recorded closed that end a run: a retry that did not run, an item of a
            // sequence that could not be planned. (Nearly every batch has none.)
            let ended = try inserted.filter { $0.outcome == .failed || $0.outcome == .skipped }.compactMap { entry -> ClosedEntry? in
                let followUp = try Self.followUp(db, actionId: entry.actionId)
                guard CompletionFollowUp.endsRetriedRun(entry) || followUp.endsSequence(entry) else { return nil }
                return try Self.count(db, finalEntry: entry, followUp, at: batch.at)
            }
            try Self.retain(db, batch.retainedEvents, for: inserted, at: batch.at)
            try Self.recordScheduleProgress(db, batch.scheduleProgress)
            var recorded = RecordedRun(completions: closed.map { $0?.completion }, history: history, alreadyRecorded: alreadyRecorded)
            let followUps = closed.compactMap { $0 } + ended
            recorded.pausedActions = followUps.compactMap(\.paused)
            recorded.queuedNotifications = followUps.reduce(0) { $0 + $1.notifications }
            // Stored, then cancelled: an alert and its acknowledgement in one batch cancel.
            recorded.insertedDelayedRuns = try Self.insertDelayedRuns(db, batch.delayedRuns)
            recorded.cancelledDelayedRuns = try Self.cancelDelayedRuns(db, batch.cancellations, at: batch.at)
            return recorded
        }
    }

    /// Inserts the rows whose idempotency key is new (the schema refuses the others, see
    /// ``insertHistorySQL``); returns each row as stored, and whether it was there before.
    private static func insert(_ db: Database, _ entries: [ExecutionHistoryEntry]) throws -> ([ExecutionHistoryEntry], [Bool]) {
        guard !entries.isEmpty else { return ([], []) }
        // One prepared statement for every check: a batch of scheduled runs names thousands
        // of actions, and compiling a query per action cost more than the inserts.
        let exists = try db.cachedStatement(sql: "SELECT 1 FROM automatedAction WHERE id = ?")
        var known: Set<ActionID> = []
        for entry in entries where !known.contains(entry.actionId) {
            guard try Int.fetchOne(exists, arguments: [entry.actionId.description]) != nil else {
                throw AutomationError.notFound("action \(entry.actionId) does not exist")
            }
            known.insert(entry.actionId)
        }
        let lookup = try db.cachedStatement(sql: Self.historyByKeySQL)
        let insert = try db.cachedStatement(sql: Self.insertHistorySQL)
        var stored: [ExecutionHistoryEntry] = []
        var existed: [Bool] = []
        stored.reserveCapacity(entries.count)
        existed.reserveCapacity(entries.count)
        for entry in entries {
            try insert.execute(arguments: HistoryRecord.insertArguments(entry))
            if db.changesCount > 0 {
                stored.append(entry)
                existed.append(false)
                continue
            }
            // The key was held: the row holding it is the one recorded.
            let key = entry.idempotencyKey
            guard let existing = try HistoryRecord.fetchOne(lookup, arguments: Self.keyArguments(key)) else {
                // Unreachable: the conflict that skipped the insert is a row holding the key.
                throw SQLiteStoreError.corruptValue(table: "executionHistory", column: "sourceEventId", reason: "no row holds the key \(key)")
            }
            stored.append(existing.entry)
            existed.append(true)
        }
        return (stored, existed)
    }

    /// Keeps the requests whose entries this batch inserted until those entries close.
    private static func storeInOutbox(_ db: Database, _ requests: [OutboundHTTPRequest], inserted entries: [ExecutionHistoryEntry]) throws {
        guard !requests.isEmpty else { return }  // the batch of nearly every event: nothing to collect
        let inserted = Set(entries.map(\.processId))
        let insert = try db.cachedStatement(sql: """
            INSERT INTO httpOutbox (processId, actionId, request) VALUES (?, ?, ?) ON CONFLICT (processId) DO NOTHING
            """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for request in requests where inserted.contains(request.processId) {
            let text = String(decoding: try encoder.encode(request), as: UTF8.self)
            try insert.execute(arguments: [request.processId.description, request.actionId.description, text])
        }
    }

    /// Stores `key` unless a live key of the same text holds the action already; returns that one.
    private static func claim(_ db: Database, _ key: ManualRunKey) throws -> ManualRunKey? {
        if let held = try fetchManualRunKey(db, key.key, actionId: key.actionId, tenant: key.tenantId), held.isLive(at: key.createdAt) {
            return held
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO manualRunKey (tenantId, actionId, key, eventId, createdAt) VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [key.tenantId.rawValue, key.actionId.description, key.key, key.eventId, StoredDate.value(key.createdAt)])
        return nil
    }

    private static func fetchManualRunKey(_ db: Database, _ key: String, actionId: ActionID, tenant: TenantID) throws -> ManualRunKey? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT eventId, createdAt FROM manualRunKey WHERE tenantId = ? AND actionId = ? AND key = ?",
                arguments: [tenant.rawValue, actionId.description, key])
        else { return nil }
        let created: Double = row["createdAt"]
        return ManualRunKey(tenantId: tenant, actionId: actionId, key: key, eventId: row["eventId"], createdAt: StoredDate.date(created))
    }

    public func existingActionIDs(_ ids: Set<ActionID>) async throws -> Set<ActionID> {
        guard !ids.isEmpty else { return [] }
        return try await writer.read { db in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM automatedAction WHERE id = ?")
            return try ids.filter { try Int.fetchOne(exists, arguments: [$0.description]) != nil }
        }
    }

    public func manualRunKey(_ key: String, actionId: ActionID, tenant: TenantID) async throws -> ManualRunKey? {
        try await writer.read { db in try Self.fetchManualRunKey(db, key, actionId: actionId, tenant: tenant) }
    }

    public func pruneManualRunKeys(createdBefore: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM manualRunKey WHERE createdAt < ?", arguments: [StoredDate.value(createdBefore)])
            return db.changesCount
        }
    }

    public func history(keys: [ExecutionKey], actionId: ActionID) async throws -> [ExecutionHistoryEntry] {
        guard !keys.isEmpty else { return [] }
        return try await writer.read { db in
            let lookup = try db.cachedStatement(sql: Self.historyByKeySQL)
            return try keys.compactMap { key in
                try HistoryRecord.fetchOne(lookup, arguments: Self.keyArguments(key))?.entry
            }.filter { $0.actionId == actionId }
        }
    }

    public func forgetHistory(keys: [ExecutionKey], actionId: ActionID) async throws {
        guard !keys.isEmpty else { return }
        try await writer.write { db in
            let delete = try db.cachedStatement(sql: """
                DELETE FROM executionHistory
                WHERE sourceEventId = ? AND ifnull(triggerId, '') = ? AND itemIndex = ? AND actionId = ?
                RETURNING dateStarted, outcome
                """)
            // A forgotten run never happened (the broker refused it): unlike a pruned one, it
            // leaves the hourly counts its row's triggers added (migration v13).
            let uncountRun = try db.cachedStatement(sql: """
                UPDATE runsByHour SET runs = runs - 1
                WHERE tenantId = (SELECT tenantId FROM automatedAction WHERE id = ?1) AND hour = CAST(?2 / 3600 AS INTEGER) AND outcome = ?3
                """)
            let uncountFailure = try db.cachedStatement(sql: """
                UPDATE failuresByHour SET failures = failures - 1 WHERE actionId = ?1 AND hour = CAST(?2 / 3600 AS INTEGER)
                """)
            for key in keys {
                let rows = try Row.fetchAll(delete, arguments: Self.keyArguments(key) + [actionId.description])
                for row in rows {
                    let started: Double = row["dateStarted"], outcome: String = row["outcome"]
                    try uncountRun.execute(arguments: [actionId.description, started, outcome])
                    if outcome == ExecutionOutcome.failed.rawValue { try uncountFailure.execute(arguments: [actionId.description, started]) }
                }
            }
            // A forgotten entry's request has nothing to close.
            try Self.deleteOrphanedOutboxRows(db)
        }
    }

    public func history(actionId: ActionID, page: PageRequest) async throws -> Page<ExecutionHistoryEntry> {
        try await history(actionId: actionId, filter: HistoryFilter(), page: page)
    }

    public func history(actionId: ActionID, filter: HistoryFilter, page: PageRequest) async throws -> Page<ExecutionHistoryEntry> {
        let cursor = try page.cursor.map { text throws(AutomationError) in try InstantCursor(parsing: text) }
        let limit = max(0, page.limit)
        return try await writer.read { db in
            var sql = "SELECT * FROM executionHistory WHERE actionId = ?"
            var arguments: StatementArguments = [actionId.description]
            if let outcome = filter.outcome {
                sql += " AND outcome = ?"
                arguments += [outcome.rawValue]
            }
            if let triggerType = filter.triggerType {
                sql += " AND triggerType = ?"
                arguments += [triggerType.rawValue]
            }
            if let cursor {
                sql += " AND (dateStarted < ? OR (dateStarted = ? AND sequence < ?))"
                arguments += [cursor.seconds, cursor.seconds, cursor.sequence]
            }
            sql += " ORDER BY dateStarted DESC, sequence DESC LIMIT ?"
            arguments += [limit + 1]
            let records = try HistoryRecord.fetchAll(db, sql: sql, arguments: arguments)
            let items = records.prefix(limit)
            let next =
                records.count > limit
                ? items.last.map { InstantCursor($0.entry.dateStarted, sequence: $0.sequence).text } : nil
            return Page(items: items.map(\.entry), nextCursor: next)
        }
    }

    public func historyEntry(processId: ProcessID) async throws -> ExecutionHistoryEntry? {
        try await writer.read { db in
            try Self.firstEntry(db, processId: processId)?.entry
        }
    }

    /// Closes the pending entry of the request's process (of the request's tenant, when it names
    /// one) and does what ``CompletionFollowUp`` decides: a retry stored, or the action's
    /// counters moved, the action paused, notifications queued. Nil when there is no such entry.
    private static func close(_ db: Database, _ request: ExecutionCompletionRequest, at date: Date) throws -> ClosedEntry? {
        let found =
            try request.tenantId.map { try firstEntry(db, processId: request.processId, tenant: $0) }
            ?? firstEntry(db, processId: request.processId)
        guard let record = found, record.entry.outcome.isOpen else { return nil }
        if request.outcome == .running {
            // Started: marks a Pending entry, nothing more (no counters, no follow-ups).
            if record.entry.outcome == .pending {
                try db.cachedStatement(sql: "UPDATE executionHistory SET outcome = 'Running', dateRunning = ? WHERE sequence = ?")
                    .execute(arguments: [StoredDate.value(date), record.sequence])
            }
            return nil
        }
        var entry = record.entry
        entry.outcome = request.outcome
        entry.dateCompleted = date
        entry.errorMessage = request.errorMessage
        entry.result = request.result
        try db.cachedStatement(
            sql: "UPDATE executionHistory SET outcome = ?, dateCompleted = ?, errorMessage = ?, result = ? WHERE sequence = ?"
        ).execute(arguments: [request.outcome.rawValue, StoredDate.value(date), request.errorMessage, request.result?.jsonText, record.sequence])
        if entry.processType == .webhook {
            try db.cachedStatement(sql: "DELETE FROM httpOutbox WHERE processId = ?").execute(arguments: [entry.processId.description])
        }
        let followUp = try Self.followUp(db, actionId: entry.actionId)
        // Most actions keep no events: their closes (one per finished process) look none up.
        let kept = followUp.usesKeptEvents ? try retainedEvent(db, entry.run) : nil
        // A sequence (few actions) reads its action: which item is next, what it is called.
        let next =
            followUp.execution == .sequential
            ? try sequenceAction(db, entry.actionId).flatMap { action in
                followUp.sequenceStep(
                    after: entry, origin: try origin(db, of: entry), action: action, previous: request.eventBody, event: kept, at: date)
            } : nil
        if kept != nil {
            // A sequence keeps its event for its next item.
            if case .step = next {} else { try forgetEventIfDone(db, entry) }
        }
        switch next {
        case .step(let step):
            // Not counted: a sequential run counts once, at its end.
            let counters = try uncountedClose(db, entry)
            let inserted = try insertDelayedRuns(db, [step])
            return ClosedEntry(completion: ExecutionCompletion(
                entry: entry, totalExecutions: counters.total, consecutiveFailures: counters.consecutiveFailures, step: inserted.first))
        case .stopped(let rest):
            _ = try insert(db, rest)
        case nil:
            break
        }
        if followUp.retries(entry),
            let retry = followUp.retry(
                of: entry, payload: kept, previous: try previousCompletion(db, followUp.previousCarrier(of: entry)),
                itemName: try itemName(db, entry.actionId, entry.itemIndex), at: date)
        {
            // Not counted: the run counts once, by its last attempt.
            let counters = try uncountedClose(db, entry)
            let inserted = try insertDelayedRuns(db, [retry])
            return ClosedEntry(completion: ExecutionCompletion(
                entry: entry, totalExecutions: counters.total, consecutiveFailures: counters.consecutiveFailures, retry: inserted.first))
        }
        return try count(db, finalEntry: entry, followUp, at: date)
    }

    /// The action's counters as they stand, for a close that does not count (the run goes on).
    private static func uncountedClose(_ db: Database, _ entry: ExecutionHistoryEntry) throws -> (total: Int, consecutiveFailures: Int) {
        let counters = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT totalExecutions, consecutiveFailures FROM automatedAction WHERE id = ?"),
            arguments: [entry.actionId.description])
        return (try counters?.decode(forColumn: "totalExecutions") ?? 0, try counters?.decode(forColumn: "consecutiveFailures") ?? 0)
    }

    /// Counts the run `entry` ended (its last attempt) on the action, pauses the action when its
    /// failures reached the threshold, and queues the notifications asked for.
    private static func count(
        _ db: Database, finalEntry entry: ExecutionHistoryEntry, _ followUp: CompletionFollowUp, at date: Date
    ) throws -> ClosedEntry {
        let counters = try Row.fetchOne(
            db.cachedStatement(sql: """
                UPDATE automatedAction
                SET totalExecutions = totalExecutions + 1,
                    consecutiveFailures = CASE WHEN ? THEN consecutiveFailures + 1 ELSE 0 END
                WHERE id = ?
                RETURNING totalExecutions, consecutiveFailures
                """),
            arguments: [entry.outcome != .success, entry.actionId.description]
        )
        guard let counters else {
            // Unreachable with foreign keys on: the entry's action exists. Undo the close.
            throw AutomationError.notFound("action \(entry.actionId) does not exist")
        }
        let total: Int = try counters.decode(forColumn: "totalExecutions")
        let failures: Int = try counters.decode(forColumn: "consecutiveFailures")
        let pausedReason = followUp.pauseReason(after: entry, consecutiveFailures: failures)
        if let pausedReason {
            try db.cachedStatement(sql: """
                UPDATE automatedAction SET status = 'paused', pausedReason = ?, pausedAt = ?, nextScheduledRunAt = NULL
                WHERE id = ? AND status = 'active'
                """).execute(arguments: [pausedReason, StoredDate.value(date), entry.actionId.description])
        }
        let notifications = followUp.notifications(
            closing: entry, counters: (total, failures), pausedReason: pausedReason, at: date)
        try queue(db, notifications, at: date)
        return ClosedEntry(
            completion: ExecutionCompletion(
                entry: entry, totalExecutions: total, consecutiveFailures: failures, pausedAction: pausedReason != nil),
            paused: pausedReason != nil ? followUp.action : nil, notifications: notifications.count)
    }

    /// The action of a sequential entry, its items as stored (schedules and triggers left out).
    private static func sequenceAction(_ db: Database, _ actionId: ActionID) throws -> AutomatedAction? {
        try ActionRecord.fetchOne(db, key: actionId.description)?.action(schedules: [], triggers: [])
    }

    /// The first attempt of `entry`'s item (the end of its `retryOf` chain), whose event and
    /// trigger are those of its run.
    private static func origin(_ db: Database, of entry: ExecutionHistoryEntry) throws -> ExecutionHistoryEntry {
        var current = entry
        let byID = try db.cachedStatement(sql: "SELECT * FROM executionHistory WHERE id = ?")
        for _ in 0...RetryPolicy.maximumRetries {
            guard let earlier = current.retryOf, let found = try HistoryRecord.fetchOne(byID, arguments: [earlier.description]) else {
                break
            }
            current = found.entry
        }
        return current
    }

    /// The name of the action's item at `index` (read from the JSON, not decoded), nil if none.
    private static func itemName(_ db: Database, _ actionId: ActionID, _ index: Int) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT json_extract(items, '$[' || ? || '].name') FROM automatedAction WHERE id = ?"),
            arguments: [index, actionId.description])
    }

    /// A closed entry and what else its close did.
    struct ClosedEntry {
        var completion: ExecutionCompletion
        var paused: ActionNotification.Action?
        var notifications = 0
    }

    /// The action's identity, status and policies, as the close of one of its entries reads them.
    private static func followUp(_ db: Database, actionId: ActionID) throws -> CompletionFollowUp {
        let table = ActionRecord.databaseTableName
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT tenantId, namespace, name, status, policies, execution FROM automatedAction WHERE id = ?"),
                arguments: [actionId.description])
        else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
        return CompletionFollowUp(
            action: ActionNotification.Action(
                id: actionId, tenantId: TenantID(rawValue: try row.decode(forColumn: "tenantId")),
                namespace: NamespaceName(rawValue: try row.decode(forColumn: "namespace")), name: try row.decode(forColumn: "name")),
            status: try row.enumeration(ActionStatus.self, "status", table: table),
            policies: try row.optionalJSON(FailurePolicies.self, "policies", table: table) ?? FailurePolicies(),
            execution: try row.enumeration(ActionExecution.self, "execution", table: table))
    }

    // MARK: Retained events

    /// Keeps the events retries will need, once per action and event, for runs this batch
    /// inserted with Pending entries (a redelivered event keeps nothing again).
    private static func retain(_ db: Database, _ events: [RetainedEvent], for inserted: [ExecutionHistoryEntry], at date: Date) throws {
        guard !events.isEmpty else { return }
        let runs = Set(inserted.filter { $0.outcome == .pending }.map(\.run))
        let events = events.filter { runs.contains($0.run) }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO runEvent (actionId, sourceEventId, body, createdAt)
            SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM automatedAction WHERE id = ?)
            ON CONFLICT (actionId, sourceEventId) DO NOTHING
            """)
        for event in events {
            try insert.execute(arguments: [
                event.actionId.description, event.sourceEventId, event.body.jsonText, StoredDate.value(date), event.actionId.description,
            ])
        }
    }

    /// Drops the kept event of `entry`'s run once none of its entries is Pending: a retry carries
    /// its own copy. The run's entries share the action and `dateStarted` (the index's prefix).
    private static func forgetEventIfDone(_ db: Database, _ entry: ExecutionHistoryEntry) throws {
        let pending = try Bool.fetchOne(
            db.cachedStatement(sql: """
                SELECT EXISTS(SELECT 1 FROM executionHistory
                WHERE actionId = ? AND dateStarted = ? AND sourceEventId = ? AND outcome IN ('Pending', 'Running'))
                """),
            arguments: [entry.actionId.description, StoredDate.value(entry.dateStarted), entry.sourceEventId]) ?? false
        if !pending {
            try db.cachedStatement(sql: "DELETE FROM runEvent WHERE actionId = ? AND sourceEventId = ?")
                .execute(arguments: [entry.actionId.description, entry.sourceEventId])
        }
    }

    /// The completion `$fromPrevious` read in the delayed run `carrier` (see
    /// ``CompletionFollowUp/previousCarrier(of:)``); nil when there is none, it was pruned, or
    /// its row does not decode (the retry then reads no previous value: never a reason to refuse
    /// the completion being recorded).
    private static func previousCompletion(_ db: Database, _ carrier: DelayedRunID?) throws -> JSONValue? {
        guard let carrier,
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT retry, step FROM delayedRun WHERE id = ?"), arguments: [carrier.description])
        else { return nil }
        let retry = try? row.optionalJSON(RetryTarget.self, "retry", table: "delayedRun")
        let step = try? row.optionalJSON(StepTarget.self, "step", table: "delayedRun")
        return retry?.previous ?? step?.previous
    }

    private static func retainedEvent(_ db: Database, _ run: RunKey) throws -> JSONValue? {
        guard
            let text = try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM runEvent WHERE actionId = ? AND sourceEventId = ?"),
                arguments: [run.actionId.description, run.sourceEventId])
        else { return nil }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw SQLiteStoreError.corruptValue(table: "runEvent", column: "body", reason: "\(error)")
        }
    }

    // MARK: Notifications outbox

    private static func queue(_ db: Database, _ notifications: [ActionNotification], at date: Date) throws {
        guard !notifications.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO notificationOutbox (id, kind, body, createdAt) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """)
        for notification in notifications {
            try insert.execute(arguments: [notification.id, notification.kind.rawValue, notification.body, StoredDate.value(date)])
        }
    }

    public func pendingNotifications(limit: Int) async throws -> [ActionNotification] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, body FROM notificationOutbox ORDER BY sequence LIMIT ?", arguments: [max(0, limit)])
                .map { row in
                    ActionNotification(
                        id: try row.decode(forColumn: "id"),
                        kind: try row.enumeration(ActionNotification.Kind.self, "kind", table: "notificationOutbox"),
                        body: try row.decode(forColumn: "body"))
                }
        }
    }

    public func deleteNotifications(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM notificationOutbox WHERE id = ?")
            for id in ids { try delete.execute(arguments: [id]) }
        }
    }

    public func pruneHistory(
        keepLastPerAction: Int?, startedBefore: Date?, underWayStartedBefore: Date?, tenant: TenantID?
    ) async throws -> Int {
        // Every tenant's entries, or those of one tenant's actions.
        let ofTenant = "(?1 IS NULL OR actionId IN (SELECT id FROM automatedAction WHERE tenantId = ?1))"
        // A run under way (its completion must find its entry) goes only once it started before
        // `underWayStartedBefore` (NULL: never): then by the same rules as a finished one.
        let deletable = "(outcome NOT IN ('Pending', 'Running') OR dateStarted < ?3)"
        let underWay = underWayStartedBefore.map(StoredDate.value)
        return try await writer.write { db in
            switch (keepLastPerAction, startedBefore) {
            case (nil, nil):
                return 0
            case (nil, let before?):
                try db.execute(
                    sql: "DELETE FROM executionHistory WHERE \(ofTenant) AND dateStarted < ?2 AND \(deletable)",
                    arguments: [tenant?.rawValue, StoredDate.value(before), underWay])
            case (let keep?, let before):
                try db.execute(
                    sql: Self.pruneByCountSQL,
                    arguments: [tenant?.rawValue, max(0, keep), underWay, StoredDate.value(before)])
            }
            let pruned = db.changesCount
            try Self.deleteOrphanedOutboxRows(db)
            if let startedBefore, let underWay {
                // Events kept for runs under way go by the rule of their entries.
                try db.execute(
                    sql: "DELETE FROM runEvent WHERE \(ofTenant) AND createdAt < ?2 AND createdAt < ?3",
                    arguments: [tenant?.rawValue, StoredDate.value(startedBefore), underWay])
            }
            // And those of runs left without a Pending entry (pruned by count). Few rows: only
            // runs of actions with retries whose items read the event, while they are under way.
            try db.execute(
                sql: """
                    DELETE FROM runEvent WHERE \(ofTenant) AND NOT EXISTS (
                        SELECT 1 FROM executionHistory h
                        WHERE h.actionId = runEvent.actionId AND h.sourceEventId = runEvent.sourceEventId
                            AND h.outcome IN ('Pending', 'Running'))
                    """,
                arguments: [tenant?.rawValue])
            return pruned
        }
    }

    /// Deletes per action the entries past the newest `?2` or started before `?4` (NULL: no age
    /// limit), of the tenant `?1` (NULL: all), runs under way only when started before `?3`.
    /// Everything the outer filter reads comes from the ranked rows (the executionHistory_action
    /// index holds them all): reading a column of the table instead makes SQLite run the window
    /// once per row.
    static let pruneByCountSQL = """
        DELETE FROM executionHistory WHERE sequence IN (
            SELECT sequence FROM (
                SELECT sequence, dateStarted, outcome,
                    row_number() OVER (PARTITION BY actionId ORDER BY dateStarted DESC, sequence DESC) AS rank
                FROM executionHistory
                WHERE ?1 IS NULL OR actionId IN (SELECT id FROM automatedAction WHERE tenantId = ?1)
            )
            WHERE (rank > ?2 OR dateStarted < ?4) AND (outcome NOT IN ('Pending', 'Running') OR dateStarted < ?3)
        )
        """

    /// Drops the outbox rows whose entry was pruned: with no entry to close, they are not sent.
    /// The outbox holds only requests under way, so this reads few rows.
    private static func deleteOrphanedOutboxRows(_ db: Database) throws {
        let exists = try db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM executionHistory WHERE processHash = ? AND processId = ?)")
        for processId in try String.fetchAll(db, sql: "SELECT processId FROM httpOutbox") {
            let kept = try Bool.fetchOne(exists, arguments: [LookupHash.process(processId), processId]) ?? false
            if !kept { try db.execute(sql: "DELETE FROM httpOutbox WHERE processId = ?", arguments: [processId]) }
        }
    }

    /// The first entry recorded for `processId` (in insertion order, as the in-memory store).
    private static func firstEntry(_ db: Database, processId: ProcessID) throws -> HistoryRecord? {
        // Cached: the pipeline asks this for every finished process it sees.
        try HistoryRecord.fetchOne(
            db.cachedStatement(sql: """
                SELECT * FROM executionHistory WHERE processHash = ? AND processId = ? ORDER BY sequence LIMIT 1
                """),
            arguments: [LookupHash.process(processId.description), processId.description]
        )
    }

    /// The first entry of a process whose action belongs to a tenant. CROSS JOIN keeps history
    /// (found by its process hash index) the outer loop, so the tenant costs one primary-key
    /// probe of the action; the planner must never start from the tenant's actions.
    static let firstEntryOfTenantSQL = """
        SELECT h.* FROM executionHistory h CROSS JOIN automatedAction a ON a.id = h.actionId
        WHERE h.processHash = ? AND h.processId = ? AND a.tenantId = ?
        ORDER BY h.sequence LIMIT 1
        """

    /// The first entry recorded for `processId` whose action belongs to `tenant`.
    private static func firstEntry(_ db: Database, processId: ProcessID, tenant: TenantID) throws -> HistoryRecord? {
        // Cached: the pipeline asks this for every finished process it may have started.
        try HistoryRecord.fetchOne(
            db.cachedStatement(sql: firstEntryOfTenantSQL),
            arguments: [LookupHash.process(processId.description), processId.description, tenant.rawValue]
        )
    }
}
