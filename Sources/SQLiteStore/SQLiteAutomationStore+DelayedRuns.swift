import Automation
import Foundation
import GRDB
import JSONPath

extension SQLiteAutomationStore {
    public func insertDelayedRun(_ run: DelayedRun, requestKey: String?, limit: Int) async throws -> (run: DelayedRun, created: Bool) {
        try await writer.write { db in
            try Self.requireAction(db, run.actionId, tenant: run.tenantId)
            // Kept by triggers (v12): counting the rows made each insert cost the action's backlog.
            let scheduled = try Int.fetchOne(
                db, sql: "SELECT scheduledRuns FROM automatedAction WHERE id = ?", arguments: [run.actionId.description]) ?? 0
            guard scheduled < limit else {
                // A retried request is answered with its run even at the limit.
                if let earlier = try Self.delayedRun(db, actionId: run.actionId, requestKey: requestKey) { return (earlier, false) }
                throw AutomationError.limitExceeded("the action has \(scheduled) scheduled runs; at most \(limit)", field: "delaySeconds")
            }
            // The unique index on the Idempotency-Key (v10) decides which request stored the run.
            try db.execute(
                sql: """
                    INSERT INTO delayedRun (id, tenantId, actionId, key, requestKey, dueAt, status, payload, dateCreated)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (actionId, requestKey) WHERE requestKey IS NOT NULL DO NOTHING
                    """,
                arguments: [
                    run.id.description, run.tenantId.rawValue, run.actionId.description, run.key, requestKey, StoredDate.value(run.dueAt),
                    run.status.rawValue, run.payload?.jsonText, StoredDate.value(run.dateCreated),
                ])
            if db.changesCount > 0 { return (run, true) }
            guard let earlier = try Self.delayedRun(db, actionId: run.actionId, requestKey: requestKey) else {
                // Unreachable: the conflict that skipped the insert is a run holding the key.
                throw SQLiteStoreError.corruptValue(table: "delayedRun", column: "requestKey", reason: "no run holds the request key")
            }
            return (earlier, false)
        }
    }

    /// The action's run created with the Idempotency-Key `requestKey`, if any.
    private static func delayedRun(_ db: Database, actionId: ActionID, requestKey: String?) throws -> DelayedRun? {
        guard let requestKey else { return nil }
        return try Row.fetchOne(
            db, sql: "SELECT * FROM delayedRun WHERE actionId = ? AND requestKey = ?", arguments: [actionId.description, requestKey]
        ).map(delayedRun)
    }

