import Automation
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

/// The retention job's count rule runs every hour over the whole history while holding the write
/// lock: its plan must rank each action's entries once, never once per row.
@Suite("SQLite retention query plan")
struct RetentionQueryPlanTests {
    @Test func pruningByCountRanksTheHistoryOnceFromTheActionIndex() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("signalbox.sqlite").path)
            defer { try? store.close() }
            let plan = try await store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteAutomationStore.pruneByCountSQL, arguments: [nil, 10, nil, nil])
                    .map { $0["detail"] as String? ?? "" }
            }
            #expect(!plan.contains { $0.contains("CORRELATED") }, "a subquery run per row: \(plan)")
            #expect(plan.contains { $0.contains("executionHistory_action") }, "\(plan)")
        }
    }
}
