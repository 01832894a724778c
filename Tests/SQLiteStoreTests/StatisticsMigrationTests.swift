import Automation
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

/// A file written before the statistics counters (v13) gets them filled from its history when it
/// is opened, and kept by the history's triggers from then on.
@Suite("SQLite statistics migration")
struct StatisticsMigrationTests {
    @Test func countersAreFilledFromAnOlderFilesHistoryAndKeptAfterwards() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("signalbox.sqlite").path
            let action = makeAction("report")
            let runs: [(ExecutionHistoryEntry, ExecutionOutcome)] = [
                (entry(action.id, event: "e1", started: at(10)), .success),
                (entry(action.id, event: "e2", started: at(20)), .success),
                (entry(action.id, event: "e3", started: at(30)), .failed),
                (entry(action.id, event: "e4", started: at(40)), .pending),
                (entry(action.id, event: "old", started: at(-7_200)), .failed),
            ]
            // A file as an older version left it, with history in every outcome.
            try await writeV3File(at: path, action: action, runs: runs.map { run, outcome in
                var entry = run
                entry.outcome = outcome
                return entry
            })

            let store = try SQLiteAutomationStore(path: path)
            defer { try? store.close() }
            #expect(try await store.diagnostics().isSchemaCurrent)
            let upgraded = try await store.tenantStatistics(tenant: acme, since: at(0), horizon: at(0), topFailing: 5)
            #expect(upgraded.runsByOutcome.filter { $0.value != 0 } == [.success: 2, .failed: 1, .pending: 1])
            #expect(upgraded.topFailing.map(\.failures) == [1])
            let wider = try await store.tenantStatistics(tenant: acme, since: at(-7_200), horizon: at(0), topFailing: 5)
            #expect(wider.runsByOutcome[.failed] == 2 && wider.topFailing.map(\.failures) == [2])
            #expect(try await store.action(id: action.id, tenant: acme)?.execution == .parallel, "older actions run in parallel")

            // The triggers keep them from now on: the pending run fails.
            _ = try await store.completeExecution(processId: runs[3].0.processId, outcome: .failed, errorMessage: "x", at: at(50))
            let after = try await store.tenantStatistics(tenant: acme, since: at(0), horizon: at(0), topFailing: 5)
            #expect(after.runsByOutcome.filter { $0.value != 0 } == [.success: 2, .failed: 2])
            #expect(after.topFailing.map(\.failures) == [2])
        }
    }
}
