import Automation
import Foundation
import Testing

/// Execution history: idempotent append, paging, completion, retention — against both stores.
@Suite("Contract: history")
struct HistoryContractTests {
    @Test(arguments: StoreKind.allCases)
    func appendIsIdempotentOnEventTriggerAndItem(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let triggerId = ExecutionSourceID(TriggerID.random())
            let first = entry(action.id, event: "evt-1", trigger: triggerId, item: 0, started: at(10))
            let second = entry(action.id, event: "evt-1", trigger: triggerId, item: 1, started: at(10))
            #expect(try await store.appendHistory([first, second]) == [first, second])

            // A redelivery: new ids, same keys. The stored entries come back instead.
            let again = entry(action.id, event: "evt-1", trigger: triggerId, item: 1, started: at(99))
            let otherTrigger = entry(action.id, event: "evt-1", trigger: .init(TriggerID.random()), item: 1, started: at(11))
            let otherEvent = entry(action.id, event: "evt-2", trigger: triggerId, item: 1, started: at(12))
            let result = try await store.appendHistory([again, otherTrigger, otherEvent])
            #expect(result == [second, otherTrigger, otherEvent])

            // Duplicates within one batch: the first one wins.
            let manualA = entry(action.id, event: "manual-1", trigger: nil, started: at(13), type: .manual)
            let manualB = entry(action.id, event: "manual-1", trigger: nil, started: at(14), type: .manual)
            #expect(try await store.appendHistory([manualA, manualB]) == [manualA, manualA])
            #expect(try await store.appendHistory([manualB]) == [manualA])

            let all = try await store.history(actionId: action.id, page: PageRequest())
            #expect(all.items.count == 5)
            #expect(Set(all.items.map(\.id)) == Set([first, second, otherTrigger, otherEvent, manualA].map(\.id)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendForAnAbsentActionRecordsNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let good = entry(action.id, event: "e", started: at(1))
            let orphan = entry(.random(), event: "e", item: 1, started: at(1))
            #expect(await automationError { try await store.appendHistory([good, orphan]) }?.code == .notFound)
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items.isEmpty)
            #expect(try await store.historyEntry(processId: good.processId) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func historyIsNewestFirstWithTiesByInsertionAndCursorPaging(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            let other = makeAction("other")
            try await store.insertAction(action)
            try await store.insertAction(other)
            // 120 entries, three per second, written in shuffled batches: order must come from
            // (dateStarted, insertion), not from the writing order of the seconds.
            var written: [ExecutionHistoryEntry] = []
            for second in (0..<40).shuffled() {
                let batch = (0..<3).map { entry(action.id, event: "e\(second)", item: $0, started: at(second)) }
                _ = try await store.appendHistory(batch + [entry(other.id, event: "o\(second)", started: at(second))])
                written += batch
            }
            let expected = written.enumerated()
                .sorted { ($0.element.dateStarted, $0.offset) > ($1.element.dateStarted, $1.offset) }
                .map(\.element)

            let firstPage = try await store.history(actionId: action.id, page: PageRequest())
            #expect(firstPage.items == Array(expected.prefix(PageRequest.defaultLimit)))
            #expect(firstPage.nextCursor != nil)

            let walk = try await allHistory(store, action.id, pageSize: 7)
            #expect(walk.entries == expected)
            #expect(walk.pages == 18)  // 120 / 7 rounded up

            let exact = try await store.history(actionId: action.id, page: PageRequest(limit: 120))
            #expect(exact.items.count == 120)
            #expect(exact.nextCursor == nil)

