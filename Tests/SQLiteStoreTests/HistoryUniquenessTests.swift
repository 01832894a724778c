import Automation
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

/// History is unique on its idempotency key in the schema (SQLite migration v16, PostgreSQL v1),
/// not only in the code that records it: any number of writers recording one run leave one row, and exactly one of
/// them is told it inserted it.
@Suite("SQLite history uniqueness")
struct HistoryUniquenessTests {
    /// Two pools on one file, or two PostgreSQL stores, as two processes (replicas) have.
    @Test(arguments: StoreKind.sharedCases)
    func twoStoresRecordingTheSameRunsConcurrentlyStoreEachOnceAndOneReportsInserting(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { first, second in
            let action = makeAction("report")
            try await first.insertAction(action)
            let trigger = ExecutionSourceID(TriggerID.random())
            let runs = 20, copies = 12

            // Each run recorded `copies` times, half through each store, all at once; every copy
            // is planned anew (fresh entry and process ids), as on a redelivery to another replica.
            let reports = try await withThrowingTaskGroup(of: (event: String, recorded: RecordedRun).self) { group in
                for copy in 0..<copies {
                    for run in 0..<runs {
                        let store = copy.isMultiple(of: 2) ? first : second
                        group.addTask {
                            let entry = entry(action.id, event: "e\(run)", trigger: trigger, started: at(run * 10 + copy))
                            return ("e\(run)", try await store.record(RunRecord(history: [entry], at: at(0))))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let stored = try await first.history(actionId: action.id, page: PageRequest(limit: 1000)).items
            #expect(stored.count == runs)
            #expect(try await second.history(actionId: action.id, page: PageRequest(limit: 1000)).items.count == runs)
            for (event, copiesOfRun) in Dictionary(grouping: reports, by: \.event) {
                #expect(copiesOfRun.count == copies)
                #expect(copiesOfRun.count { $0.recorded.alreadyRecorded == [false] } == 1, "exactly one inserted \(event)")
                // Every copy is answered with the row stored, whoever inserted it.
                let row = stored.first { $0.sourceEventId == event }
                #expect(copiesOfRun.allSatisfy { $0.recorded.history == [row] })
            }
        }
    }

    @Test func theSchemaRefusesASecondRowForAKeyFromAWriterThatDoesNotLookFirst() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("signalbox.sqlite").path)
            defer { try? store.close() }
            let action = makeAction("report")
            try await store.insertAction(action)
            let recorded = entry(action.id, event: "evt-1", trigger: nil, item: 2, started: at(1), type: .manual)
            try await store.appendHistory([recorded])

            // Another writer (another store, a replica of other code) inserting the same key
            // plainly: the unique index refuses it, with or without a trigger id.
            let again = entry(action.id, event: "evt-1", trigger: nil, item: 2, started: at(2), type: .manual)
            let error = await #expect(throws: DatabaseError.self) {
                try await store.writer.write { db in try insertPlainly(db, again) }
            }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items == [recorded])
        }
    }

    @Test(arguments: StoreKind.sharedCases)
    func twoStoresTakingTheSameIdempotencyKeyForADelayedRunStoreOneRun(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { first, second in
            let action = makeAction("report")
            try await first.insertAction(action)

            let answers = try await withThrowingTaskGroup(of: (run: DelayedRun, created: Bool).self) { group in
                for copy in 0..<16 {
                    let store = copy.isMultiple(of: 2) ? first : second
                    group.addTask {
                        let run = DelayedRun(tenantId: acme, actionId: action.id, key: nil, dueAt: at(60), payload: nil, dateCreated: at(copy))
                        return try await store.insertDelayedRun(run, requestKey: "retried-request", limit: 100)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let created = answers.filter(\.created)
            #expect(created.count == 1)
            #expect(answers.allSatisfy { $0.run.id == created.first?.run.id })
            let stored = try await second.delayedRuns(actionId: action.id, tenant: acme, status: nil, page: PageRequest(limit: 100))
            #expect(stored.items.map(\.id) == created.map(\.run.id))
        }
    }
}

/// A file written by v15, whose history holds duplicates (two writers raced before the schema
/// refused them), keeps the first recorded row of each key when it is opened.
@Suite("SQLite history uniqueness migration")
struct HistoryUniquenessMigrationTests {
    @Test func duplicatesOfAnOlderFileAreReducedToTheFirstRecordedAndUncounted() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let action = makeAction("report")
            let trigger = ExecutionSourceID(TriggerID.random())
            var first = entry(action.id, event: "e1", trigger: trigger, started: at(10))
            first.outcome = .success
            var laterCopy = entry(action.id, event: "e1", trigger: trigger, started: at(5))
            laterCopy.outcome = .failed
            let pendingCopy = entry(action.id, event: "e1", trigger: trigger, started: at(20))
            let manual = entry(action.id, event: "m1", trigger: nil, started: at(30), type: .manual)
            let manualCopy = entry(action.id, event: "m1", trigger: nil, started: at(31), type: .manual)
            let single = entry(action.id, event: "e2", trigger: trigger, started: at(40))
            try await writeV15File(
                at: path, action: action, runs: [first, laterCopy, manual, pendingCopy, single, manualCopy],
                outbox: [manual.processId, manualCopy.processId])

            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            #expect(try await store.diagnostics().isSchemaCurrent)
            let history = try await store.history(actionId: action.id, page: PageRequest(limit: 100)).items
            #expect(Set(history.map(\.id)) == [first.id, manual.id, single.id])
            // The removed copies are no longer counted as runs.
            let statistics = try await store.tenantStatistics(tenant: acme, since: at(0), horizon: at(0), topFailing: 5)
            #expect(statistics.runsByOutcome.filter { $0.value != 0 } == [.success: 1, .pending: 2])
            #expect(statistics.topFailing.isEmpty)
            // The request of a removed copy left the outbox; the kept entry's stays.
            let outbox = try await store.writer.read { db in try String.fetchAll(db, sql: "SELECT processId FROM httpOutbox") }
            #expect(outbox == [manual.processId.description])
            // And the key is now unique: recording a copy again returns the row kept.
            let recorded = try await store.record(RunRecord(history: [entry(action.id, event: "e1", trigger: trigger, started: at(50))], at: at(50)))
            #expect(recorded.history == [first] && recorded.alreadyRecorded == [true])
        }
    }
}

