import Automation
import Foundation
import Testing

/// Statistics against numbers computed by hand from the rows written.
@Suite("Contract: statistics")
struct StatisticsContractTests {
    @Test(arguments: StoreKind.allCases)
    func tenantAndActionStatisticsMatchTheHistoryWritten(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let daily = schedule("soon", next: at(300))
            let later = schedule("later", next: at(7200))
            let a = makeAction("a", schedules: [daily, later])
            let b = makeAction("b")
            let paused = makeAction("c", status: .paused, schedules: [schedule("paused soon", next: at(300))])
            for action in [a, b, paused, makeAction("d", status: .draft), makeAction("e", status: .archived), makeAction("x", tenant: globex)] {
                try await store.insertAction(action)
            }
            // a: four finished runs of 10, 20, 30 and 40 s (the last failed), one running, one
            // before the window; b: two failed; another tenant's failure.
            let aRuns = [0, 60, 120, 180, 200].map { entry(a.id, event: "a\($0)", started: at($0)) }
            let old = entry(a.id, event: "old", started: at(-7200))
            let bRuns = [10, 20].map { entry(b.id, event: "b\($0)", started: at($0)) }
            let other = try #require(try await store.action(named: "x", namespace: production, tenant: globex))
            let theirs = entry(other.id, event: "x", started: at(5))
            _ = try await store.appendHistory(aRuns + [old] + bRuns + [theirs])
            for (run, seconds) in zip(aRuns.prefix(3), [10, 20, 30]) {
                _ = try await store.completeExecution(processId: run.processId, outcome: .success, errorMessage: nil, at: run.dateStarted + TimeInterval(seconds))
            }
            _ = try await store.completeExecution(processId: aRuns[3].processId, outcome: .failed, errorMessage: "x", at: at(220))
            _ = try await store.completeExecution(
                ExecutionCompletionRequest(processId: aRuns[4].processId, tenantId: acme, outcome: .running, errorMessage: nil), at: at(210))
            _ = try await store.completeExecution(processId: old.processId, outcome: .success, errorMessage: nil, at: at(-7100))
            for run in bRuns + [theirs] {
                _ = try await store.completeExecution(processId: run.processId, outcome: .failed, errorMessage: "x", at: at(30))
            }
            for due in [at(600), at(9000)] {
                _ = try await store.insertDelayedRun(DelayedRun(tenantId: acme, actionId: b.id, dueAt: due, dateCreated: at(0)), requestKey: nil, limit: 10)
            }

            let tenant = try await store.tenantStatistics(tenant: acme, since: at(0), horizon: at(3600), topFailing: 5)
            #expect(tenant.actionsByStatus == [.active: 2, .paused: 1, .draft: 1, .archived: 1])
            #expect(tenant.runsByOutcome.filter { $0.value != 0 } == [.success: 3, .failed: 3, .running: 1])
            #expect(tenant.topFailing.map(\.name) == ["b", "a"])
            #expect(tenant.topFailing.map(\.failures) == [2, 1])
            #expect(tenant.schedulesDue.map(\.name) == ["soon"], "only enabled schedules of active actions, due before the horizon")
            #expect(tenant.delayedRunsDue == 1)
            let wider = try await store.tenantStatistics(tenant: acme, since: at(-7200), horizon: at(3600), topFailing: 1)
            #expect(wider.runsByOutcome[.success] == 4)
            #expect(wider.topFailing.map(\.name) == ["b"])

            let action = try #require(try await store.actionStatistics(actionId: a.id, tenant: acme, since: at(0), durationSample: 100))
            #expect(action.runsByOutcome.filter { $0.value != 0 } == [.success: 3, .failed: 1, .running: 1])
            #expect(action.p50DurationSeconds == 20, "nearest rank: the 2nd of 10, 20, 30, 40")
            #expect(action.p95DurationSeconds == 40)
            #expect(action.lastRunAt == at(200) && action.lastOutcome == .running)
            let latestTwo = try #require(try await store.actionStatistics(actionId: a.id, tenant: acme, since: at(0), durationSample: 2))
            #expect(latestTwo.runsByOutcome.filter { $0.value != 0 } == [.success: 3, .failed: 1, .running: 1], "counts stay exact")
            #expect(latestTwo.p50DurationSeconds == 30 && latestTwo.p95DurationSeconds == 40, "over the latest two finished: 30 and 40 s")
            #expect(latestTwo.durationSampleSize == 2 && action.durationSampleSize == 4)
            #expect(try await store.actionStatistics(actionId: a.id, tenant: globex, since: at(0), durationSample: 100) == nil)
            let quiet = try #require(try await store.actionStatistics(actionId: paused.id, tenant: acme, since: at(0), durationSample: 100))
            #expect(quiet.runsByOutcome.isEmpty && quiet.p50DurationSeconds == nil && quiet.lastRunAt == nil)
        }
    }

    /// The tenant's run counts are of runs that happened: cleanup and a deleted action leave them
    /// (a deleted action leaves the top failing list), a run forgotten because the broker refused
    /// it never happened and leaves them.
    @Test(arguments: StoreKind.allCases)
    func runCountsOutliveCleanupButNotAForgottenRun(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let kept = makeAction("kept"), doomed = makeAction("doomed")
            try await store.insertAction(kept)
            try await store.insertAction(doomed)
            let runs = (0..<3).map { entry(kept.id, event: "k\($0)", started: at($0 * 10)) }
            let doomedRun = entry(doomed.id, event: "d", started: at(5))
            let refused = entry(kept.id, event: "refused", started: at(40))
            _ = try await store.appendHistory(runs + [doomedRun, refused])
            for run in runs + [doomedRun] {
                _ = try await store.completeExecution(processId: run.processId, outcome: .failed, errorMessage: "x", at: at(50))
            }
            func counts() async throws -> TenantRunCounts {
                let stats = try await store.tenantStatistics(tenant: acme, since: at(0), horizon: at(0), topFailing: 5)
                return TenantRunCounts(byOutcome: stats.runsByOutcome.filter { $0.value != 0 }, failing: stats.topFailing.map(\.name))
            }
            #expect(try await counts() == TenantRunCounts(byOutcome: [.failed: 4, .pending: 1], failing: ["kept", "doomed"]))

            try await store.forgetHistory(keys: [refused.idempotencyKey], actionId: kept.id)
            #expect(try await counts() == TenantRunCounts(byOutcome: [.failed: 4], failing: ["kept", "doomed"]), "the refused run is not counted")

            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: nil, tenant: acme) == 4)
            #expect(try await counts() == TenantRunCounts(byOutcome: [.failed: 4], failing: ["kept", "doomed"]), "cleanup keeps the counts")
            #expect(try await store.deleteAction(id: doomed.id, tenant: acme))
            #expect(try await counts() == TenantRunCounts(byOutcome: [.failed: 4], failing: ["kept"]), "a deleted action leaves the failing list")
        }
    }

    struct TenantRunCounts: Equatable {
        var byOutcome: [ExecutionOutcome: Int]
        var failing: [String]
    }
}