    public func delayedRun(id: DelayedRunID, tenant: TenantID) async throws -> DelayedRun? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM delayedRun WHERE id = ? AND tenantId = ?", arguments: [id.description, tenant.rawValue])
                .map(Self.delayedRun)
        }
    }

    public func delayedRuns(actionId: ActionID, tenant: TenantID, status: DelayedRunStatus?, page: PageRequest) async throws -> Page<DelayedRun> {
        let limit = max(0, page.limit)
        return try await writer.read { db in
            var sql = "SELECT * FROM delayedRun WHERE actionId = ? AND tenantId = ?"
            var arguments: StatementArguments = [actionId.description, tenant.rawValue]
            if let status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let cursor = page.cursor {
                let after = try InstantCursor(parsing: cursor)
                sql += " AND (dueAt, sequence) > (?, ?)"
                _ = arguments.append(contentsOf: [after.seconds, after.sequence])
            }
            sql += " ORDER BY dueAt, sequence LIMIT ?"
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let items = try rows.prefix(limit).map(Self.delayedRun)
            var next: String?
            if rows.count > limit, let last = rows.prefix(limit).last {
                next = InstantCursor(seconds: last["dueAt"], sequence: last["sequence"]).text
            }
            return Page(items: items, nextCursor: next)
        }
    }

    public func cancelDelayedRuns(actionId: ActionID, tenant: TenantID, ids: [DelayedRunID]?, key: String?, at date: Date) async throws -> [DelayedRun] {
        try await writer.write { db in
            var sql = """
                UPDATE delayedRun SET status = 'cancelled', cancelledAt = ?
                WHERE actionId = ? AND tenantId = ? AND status = 'scheduled' AND claimedAt IS NULL
                """
            var arguments: StatementArguments = [StoredDate.value(date), actionId.description, tenant.rawValue]
            if let ids {
                guard !ids.isEmpty else { return [] }
                sql += " AND id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))"
                _ = arguments.append(contentsOf: StatementArguments(ids.map(\.description)))
            } else if let key {
                sql += " AND key = ?"
                _ = arguments.append(contentsOf: [key])
            } else {
                return []
            }
            sql += " RETURNING *"
            // A row that cannot be read is cancelled all the same; it is left out of the answer.
            let cancelled = try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { try? Self.delayedRun($0) }
            // A cancelled retry ends its run, which failed: counted once, as a failure.
            let ended = cancelled.filter { $0.retry != nil }.count
            if ended > 0 {
                try db.execute(
                    sql: """
                        UPDATE automatedAction SET totalExecutions = totalExecutions + ?, consecutiveFailures = consecutiveFailures + ?
                        WHERE id = ?
                        """,
                    arguments: [ended, ended, actionId.description])
            }
            return cancelled.sorted { $0.dueAt < $1.dueAt }
        }
    }

    public func pendingDelayedRuns() async throws -> [DelayedRunDue] {
        try await writer.read { db in
            var runs: [DelayedRunDue] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, actionId, tenantId, dueAt FROM delayedRun WHERE status = 'scheduled' ORDER BY dueAt")
            while let row = try cursor.next() {
                runs.append(DelayedRunDue(
                    id: try row.identifier(DelayedRunID.self, atIndex: 0, column: "id", table: "delayedRun"),
                    actionId: try row.identifier(ActionID.self, atIndex: 1, column: "actionId", table: "delayedRun"),
                    tenantId: TenantID(rawValue: row[2]), dueAt: StoredDate.date(row[3])))
            }
            return runs
        }
    }

    public func claimDelayedRuns(_ ids: [DelayedRunID], at date: Date) async throws -> [DelayedRun] {
        let unique = Array(Set(ids.map(\.description)))
        guard !unique.isEmpty else { return [] }
        return try await writer.write { db in
            var claimed: [DelayedRun] = []
            var unreadable: [String] = []
            // Chunks within SQLite's limit on bound parameters.
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = Array(unique[start..<min(start + 500, unique.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                try db.execute(
                    sql: "UPDATE delayedRun SET claimedAt = ? WHERE status = 'scheduled' AND claimedAt IS NULL AND id IN (\(marks))",
                    arguments: [StoredDate.value(date)] + StatementArguments(chunk))
                for row in try Row.fetchAll(
                    db, sql: "SELECT * FROM delayedRun WHERE status = 'scheduled' AND id IN (\(marks))", arguments: StatementArguments(chunk))
                {
                    // One row that cannot be read must not hold up the others: it is cancelled.
                    if let run = try? Self.delayedRun(row) { claimed.append(run) } else { unreadable.append(row["id"]) }
                }
            }
            for id in unreadable {
                try db.execute(
                    sql: "UPDATE delayedRun SET status = 'cancelled', cancelledAt = ? WHERE id = ?", arguments: [StoredDate.value(date), id])
            }
            return claimed
        }
    }

    public func finishDelayedRuns(_ ids: [DelayedRunID], as status: DelayedRunStatus, at date: Date) async throws {
        guard !ids.isEmpty, status != .scheduled else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: status == .dispatched
                    ? "UPDATE delayedRun SET status = 'dispatched', dispatchedAt = ?, payload = NULL WHERE id = ? AND status = 'scheduled'"
                    : "UPDATE delayedRun SET status = 'cancelled', cancelledAt = ? WHERE id = ? AND status = 'scheduled'")
            for id in ids { try statement.execute(arguments: [StoredDate.value(date), id.description]) }
        }
    }

    public func pruneDelayedRuns(finishedBefore date: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM delayedRun WHERE status != 'scheduled' AND coalesce(dispatchedAt, cancelledAt) < ?",
                arguments: [StoredDate.value(date)])
            return db.changesCount
        }
    }

    /// Stores the runs triggers scheduled, unless stored before (the same id: a redelivery) or
    /// their action is gone; returns those stored.
    static func insertDelayedRuns(_ db: Database, _ runs: [DelayedRun]) throws -> [DelayedRunDue] {
        guard !runs.isEmpty else { return [] }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO delayedRun (id, tenantId, actionId, key, dueAt, status, payload, dateCreated, retry, step)
            SELECT ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM automatedAction WHERE id = ?)
            ON CONFLICT (id) DO NOTHING
            """)
        var inserted: [DelayedRunDue] = []
        for run in runs {
            try insert.execute(arguments: [
                run.id.description, run.tenantId.rawValue, run.actionId.description, run.key, StoredDate.value(run.dueAt),
                run.payload?.jsonText, StoredDate.value(run.dateCreated), try run.retry.map(jsonText),
                try run.step.map(jsonText), run.actionId.description,
            ])
            if db.changesCount > 0 { inserted.append(run.due) }
        }
        return inserted
    }

    /// Cancels the scheduled, unclaimed runs each cancellation names; returns their ids.
    static func cancelDelayedRuns(_ db: Database, _ cancellations: [DelayedRunCancellation], at date: Date) throws -> [DelayedRunID] {
        guard !cancellations.isEmpty else { return [] }
        let cancel = try db.cachedStatement(sql: """
            UPDATE delayedRun SET status = 'cancelled', cancelledAt = ?
            WHERE actionId = ? AND tenantId = ? AND key = ? AND status = 'scheduled' AND claimedAt IS NULL
            RETURNING id
            """)
        var cancelled: [DelayedRunID] = []
        for cancellation in cancellations {
            cancelled += try String.fetchAll(cancel, arguments: [
                StoredDate.value(date), cancellation.actionId.description, cancellation.tenantId.rawValue, cancellation.key,
            ]).compactMap(DelayedRunID.init)
        }
        return cancelled
    }

    private static func delayedRun(_ row: Row) throws -> DelayedRun {
        let table = "delayedRun"
        let payloadText: String? = row["payload"]
        var payload: JSONValue?
        if let payloadText {
            do {
                payload = try JSONParser.parse(payloadText)
            } catch {
                throw SQLiteStoreError.corruptValue(table: table, column: "payload", reason: "\(error)")
            }
        }
        return DelayedRun(
            id: try row.identifier(DelayedRunID.self, "id", table: table),
            tenantId: TenantID(rawValue: try row.decode(forColumn: "tenantId")),
            actionId: try row.identifier(ActionID.self, "actionId", table: table),
            key: try row.decode(forColumn: "key"),
            dueAt: try row.date("dueAt"),
            status: try row.enumeration(DelayedRunStatus.self, "status", table: table),
            payload: payload,
            dateCreated: try row.date("dateCreated"),
            dispatchedAt: try row.optionalDate("dispatchedAt"),
            cancelledAt: try row.optionalDate("cancelledAt"),
            retry: try row.optionalJSON(RetryTarget.self, "retry", table: table),
            step: try row.optionalJSON(StepTarget.self, "step", table: table))
    }
}
