import Automation
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

/// History is found through 64-bit hashes of its idempotency key and process id (schema v4): a
/// hash match is only a candidate, and rows written before v4 are found after the upgrade.
@Suite("SQLite history lookup hashes")
struct SQLiteLookupHashTests {
    @Test func hashesAreStableAndTellTheKeysParts() {
        // Stored hashes must keep matching: these values are fixed forever (FNV-1a 64 and the
        // SplitMix64 finalizer, computed independently).
        #expect(LookupHash.key(sourceEventId: "evt-1", triggerId: "trigger", itemIndex: 0) == -8_548_990_648_543_576_215)
        #expect(LookupHash.process("3f2504e0-4f89-41d3-9a0c-0305e82c3301") == 8_601_859_464_225_245_484)
        #expect(LookupHash.key(sourceEventId: "evt-1", triggerId: nil, itemIndex: 0) == LookupHash.key(sourceEventId: "evt-1", triggerId: "", itemIndex: 0))
        #expect(LookupHash.key(sourceEventId: "a|b", triggerId: "", itemIndex: 0) != LookupHash.key(sourceEventId: "a", triggerId: "b", itemIndex: 0))
        #expect(LookupHash.key(sourceEventId: "e", triggerId: "t", itemIndex: 1) != LookupHash.key(sourceEventId: "e", triggerId: "t", itemIndex: 10))
        let hashes = Set((0..<10_000).map { LookupHash.process("process-\($0)") })
        #expect(hashes.count == 10_000)
    }

    @Test func aRowSharingTheHashesIsNotMistakenForTheEntry() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            let action = makeAction("report")
            try await store.insertAction(action)
            let run = entry(action.id, event: "evt-1", trigger: .init(TriggerID.random()), started: at(1))
            // Another row with both of the run's hashes: a collision, forged.
            let impostor = entry(action.id, event: "evt-2", started: at(0))
            try await store.writer.write { db in
                try insertPlainly(db, impostor)
                try db.execute(
                    sql: "UPDATE executionHistory SET keyHash = ?, processHash = ? WHERE id = ?",
                    arguments: [LookupHash.key(run.idempotencyKey), LookupHash.process(run.processId.description), impostor.id.description])
            }

            #expect(try await store.appendHistory([run]) == [run])
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items.count == 2)
            #expect(try await store.historyEntry(processId: run.processId) == run)
            let completion = try await store.completeExecution(
                ExecutionCompletionRequest(processId: run.processId, tenantId: acme, outcome: .success, errorMessage: nil), at: at(2))
            #expect(completion?.entry.id == run.id)
            let impostorOutcome = try await store.writer.read { db in
                try String.fetchOne(db, sql: "SELECT outcome FROM executionHistory WHERE id = ?", arguments: [impostor.id.description])
            }
            #expect(impostorOutcome == ExecutionOutcome.pending.rawValue)
        }
    }

    @Test func aTenantsCompletionIsFoundByTheProcessHashAndOneActionProbe() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("signalbox.sqlite").path)
            defer { try? store.close() }
            // Many actions of the tenant: a plan that started from them would scan them all.
            for index in 0..<50 { try await store.insertAction(makeAction("report-\(index)")) }
            let plan = try await store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteAutomationStore.firstEntryOfTenantSQL, arguments: [1, "p", "acme"])
                    .map { $0["detail"] as String? ?? "" }
            }
            #expect(plan.count == 2, "\(plan)")
            #expect(plan.first?.contains("executionHistory_processHash") == true, "\(plan)")
            #expect(plan.last.map { $0.contains("SEARCH a USING INDEX sqlite_autoindex_automatedAction_1") } == true, "\(plan)")
        }
    }

    @Test func historyWrittenBeforeTheHashesIsFoundAfterTheUpgrade() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let action = makeAction("report")
            let triggerId = ExecutionSourceID(TriggerID.random())
            let first = entry(action.id, event: "evt-1", trigger: triggerId, started: at(1))
            let second = entry(action.id, event: "evt-2", trigger: nil, item: 3, started: at(2), type: .manual)
            // A file as v3 left it, with history rows and no hashes.
            try await writeV3File(at: path, action: action, runs: [first, second])

            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            #expect(try await store.diagnostics().isSchemaCurrent)
            #expect(try await store.historyEntry(processId: first.processId)?.id == first.id)
            #expect(try await store.historyEntry(processId: second.processId)?.id == second.id)
            // The redelivery of an event recorded before the upgrade is still a duplicate.
            let redelivered = entry(action.id, event: "evt-2", trigger: nil, item: 3, started: at(9), type: .manual)
            let stored = try await store.appendHistory([redelivered])
            #expect(stored.map(\.id) == [second.id])
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items.count == 2)
            let completion = try await store.completeExecution(processId: first.processId, outcome: .failed, errorMessage: "boom", at: at(3))
            #expect(completion?.entry.outcome == .failed)
        }
    }
}

/// A database file as schema v3 left it: `action` and its history `runs` (each in its own
/// outcome), written with that version's columns, closed. Opening a store on it upgrades it.
func writeV3File(at path: String, action: AutomatedAction, runs: [ExecutionHistoryEntry]) async throws {
    let queue = try DatabaseQueue(path: path)
    try StoreMigrations.migrator.migrate(queue, upTo: StoreMigrations.v3)
    try await queue.write { db in
        try insertBareAction(db, action)
        for run in runs {
            try db.execute(
                sql: """
                    INSERT INTO executionHistory (id, actionId, triggerType, triggerId, processId, processType,
                        dateStarted, outcome, sourceEventId, itemIndex)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.id.description, run.actionId.description, run.triggerType.rawValue, run.triggerId?.description,
                    run.processId.description, run.processType.rawValue, StoredDate.value(run.dateStarted),
                    run.outcome.rawValue, run.sourceEventId, run.itemIndex,
                ])
        }
    }
    try queue.close()
}