/// A file as v15 left it: one action, `runs` inserted in order (duplicates allowed then, counted
/// by the statistics triggers as they were), and outbox requests of `outbox`.
private func writeV15File(at path: String, action: AutomatedAction, runs: [ExecutionHistoryEntry], outbox: [ProcessID]) async throws {
    let queue = try DatabaseQueue(path: path)
    try StoreMigrations.migrator.migrate(queue, upTo: StoreMigrations.v15)
    try await queue.write { db in
        try insertBareAction(db, action)
        for run in runs { try insertPlainly(db, run) }
        for processId in outbox {
            try db.execute(
                sql: "INSERT INTO httpOutbox (processId, actionId, request) VALUES (?, ?, '{}')",
                arguments: [processId.description, action.id.description])
        }
    }
    try queue.close()
}

/// Inserts `entry` as a writer that does not look for its key first would (and as files before
/// v16 allowed).
func insertPlainly(_ db: Database, _ entry: ExecutionHistoryEntry) throws {
    try db.execute(
        sql: """
            INSERT INTO executionHistory (\(HistoryRecord.insertColumns.joined(separator: ", ")))
            VALUES (\(HistoryRecord.insertColumns.map { _ in "?" }.joined(separator: ", ")))
            """,
        arguments: HistoryRecord.insertArguments(entry))
}

/// Stores `action`'s own row, as any version's schema takes it (no children, no later columns).
func insertBareAction(_ db: Database, _ action: AutomatedAction) throws {
    try db.execute(
        sql: """
            INSERT INTO automatedAction (id, tenantId, namespace, name, status, items, dateCreated, dateUpdated)
            VALUES (?, ?, ?, ?, 'active', '[]', 0, 0)
            """,
        arguments: [action.id.description, action.tenantId.description, action.namespace.description, action.name])
}
