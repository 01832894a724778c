import Automation
import Foundation
import SQLiteStore
import Testing

/// Many writers at once: the pipeline's batches racing each other, and two processes (the
/// server and the CLI) sharing the file.
@Suite("SQLite concurrency")
struct SQLiteConcurrencyTests {
    /// Another pool on the same file, or another PostgreSQL replica, stands in for another process.
    @Test(arguments: StoreKind.sharedCases)
    func concurrentAppendsOfTheSameEventsRecordEachKeyOnce(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { store, other in
            let action = makeAction("report")
            try await store.insertAction(action)
            let triggerId = ExecutionSourceID(TriggerID.random())

            // 16 deliveries of overlapping batches over 20 keys (event e0…e9, items 0 and 1); each
            // delivery brings fresh entry ids, as a replanned redelivery would.
            let results = try await withThrowingTaskGroup(of: [ExecutionHistoryEntry].self) { group in
                for delivery in 0..<16 {
                    let target = delivery.isMultiple(of: 2) ? store : other
                    group.addTask {
                        let batch = (0..<10).shuffled().flatMap { event in
                            (0..<2).map { item in
                                entry(action.id, event: "e\(event)", trigger: triggerId, item: item, started: at(event * 10 + delivery))
                            }
                        }
                        return try await target.appendHistory(batch)
                    }
                }
                return try await group.reduce(into: [[ExecutionHistoryEntry]]()) { $0.append($1) }
            }

            let stored = try await store.history(actionId: action.id, page: PageRequest(limit: 1000)).items
            #expect(stored.count == 20)
            #expect(Set(stored.map(\.idempotencyKey)).count == 20)
            let canonical = Dictionary(uniqueKeysWithValues: stored.map { ($0.idempotencyKey, $0) })
            for result in results {
                #expect(result.count == 20)
                // Every caller is told the one stored entry for each key.
                #expect(result.allSatisfy { canonical[$0.idempotencyKey] == $0 })
            }
            #expect(try await other.history(actionId: action.id, page: PageRequest(limit: 1000)).items.count == 20)
            let statistics = try await other.tenantStatistics(tenant: acme, since: at(-3600), horizon: at(0), topFailing: 5)
            #expect(statistics.runsByOutcome.filter { $0.value != 0 } == [.pending: 20], "a run refused by the key is not counted")
        }
    }

    @Test func concurrentCompletionsCountEachProcessOnce() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("db.sqlite").path)
            defer { try? store.close() }
            let action = makeAction("report")
            try await store.insertAction(action)
            let runs = (0..<10).map { entry(action.id, event: "e\($0)", started: at($0)) }
            _ = try await store.appendHistory(runs)

            // Every completion delivered three times, concurrently; half of them failures.
            let closed = try await withThrowingTaskGroup(of: Int.self) { group in
                for copy in 0..<3 {
                    for (index, run) in runs.enumerated() {
                        group.addTask {
                            let outcome: ExecutionOutcome = index < 5 ? .success : .failed
                            let result = try await store.completeExecution(
                                processId: run.processId,
                                outcome: outcome,
                                errorMessage: nil,
                                at: at(100 + copy)
                            )
                            return result == nil ? 0 : 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(closed == 10)
            let stored = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(stored.totalExecutions == 10)
            let history = try await store.history(actionId: action.id, page: PageRequest()).items
            #expect(history.allSatisfy { $0.outcome != .pending })
            #expect(history.filter { $0.outcome == .failed }.count == 5)
        }
    }
}
