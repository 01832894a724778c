import Automation
import Foundation
import GRDB
import SQLiteStore
import Testing

/// What only the SQLite store has: a file, a schema, WAL, foreign keys, several connections.
@Suite("SQLite file")
struct SQLiteFileTests {
    static let expectedIndexes: Set<String> = [
        "apiToken_secretHash", "apiToken_tenant", "automatedAction_name", "cronSchedule_action", "cronSchedule_enabled",
        "messageTrigger_action", "messageTrigger_enabledByType", "executionHistory_idempotency",
        "executionHistory_action", "executionHistory_processHash", "manualRunKey_created", "webhookTrigger_id", "httpOutbox_action",
        "delayedRun_pending", "delayedRun_action", "delayedRun_requestKey", "delayedRun_key", "runEvent_created",
        "failuresByHour_tenant",
    ]

    @Test func freshFileIsMigratedInWALModeWithForeignKeys() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("nested/deeper/signalbox.sqlite").path
            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            #expect(FileManager.default.fileExists(atPath: path))

            let diagnostics = try await store.diagnostics()
            #expect(diagnostics.journalMode == "wal")
            #expect(diagnostics.foreignKeysEnabled)
            // FULL (2): the WAL is synced at every commit, before the run path settles anything.
            #expect(diagnostics.synchronous == 2)
            // A large cache for the writer's batches, a small one per reader (start-up scans).
            #expect(diagnostics.writerCacheKiB == 65536)
            #expect(diagnostics.readerCacheKiB == 4096)
            #expect(diagnostics.appliedMigrations == [
                "v1: tenants, tokens, actions, schedules, triggers, history",
                "v2: the last fired occurrence of each schedule",
                "v3: history without the id and dateStarted indexes",
                "v4: history looked up by 64-bit hashes of its key and process id",
                "v5: a version counter of the action, trigger and schedule definitions",
                "v6: idempotency keys of manual runs",
                "v7: webhook triggers and their credentials",
                "v8: signing secrets of actions and the outbox of their HTTP requests", "v9: one-time schedules", "v10: delayed runs", "v11: triggers that delay or cancel runs",
                "v12: retries, notifications and pausing after failures",
                "v13: running runs, results and run statistics",
                "v14: definitions managed by files",
                "v15: token expiry and last use",
                "v16: history unique on its idempotency key",
            ])
            #expect(diagnostics.isSchemaCurrent)
            #expect(diagnostics.indexes == Self.expectedIndexes)
            #expect(diagnostics.rowCounts.values.allSatisfy { $0 == 0 })
            #expect(diagnostics.rowCounts.count == 7)
        }
    }

    @Test func normalDurabilitySyncsAtCheckpointsOnly() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(configuration: SQLiteStoreConfiguration(
                path: folder.appendingPathComponent("signalbox.sqlite").path, durability: .normal))
            defer { try? store.close() }
            #expect(try await store.diagnostics().synchronous == 1)
        }
    }

    @Test func reopenedFileKeepsEverything() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let tenant = Tenant(id: acme, name: "Acme", dateCreated: at(0))
            let token = APIToken(tenantId: acme, role: .admin, name: "ops", secretHash: "feed", dateCreated: at(1))
            let action = makeAction(
                "report",
                items: try everyKindOfItem(),
                schedules: [schedule("s", next: at(3600))],
                triggers: [trigger("t")]
            )
            let run = entry(action.id, event: "e", trigger: .init(action.messageTriggers[0].id), started: at(2))

            do {
                let store = try SQLiteAutomationStore(path: path)
                try await store.insertTenant(tenant)
                try await store.insertToken(token)
                try await store.insertAction(action)
                _ = try await store.appendHistory([run])
                _ = try await store.completeExecution(processId: run.processId, outcome: .success, errorMessage: nil, at: at(5))
                try store.close()
            }

            let reopened = try SQLiteAutomationStore(path: path)
            defer { try? reopened.close() }
            #expect(try await reopened.diagnostics().appliedMigrations.count == 16)
            #expect(try await reopened.tenants() == [tenant])
            #expect(try await reopened.token(secretHash: "feed") == token)
            var expected = action.withNextRun(at(3600))
            expected.totalExecutions = 1
            #expect(try await reopened.action(id: action.id, tenant: acme) == expected)
            var closed = run
            closed.outcome = .success
            closed.dateCompleted = at(5)
            #expect(try await reopened.history(actionId: action.id, page: PageRequest()).items == [closed])
            // Still idempotent across a restart: the key survived.
            #expect(try await reopened.appendHistory([entry(action.id, event: "e", trigger: run.triggerId, started: at(9))]) == [closed])
        }
    }

    @Test func deletingAnActionCascadesToItsRows() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("db.sqlite").path)
            defer { try? store.close() }
            let doomed = makeAction("doomed", schedules: [schedule("a", next: nil), schedule("b", next: nil)], triggers: [trigger("t")])
            let survivor = makeAction("survivor", schedules: [schedule("a", next: nil)], triggers: [trigger("t"), trigger("u")])
            try await store.insertAction(doomed)
            try await store.insertAction(survivor)
            _ = try await store.appendHistory((0..<3).map { entry(doomed.id, event: "d\($0)", started: at($0)) })
            _ = try await store.appendHistory([entry(survivor.id, event: "s", started: at(0))])

            let before = try await store.diagnostics().rowCounts
            #expect(before["automatedAction"] == 2)
            #expect(before["cronSchedule"] == 3)
            #expect(before["messageTrigger"] == 3)
            #expect(before["executionHistory"] == 4)

            #expect(try await store.deleteAction(id: doomed.id, tenant: acme))
            let after = try await store.diagnostics()
            #expect(after.rowCounts["automatedAction"] == 1)
            #expect(after.rowCounts["cronSchedule"] == 1)
            #expect(after.rowCounts["messageTrigger"] == 2)
            #expect(after.rowCounts["executionHistory"] == 1)
            #expect(after.foreignKeyViolations == 0)
        }
    }

    @Test func removedChildrenLeaveNoRowsBehind() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("db.sqlite").path)
            defer { try? store.close() }
            var action = makeAction("report", schedules: [schedule("a", next: nil), schedule("b", next: nil)], triggers: [trigger("t")])
            try await store.insertAction(action)
            action.schedules.removeFirst()
            action.messageTriggers = []
            _ = try await store.updateAction(action)
            let counts = try await store.diagnostics().rowCounts
            #expect(counts["cronSchedule"] == 1)
            #expect(counts["messageTrigger"] == 0)
        }
    }

    @Test func duplicateChildIdsAreConflictsNotCrashes() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("db.sqlite").path)
            defer { try? store.close() }
            let twin = schedule("twin", next: nil)
            let error = await automationError { try await store.insertAction(makeAction("report", schedules: [twin, twin])) }
            #expect(error?.code == .conflict)
            #expect(try await store.action(named: "report", namespace: production, tenant: acme) == nil)

            let action = makeAction("ok", schedules: [twin])
            try await store.insertAction(action)
            let again = await automationError { try await store.insertSchedule(twin, actionId: action.id, tenant: acme, limit: 5, at: at(1)) }
            #expect(again?.code == .conflict)
        }
    }

    @Test func folderThatCannotBeCreatedIsATypedError() async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("plain-file")
            try Data("x".utf8).write(to: file)
            let path = file.appendingPathComponent("sub/db.sqlite").path
            #expect {
                _ = try SQLiteAutomationStore(path: path)
            } throws: { error in
                (error as? SQLiteStoreError)?.isCorruptValue == false && "\(error)".contains("cannot create directory")
            }
        }
    }

    @Test func writableCheckKeepsNothingAndFailsOnAClosedStore() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("signalbox.sqlite").path)
            let before = try await store.diagnostics()
            try await store.checkWritable()
            // The probe creates a table: a second run would fail had the first been kept.
            try await store.checkWritable()
            #expect(try await store.diagnostics() == before)
            try store.close()
            await #expect(throws: (any Error).self) { try await store.checkWritable() }
        }
    }

    @Test func retentionFollowsTheConfiguration() async throws {
        try await withTemporaryDirectory { folder in
            let configuration = SQLiteStoreConfiguration(
                path: folder.appendingPathComponent("db.sqlite").path,
                keepLastPerAction: 3,
                maxAgeDays: 1
            )
            #expect(configuration.startedBefore(now: at(86_400 * 2)) == at(86_400))
            #expect(SQLiteStoreConfiguration(path: "x", maxAgeDays: nil).startedBefore(now: at(0)) == nil)
            #expect(configuration.retentionPolicy == RetentionPolicy(keepLastPerAction: 3, maximumAgeDays: 1))
            #expect(SQLiteStoreConfiguration(path: "x").retentionPolicy == RetentionPolicy())

            let store = try SQLiteAutomationStore(configuration: configuration)
            defer { try? store.close() }
            let action = makeAction("report")
            try await store.insertAction(action)
            // Five recent entries and one two days old.
            let now = at(3 * 86_400)
            _ = try await store.appendHistory(
                ((0..<5).map { entry(action.id, event: "r\($0)", started: now.addingTimeInterval(Double(-$0 * 60))) }
                    + [entry(action.id, event: "old", started: now.addingTimeInterval(-2 * 86_400))]).map(HistoryContractTests.closed)
            )
            #expect(try await store.applyRetention(now: now) == 3)
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items.map(\.sourceEventId) == ["r0", "r1", "r2"])
        }
    }

    @Test func inMemoryDatabaseBehavesLikeTheFile() async throws {
        let store = try SQLiteAutomationStore(inMemoryWith: SQLiteStoreConfiguration(path: ":memory:"))
        let action = makeAction("report", schedules: [schedule("s", next: at(60))])
        try await store.insertAction(action)
        #expect(try await store.action(id: action.id, tenant: acme) == action.withNextRun(at(60)))
        #expect(try await store.diagnostics().foreignKeysEnabled)
        #expect(await automationError { try await store.insertAction(makeAction("report")) }?.code == .conflict)
    }

    @Test func scheduleRowsWithOmittedFieldsReadBackAsStars() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let fields = CronScheduleDefinition(name: "Every 15 min", minute: "*/15", dateCreated: at(0))
            let expression = CronScheduleDefinition(name: "Daily", cron: "@daily", dateCreated: at(0))
            let action = makeAction("report", schedules: [fields, expression])
            do {
                let store = try SQLiteAutomationStore(path: path)
                try await store.insertAction(action)
                try store.close()
            }
            let queue = try DatabaseQueue(path: path)
            let stored = try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT hour, dayOfWeek, second, cron FROM cronSchedule ORDER BY position")
            }
            #expect(stored.map { $0["hour"] as String? } == ["*", nil], "new rows store the stars")
            #expect(stored.map { $0["second"] as String? } == [nil, nil])
            // A row as schedules were written before the rule: the omitted fields NULL.
            try await queue.write { db in
                try db.execute(sql: "UPDATE cronSchedule SET hour = NULL, dayOfMonth = NULL, month = NULL, dayOfWeek = NULL WHERE cron IS NULL")
            }
            try queue.close()

            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            let read = try #require(try await store.action(id: action.id, tenant: acme))
            let old = read.schedules[0]
            #expect([old.minute, old.hour, old.dayOfMonth, old.month, old.dayOfWeek] == ["*/15", "*", "*", "*", "*"])
            #expect(old.second == nil)
            #expect(read.schedules[1].cron == "@daily" && read.schedules[1].hour == nil)
        }
    }
}
