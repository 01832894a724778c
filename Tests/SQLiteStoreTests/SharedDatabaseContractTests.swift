import Automation
import Foundation
import PostgresStore
import Testing

/// Two stores on one database (two processes on a SQLite file, two PostgreSQL replicas) writing
/// the same rows at once: what the schema's uniqueness and the stores' locks must make safe.
/// Every outcome is checked exactly; none depends on how the writers interleave.
@Suite("Contract: two writers on one database")
struct SharedDatabaseContractTests {
    @Test(arguments: StoreKind.sharedCases)
    func replicasClosingAndRecordingAcrossActionsAndHoursCountEveryRunOnce(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { store, other in
            let actions = (0..<4).map { makeAction("action \($0)") }
            for action in actions { try await store.insertAction(action) }
            // 40 runs spread over the actions and over four hours.
            let runs = (0..<40).map { index in
                entry(actions[index % 4].id, event: "e\(index)", started: at((index % 4) * 3600 + index))
            }
            _ = try await store.appendHistory(runs)

            // Each replica closes every run (half of them failures) and records new runs, in
            // batches whose completions name the actions and hours in different orders: the
            // writes meet on the same action and hourly counter rows.
            let closed = try await withThrowingTaskGroup(of: Int.self) { group in
                for (replica, target) in [store, other, store, other].enumerated() {
                    group.addTask {
                        var closed = 0
                        for chunk in stride(from: 0, to: 40, by: 8) {
                            let order = replica.isMultiple(of: 2) ? Array(runs[chunk..<chunk + 8]) : runs[chunk..<chunk + 8].reversed()
                            let completions = order.map { run in
                                ExecutionCompletionRequest(
                                    processId: run.processId, outcome: run.sourceEventId.hasSuffix("0") ? .failed : .success,
                                    errorMessage: nil)
                            }
                            let fresh = (0..<4).map { index in
                                entry(actions[(index + replica) % 4].id, event: "r\(replica)-\(chunk)-\(index)", started: at(index * 3600 + 7200))
                            }
                            let recorded = try await target.record(RunRecord(completions: completions, history: fresh, at: at(20_000)))
                            closed += recorded.completions.compactMap { $0 }.count
                        }
                        return closed
                    }
                }
                return try await group.reduce(0, +)
            }

            #expect(closed == 40, "each run closed by exactly one of the replicas' completions")
            var total = 0
            for action in actions {
                let stored = try #require(try await other.action(id: action.id, tenant: acme))
                total += stored.totalExecutions
            }
            #expect(total == 40)
            let statistics = try await other.tenantStatistics(tenant: acme, since: at(-3600), horizon: at(0), topFailing: 10)
            #expect(statistics.runsByOutcome.filter { $0.value != 0 } == [.success: 36, .failed: 4, .pending: 80])
            #expect(statistics.topFailing.map(\.failures).reduce(0, +) == 4)
            // Every transaction takes its locks in the store's order: none met another in a deadlock.
            #expect(retried(store) + retried(other) == 0)
        }
    }

    @Test(arguments: StoreKind.sharedCases)
    func oneReplicaRunsAManualKeyTheOthersAreToldWhoHoldsIt(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { store, other in
            let action = makeAction("report")
            try await store.insertAction(action)
            let outcomes = try await withThrowingTaskGroup(of: RecordedRun.self) { group in
                for attempt in 0..<8 {
                    group.addTask {
                        let key = ManualRunKey(tenantId: acme, actionId: action.id, key: "pay-42", eventId: "manual-\(attempt)", createdAt: at(10))
                        let run = entry(action.id, event: "manual-\(attempt)", started: at(10), type: .manual)
                        return try await (attempt.isMultiple(of: 2) ? store : other).record(
                            RunRecord(history: [run], manualRunKey: key, at: at(10)))
                    }
                }
                return try await group.reduce(into: [RecordedRun]()) { $0.append($1) }
            }
            let ran = outcomes.filter { $0.heldBy == nil }
            #expect(ran.count == 1)
            let holder = try #require(try await store.manualRunKey("pay-42", actionId: action.id, tenant: acme))
            #expect(outcomes.compactMap(\.heldBy).allSatisfy { $0 == holder } && ran.first?.history.first?.sourceEventId == holder.eventId)
            #expect(try await other.history(actionId: action.id, page: PageRequest()).items.count == 1)
        }
    }

    @Test(arguments: StoreKind.sharedCases)
    func replicasSchedulingDelayedRunsStopAtTheLimit(_ kind: StoreKind) async throws {
        try await kind.withTwoStores { store, other in
            let action = makeAction("report")
            try await store.insertAction(action)
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let run = DelayedRun(tenantId: acme, actionId: action.id, dueAt: at(600 + index), dateCreated: at(0))
                        do {
                            return try await (index.isMultiple(of: 2) ? store : other).insertDelayedRun(run, requestKey: nil, limit: 5).created
                        } catch let error as AutomationError where error.code == .limitExceeded {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 5)
            #expect(try await other.pendingDelayedRuns().count == 5)
        }
    }
}

/// How many transactions a PostgreSQL store ran again after a deadlock (none for other stores).
private func retried(_ store: any AutomationStore) -> Int {
    (store as? PostgresAutomationStore)?.retriedTransactions ?? 0
}
