import Automation
import Foundation
import Testing

/// What the web console reads: history filtered by outcome and trigger type before paging, and
/// the run summaries of a page of actions — against both stores.
@Suite("Contract: console reads")
struct ConsoleContractTests {
    @Test(arguments: StoreKind.allCases)
    func historyFilterAppliesBeforePaging(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            let other = makeAction("other")
            try await store.insertAction(action)
            try await store.insertAction(other)
            // 12 entries: message and manual alternating; every third closed Failed, the rest of the
            // message ones closed Success. The other action's entries must never show.
            var written: [ExecutionHistoryEntry] = []
            for index in 0..<12 {
                written.append(entry(action.id, event: "e\(index)", started: at(index), type: index.isMultiple(of: 2) ? .message : .manual))
            }
            try await store.appendHistory(written)
            try await store.appendHistory([entry(other.id, event: "x", started: at(50)), entry(other.id, event: "y", started: at(51))])
            let failed = written.enumerated().filter { $0.offset.isMultiple(of: 3) }.map(\.element)
            let succeeded = written.enumerated().filter { !$0.offset.isMultiple(of: 3) && $0.offset.isMultiple(of: 2) }.map(\.element)
            _ = try await store.completeExecutions(
                failed.map { ExecutionCompletionRequest(processId: $0.processId, outcome: .failed, errorMessage: "no") }
                    + succeeded.map { ExecutionCompletionRequest(processId: $0.processId, outcome: .success, errorMessage: nil) },
                at: at(100))

            func all(_ filter: HistoryFilter, pageSize: Int) async throws -> [String] {
                var events: [String] = []
                var cursor: String?
                repeat {
                    let page = try await store.history(actionId: action.id, filter: filter, page: PageRequest(limit: pageSize, cursor: cursor))
                    #expect(page.items.count <= pageSize)
                    #expect(page.items.allSatisfy(filter.includes))
                    events += page.items.map(\.sourceEventId)
                    cursor = page.nextCursor
                } while cursor != nil
                return events
            }
            // Newest first; a page of 2 is full whatever the filter removes in between.
            #expect(try await all(HistoryFilter(outcome: .failed), pageSize: 2) == ["e9", "e6", "e3", "e0"])
            #expect(try await all(HistoryFilter(triggerType: .manual), pageSize: 2) == ["e11", "e9", "e7", "e5", "e3", "e1"])
            #expect(try await all(HistoryFilter(outcome: .pending, triggerType: .manual), pageSize: 2) == ["e11", "e7", "e5", "e1"])
            #expect(try await all(HistoryFilter(outcome: .success, triggerType: .message), pageSize: 5) == ["e10", "e8", "e4", "e2"])
            #expect(try await all(HistoryFilter(triggerType: .schedule), pageSize: 2).isEmpty)
            #expect(try await all(HistoryFilter(), pageSize: 5).count == 12)
            // The unfiltered listing is the empty filter's.
            #expect(try await store.history(actionId: action.id, page: PageRequest(limit: 3)).items
                == store.history(actionId: action.id, filter: HistoryFilter(), page: PageRequest(limit: 3)).items)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runSummariesCountOutcomesAndNameTheNewestEntry(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let busy = makeAction("busy")
            let idle = makeAction("idle")
            try await store.insertAction(busy)
            try await store.insertAction(idle)
            let runs = (0..<5).map { entry(busy.id, event: "b\($0)", started: at($0 * 10)) }
            try await store.appendHistory(runs)
            _ = try await store.completeExecutions(
                [
                    ExecutionCompletionRequest(processId: runs[0].processId, outcome: .success, errorMessage: nil),
                    ExecutionCompletionRequest(processId: runs[1].processId, outcome: .success, errorMessage: nil),
                    ExecutionCompletionRequest(processId: runs[2].processId, outcome: .success, errorMessage: nil),
                    ExecutionCompletionRequest(processId: runs[3].processId, outcome: .failed, errorMessage: "boom"),
                ], at: at(100))
            // Same start as the newest: ties go to the later insertion.
            let tie = entry(busy.id, event: "b-tie", started: at(40))
            try await store.appendHistory([tie])

            let unknown = ActionID.random()
            let summaries = try await store.runSummaries(actionIds: [idle.id, busy.id, unknown])
            #expect(summaries.map(\.actionId) == [idle.id, busy.id, unknown], "in the order asked")
            #expect(summaries[0] == ActionRunSummary(actionId: idle.id))
            #expect(summaries[0].successRate == nil)
            #expect(summaries[1].successes == 3 && summaries[1].failures == 1)
            #expect(summaries[1].successRate == 0.75)
            #expect(summaries[1].last?.sourceEventId == "b-tie")
            #expect(summaries[1].last?.outcome == .pending)
            #expect(summaries[2] == ActionRunSummary(actionId: unknown))
            #expect(try await store.runSummaries(actionIds: []).isEmpty)
        }
    }
}
