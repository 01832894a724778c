import Automation
import Foundation
import Testing

/// `record(_:)`: what one batch of the run path writes, in one transaction — against both stores.
@Suite("Contract: run records")
struct RunRecordContractTests {
    @Test(arguments: StoreKind.allCases)
    func completionsHistoryAndProgressAreWrittenTogether(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report", schedules: [schedule("s", next: at(3600))])
            try await store.insertAction(action)
            let started = entry(action.id, event: "e-1", started: at(1))
            _ = try await store.appendHistory([started])

            let new = entry(action.id, event: "e-2", started: at(2))
            let progress = ScheduleProgress(
                actionId: action.id, scheduleId: action.schedules[0].id, lastFired: at(3600), nextOccurrence: at(7200))
            let recorded = try await store.record(RunRecord(
                completions: [ExecutionCompletionRequest(processId: started.processId, outcome: .success, errorMessage: nil)],
                history: [new], scheduleProgress: [progress], at: at(5)))
            #expect(recorded.completions.map { $0?.entry.outcome } == [.success])
            #expect(recorded.history == [new])
            #expect(recorded.heldBy == nil)
            #expect(try await store.historyEntry(processId: started.processId)?.dateCompleted == at(5))
            #expect(try await store.lastFiredOccurrences()[action.schedules[0].id] == at(3600))
            #expect(try await store.action(id: action.id, tenant: acme)?.schedules[0].nextOccurrence == at(7200))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchThatFailsWritesNothingOfIt(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report", schedules: [schedule("s", next: at(3600))])
            try await store.insertAction(action)
            let started = entry(action.id, event: "e-1", started: at(1))
            _ = try await store.appendHistory([started])

            let orphan = entry(.random(), event: "e-2", started: at(2))
            let progress = ScheduleProgress(
                actionId: action.id, scheduleId: action.schedules[0].id, lastFired: at(3600), nextOccurrence: at(7200))
            let key = ManualRunKey(tenantId: acme, actionId: action.id, key: "k", eventId: "e-2", createdAt: at(2))
            let refused = await automationError {
                try await store.record(RunRecord(
                    completions: [ExecutionCompletionRequest(processId: started.processId, outcome: .failed, errorMessage: "x")],
                    history: [orphan], scheduleProgress: [progress], manualRunKey: key, at: at(5)))
            }
            #expect(refused?.code == .notFound)
            #expect(try await store.historyEntry(processId: started.processId)?.outcome == .pending, "the completion was undone")
            #expect(try await store.lastFiredOccurrences()[action.schedules[0].id] == nil, "the progress was undone")
            #expect(try await store.manualRunKey("k", actionId: action.id, tenant: acme) == nil, "the key was undone")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theRecordSaysWhichRowsWereRecordedBefore(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let first = entry(action.id, event: "e-1", started: at(1))
            let firstAgain = entry(action.id, event: "e-1", started: at(9))
            let second = entry(action.id, event: "e-2", started: at(2))
            let secondAgain = entry(action.id, event: "e-2", started: at(3))
            #expect(try await store.record(RunRecord(history: [first], at: at(1))).alreadyRecorded == [false])
            let recorded = try await store.record(RunRecord(history: [firstAgain, second, secondAgain], at: at(2)))
            #expect(recorded.alreadyRecorded == [true, false, true], "an earlier batch's key, a new one, the same batch's key")
            #expect(recorded.history.map(\.dateStarted) == [at(1), at(2), at(2)], "the earlier rows come back")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLiveManualRunKeyHoldsTheActionAndAnExpiredOneIsReplaced(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let firstRun = entry(action.id, event: "manual-1", trigger: nil, started: at(0), type: .manual)
            let key = ManualRunKey(tenantId: acme, actionId: action.id, key: "order-7", eventId: "manual-1", createdAt: at(0))
            #expect(try await store.record(RunRecord(history: [firstRun], manualRunKey: key, at: at(0))).heldBy == nil)
            #expect(try await store.history(keys: [firstRun.idempotencyKey], actionId: action.id) == [firstRun])
            #expect(try await store.history(keys: [firstRun.idempotencyKey], actionId: .random()).isEmpty, "another action's")

            // The same key an hour later: held by the first run; the second run is not written.
            let secondRun = entry(action.id, event: "manual-2", trigger: nil, started: at(3600), type: .manual)
            let again = ManualRunKey(tenantId: acme, actionId: action.id, key: "order-7", eventId: "manual-2", createdAt: at(3600))
            let held = try await store.record(RunRecord(history: [secondRun], manualRunKey: again, at: at(3600)))
            #expect(held.heldBy == key && held.history.isEmpty)
            #expect(try await store.history(keys: [secondRun.idempotencyKey], actionId: action.id).isEmpty)

            // Another tenant or action with the same text is another key.
            let other = makeAction("other")
            try await store.insertAction(other)
            let elsewhere = ManualRunKey(tenantId: acme, actionId: other.id, key: "order-7", eventId: "manual-3", createdAt: at(3600))
            #expect(try await store.record(RunRecord(manualRunKey: elsewhere, at: at(3600))).heldBy == nil)

            // After the lifetime the key is free again, and pruning forgets the expired ones.
            let late = at(Int(ManualRunKey.lifetime) + 1)
            let renewed = ManualRunKey(tenantId: acme, actionId: action.id, key: "order-7", eventId: "manual-4", createdAt: late)
            #expect(try await store.record(RunRecord(manualRunKey: renewed, at: late)).heldBy == nil)
            #expect(try await store.manualRunKey("order-7", actionId: action.id, tenant: acme) == renewed)
            #expect(try await store.pruneManualRunKeys(createdBefore: at(3601)) == 1, "the key of the other action, from 3600")
            #expect(try await store.manualRunKey("order-7", actionId: other.id, tenant: acme) == nil)
            #expect(try await store.manualRunKey("order-7", actionId: action.id, tenant: acme) == renewed)
        }
    }
}