            for cursor in ["nope", "12", "x:1", "1:y", "1:2:3"] {
                let bad = await automationError { try await store.history(actionId: action.id, page: PageRequest(cursor: cursor)) }
                #expect(bad?.code == .invalidInput, "cursor \(cursor)")
                #expect(bad?.field == "cursor")
            }
        }
    }

    /// Instants as a clock gives them (microseconds, not whole seconds), a batch's entries sharing
    /// one: the cursor of a page that ends inside a batch must bring back the rest of it (bound
    /// as a `Date`, PostgreSQL's cursor fell a microsecond short and left them out).
    @Test(arguments: StoreKind.allCases)
    func cursorPagingLosesNoEntryOfABatchSharingAClockInstant(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            var written = 0
            for batch in 0..<40 {
                let instant = at(batch).addingTimeInterval(0.000_001 * Double(123_457 + 7_919 * batch))
                _ = try await store.appendHistory((0..<3).map { entry(action.id, event: "e\(batch)", item: $0, started: instant) })
                written += 3
            }
            let walk = try await allHistory(store, action.id, pageSize: 7)
            #expect(walk.entries.count == written)
            #expect(Set(walk.entries.map(\.idempotencyKey)).count == written)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func completionClosesTheEntryAndCountsOnTheAction(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let runs = (0..<4).map { entry(action.id, event: "e\($0)", started: at($0)) }
            _ = try await store.appendHistory(runs)

            let failed = try #require(
                try await store.completeExecution(processId: runs[0].processId, outcome: .failed, errorMessage: "disk full", at: at(100))
            )
            #expect(failed.totalExecutions == 1)
            #expect(failed.consecutiveFailures == 1)
            #expect(failed.entry.outcome == .failed)
            #expect(failed.entry.dateCompleted == at(100))
            #expect(failed.entry.errorMessage == "disk full")
            #expect(try await store.historyEntry(processId: runs[0].processId) == failed.entry)

            let again = try await store.completeExecution(processId: runs[1].processId, outcome: .failed, errorMessage: nil, at: at(101))
            #expect(again?.consecutiveFailures == 2)
            #expect(again?.totalExecutions == 2)

            // A redelivered completion changes nothing.
            #expect(try await store.completeExecution(processId: runs[0].processId, outcome: .success, errorMessage: nil, at: at(102)) == nil)
            #expect(try await store.completeExecution(processId: .random(), outcome: .success, errorMessage: nil, at: at(102)) == nil)

            let success = try await store.completeExecution(processId: runs[2].processId, outcome: .success, errorMessage: nil, at: at(103))
            #expect(success?.totalExecutions == 3)
            #expect(success?.consecutiveFailures == 0)

            let stored = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(stored.totalExecutions == 3)
            #expect(stored.consecutiveFailures == 0)
            #expect(stored.dateUpdated == at(0))
            #expect(try await store.historyEntry(processId: runs[3].processId)?.outcome == .pending)
            #expect(try await store.historyEntry(processId: runs[0].processId)?.outcome == .failed)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func completionsOfABatchCloseInOrderAndOnlyOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let runs = (0..<3).map { entry(action.id, event: "e\($0)", started: at($0)) }
            _ = try await store.appendHistory(runs)
            func request(_ run: ExecutionHistoryEntry, _ outcome: ExecutionOutcome) -> ExecutionCompletionRequest {
                ExecutionCompletionRequest(processId: run.processId, outcome: outcome, errorMessage: outcome == .failed ? "boom" : nil)
            }
            let closed = try await store.completeExecutions(
                [
                    request(runs[0], .failed), ExecutionCompletionRequest(processId: .random(), outcome: .success, errorMessage: nil),
                    request(runs[0], .success),  // redelivered within the batch: already closed
                    request(runs[1], .success),
                ], at: at(100))
            #expect(closed.map { $0?.entry.processId } == [runs[0].processId, nil, nil, runs[1].processId])
            #expect(closed[0]?.consecutiveFailures == 1 && closed[0]?.totalExecutions == 1)
            #expect(closed[3]?.consecutiveFailures == 0 && closed[3]?.totalExecutions == 2)
            #expect(try await store.historyEntry(processId: runs[0].processId)?.errorMessage == "boom")
            #expect(try await store.historyEntry(processId: runs[2].processId)?.outcome == .pending)
            #expect(try await store.completeExecutions([], at: at(101)).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCompletionOfAnotherTenantClosesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let mine = makeAction("report", tenant: acme)
            let theirs = makeAction("report", tenant: globex)
            try await store.insertAction(mine)
            try await store.insertAction(theirs)
            let acmeRun = entry(mine.id, event: "a", started: at(1))
            let globexRun = entry(theirs.id, event: "g", started: at(2))
            _ = try await store.appendHistory([acmeRun, globexRun])

            // Globex's completion of acme's process, alone and in a batch with its own.
            let forged = ExecutionCompletionRequest(processId: acmeRun.processId, tenantId: globex, outcome: .failed, errorMessage: "forged")
            #expect(try await store.completeExecution(forged, at: at(10)) == nil)
            let batch = try await store.completeExecutions(
                [forged, ExecutionCompletionRequest(processId: globexRun.processId, tenantId: globex, outcome: .success, errorMessage: nil)],
                at: at(11))
            #expect(batch.map { $0?.entry.processId } == [nil, globexRun.processId])

            let untouched = try #require(try await store.historyEntry(processId: acmeRun.processId))
            #expect(untouched.outcome == .pending && untouched.dateCompleted == nil && untouched.errorMessage == nil)
            let counters = try #require(try await store.action(id: mine.id, tenant: acme))
            #expect(counters.totalExecutions == 0 && counters.consecutiveFailures == 0)
            #expect(try await store.action(id: theirs.id, tenant: globex)?.totalExecutions == 1)

            // The entry's own tenant closes it.
            let own = ExecutionCompletionRequest(processId: acmeRun.processId, tenantId: acme, outcome: .failed, errorMessage: "disk full")
            let closed = try #require(try await store.completeExecution(own, at: at(12)))
            #expect(closed.entry.outcome == .failed && closed.entry.errorMessage == "disk full")
            #expect(closed.totalExecutions == 1 && closed.consecutiveFailures == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pruningKeepsTheNewestPerActionAndDropsOldEntries(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let busy = makeAction("busy")
            let quiet = makeAction("quiet")
            try await store.insertAction(busy)
            try await store.insertAction(quiet)
            _ = try await store.appendHistory((0..<10).map { Self.closed(entry(busy.id, event: "b\($0)", started: at($0 * 10))) })
            _ = try await store.appendHistory((0..<3).map { Self.closed(entry(quiet.id, event: "q\($0)", started: at($0 * 10))) })

            #expect(try await store.pruneHistory(keepLastPerAction: nil, startedBefore: nil) == 0)

            // Keep 5 per action: busy loses its 5 oldest, quiet keeps all 3.
            #expect(try await store.pruneHistory(keepLastPerAction: 5, startedBefore: nil) == 5)
            #expect(try await store.history(actionId: busy.id, page: PageRequest()).items.map(\.sourceEventId) == ["b9", "b8", "b7", "b6", "b5"])
            #expect(try await store.history(actionId: quiet.id, page: PageRequest()).items.count == 3)

            // Age: entries started before t=15 go (quiet's q0 and q1).
            #expect(try await store.pruneHistory(keepLastPerAction: nil, startedBefore: at(15)) == 2)
            #expect(try await store.history(actionId: quiet.id, page: PageRequest()).items.map(\.sourceEventId) == ["q2"])

            // Both at once: the count drops busy's b5, the age drops quiet's q2.
            #expect(try await store.pruneHistory(keepLastPerAction: 4, startedBefore: at(25)) == 2)
            #expect(try await store.history(actionId: busy.id, page: PageRequest()).items.map(\.sourceEventId) == ["b9", "b8", "b7", "b6"])
            #expect(try await store.history(actionId: quiet.id, page: PageRequest()).items.isEmpty)

            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: nil) == 4)
            #expect(try await store.history(actionId: busy.id, page: PageRequest()).items.isEmpty)
        }
    }
    @Test(arguments: StoreKind.allCases)
    func pruningOneTenantLeavesTheOthersHistory(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let mine = makeAction("mine")
            let theirs = makeAction("theirs", tenant: globex)
            try await store.insertAction(mine)
            try await store.insertAction(theirs)
            _ = try await store.appendHistory((0..<4).map { Self.closed(entry(mine.id, event: "m\($0)", started: at($0 * 10))) })
            _ = try await store.appendHistory((0..<4).map { Self.closed(entry(theirs.id, event: "t\($0)", started: at($0 * 10))) })

            #expect(try await store.pruneHistory(keepLastPerAction: nil, startedBefore: at(15), tenant: acme) == 2)
            #expect(try await store.pruneHistory(keepLastPerAction: 1, startedBefore: nil, tenant: acme) == 1)
            #expect(try await store.pruneHistory(keepLastPerAction: 1, startedBefore: at(25), tenant: acme) == 0)
            #expect(try await store.history(actionId: mine.id, page: PageRequest()).items.map(\.sourceEventId) == ["m3"])
            #expect(try await store.history(actionId: theirs.id, page: PageRequest()).items.count == 4, "globex's entries stay")
        }
    }

    /// `entry` recorded as ended: what retention prunes.
    static func closed(_ entry: ExecutionHistoryEntry) -> ExecutionHistoryEntry {
        var closed = entry
        closed.outcome = .success
        closed.dateCompleted = entry.dateStarted.addingTimeInterval(1)
        return closed
    }

    /// Retention leaves the entry of a run under way alone, whatever the count and age rules
    /// (even "keep none, older than now"), until its process is taken as lost (started before
    /// `underWayStartedBefore`): its completion must still find it.
    @Test(arguments: StoreKind.allCases)
    func pruningLeavesRunsUnderWay(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("busy")
            try await store.insertAction(action)
            let stale = entry(action.id, event: "stale", started: at(-100))
            let pending = entry(action.id, event: "pending", started: at(0))
            let running = entry(action.id, event: "running", started: at(5))
            _ = try await store.appendHistory([stale, pending, running] + (1...3).map { Self.closed(entry(action.id, event: "done\($0)", started: at($0 * 10))) })
            _ = try await store.completeExecution(processId: running.processId, outcome: .running, errorMessage: nil, at: at(6))

            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: at(1_000), underWayStartedBefore: nil, tenant: acme) == 3)
            var left = try await store.history(actionId: action.id, page: PageRequest()).items
            #expect(left.map(\.sourceEventId).sorted() == ["pending", "running", "stale"])
            let closed = try await store.completeExecution(processId: pending.processId, outcome: .success, errorMessage: nil, at: at(2_000))
            #expect(closed?.entry.outcome == .success, "the completion found its entry")

            // Keep none: the finished run goes, and the one under way started before the line.
            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: nil, underWayStartedBefore: at(3), tenant: acme) == 2)
            left = try await store.history(actionId: action.id, page: PageRequest()).items
            #expect(left.map(\.sourceEventId) == ["running"])
            // By age alike.
            #expect(try await store.pruneHistory(keepLastPerAction: nil, startedBefore: at(1_000), underWayStartedBefore: at(6), tenant: acme) == 1)
            #expect(try await store.history(actionId: action.id, page: PageRequest()).items.isEmpty)
        }
    }
}
