import Automation
import Foundation
import JSONPath
import Testing

/// Pending → Running → Success/Failed, with `dateRunning`, the duration and the result.
@Suite("Contract: run states")
struct RunStateContractTests {
    @Test(arguments: StoreKind.allCases)
    func aStartedProcessMarksItsEntryRunningAndItsCompletionKeepsTheResult(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let runs = (0..<2).map { entry(action.id, event: "e\($0)", started: at($0)) }
            _ = try await store.appendHistory(runs)

            let running = try await store.completeExecution(
                ExecutionCompletionRequest(processId: runs[0].processId, tenantId: acme, outcome: .running, errorMessage: nil), at: at(10))
            #expect(running == nil, "a start is no completion: nothing counted")
            var stored = try #require(try await store.historyEntry(processId: runs[0].processId))
            #expect(stored.outcome == .running && stored.dateRunning == at(10) && stored.dateCompleted == nil)
            #expect(try await store.action(id: action.id, tenant: acme)?.totalExecutions == 0)

            // A second start report changes nothing; another tenant's report touches nothing.
            _ = try await store.completeExecution(
                ExecutionCompletionRequest(processId: runs[0].processId, tenantId: acme, outcome: .running, errorMessage: nil), at: at(20))
            _ = try await store.completeExecution(
                ExecutionCompletionRequest(processId: runs[1].processId, tenantId: globex, outcome: .running, errorMessage: nil), at: at(20))
            #expect(try await store.historyEntry(processId: runs[0].processId)?.dateRunning == at(10))
            #expect(try await store.historyEntry(processId: runs[1].processId)?.outcome == .pending)

            let result: JSONValue = .object(JSONObject([("rows", .int(42)), ("file", .string("report.pdf"))]))
            let closed = try #require(try await store.completeExecution(
                ExecutionCompletionRequest(processId: runs[0].processId, tenantId: acme, outcome: .success, errorMessage: nil, result: result),
                at: at(70)))
            #expect(closed.totalExecutions == 1)
            stored = try #require(try await store.historyEntry(processId: runs[0].processId))
            #expect(stored.outcome == .success && stored.result == result && stored.dateRunning == at(10))
            #expect(stored.durationSeconds == 70)

            // A start reported after the end (out of order) leaves the closed entry alone.
            _ = try await store.completeExecution(
                ExecutionCompletionRequest(processId: runs[0].processId, tenantId: acme, outcome: .running, errorMessage: nil), at: at(80))
            #expect(try await store.historyEntry(processId: runs[0].processId)?.outcome == .success)

            // A Pending entry closes directly too (no start reported).
            _ = try await store.completeExecution(processId: runs[1].processId, outcome: .failed, errorMessage: "boom", at: at(5))
            stored = try #require(try await store.historyEntry(processId: runs[1].processId))
            #expect(stored.outcome == .failed && stored.dateRunning == nil && stored.durationSeconds == 4)
        }
    }
}
