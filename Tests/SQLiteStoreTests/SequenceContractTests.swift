import Automation
import Foundation
import JSONPath
import Testing

/// Sequential actions (`"execution": "sequential"`), the same on both stores: the close of an
/// item's entry stores the next item as a delayed run (once, however often the completion is
/// delivered), or, after a failure, records the remaining items `Skipped`; the run counts once,
/// at its end.
@Suite("Store contract: sequences")
struct SequenceContractTests {
    static func item(_ name: String, _ inputs: [NameValuePair] = []) -> ActionItem {
        ActionItem(name: name, config: .app(AppConfig(version: VersionReference(id: "app-\(name)", version: 1), inputs: inputs)))
    }

    /// Extract → Convert (reads the file Extract reported) → Publish (reads the run's event).
    static func sequence() -> AutomatedAction {
        var action = makeAction(
            "pipeline",
            items: [
                item("Extract"),
                item("Convert", [NameValuePair(name: "file", value: ["$fromPrevious": "$.item.output.file"])]),
                item("Publish", [NameValuePair(name: "origin", value: ["$fromEvent": "$.id"])]),
            ])
        action.execution = .sequential
        return action
    }

    static func finished(_ entry: ExecutionHistoryEntry, output: JSONValue) -> ExecutionCompletionRequest {
        let body: JSONValue = ["type": "AppProcessUpdated", "item": ["id": .string(entry.processId.description), "status": "Finished", "output": output]]
        return ExecutionCompletionRequest(processId: entry.processId, tenantId: acme, outcome: .success, errorMessage: nil, eventBody: body)
    }

    /// Plans and records the run's first item; returns its entry.
    static func start(_ action: AutomatedAction, _ store: any AutomationStore, event id: String) async throws -> (ExecutionHistoryEntry, Event) {
        let event = Event.manual(id: id, of: action)
        let plan = CommandPlanner().plan(action, cause: .manual, for: event, at: at(0))
        #expect(plan.history.map(\.itemIndex) == [0], "a sequence starts its first item only")
        #expect(plan.commands.map(\.itemIndex) == [0])
        _ = try await store.record(RunRecord(history: plan.history, retainedEvents: plan.retainedEvents, at: at(0)))
        return (try #require(plan.history.first), event)
    }

    @Test(arguments: StoreKind.allCases)
    func aSuccessStoresTheNextItemOnceWithThePreviousCompletionAndTheEvent(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = Self.sequence()
            try await store.insertAction(action)
            let (first, event) = try await Self.start(action, store, event: "e-1")

            let completion = Self.finished(first, output: ["file": "out/1.csv"])
            let closed = try #require(try await store.record(RunRecord(completions: [completion], at: at(5))).completions.first ?? nil)
            let due = try #require(closed.step, "item 1 succeeded: item 2 is stored")
            #expect(closed.retry == nil)
            #expect(due.dueAt == at(5), "due at once")
            #expect(closed.totalExecutions == 0, "not counted: the run goes on")
            let run = try #require(try await store.delayedRun(id: due.id, tenant: acme))
            let step = try #require(run.step)
            #expect(step.itemIndex == 1 && step.itemName == "Convert" && step.after == first.id)
            #expect(step.sourceEventId == "e-1" && step.triggerType == .manual && step.triggerId == nil)
            #expect(step.previous == completion.eventBody, "what $fromPrevious reads")
            #expect(run.payload == event.body, "the run's event, for $fromEvent of later items")

            // The completion delivered again closes nothing and stores no second step.
            #expect(try await store.record(RunRecord(completions: [completion], at: at(6))).completions.first ?? nil == nil)
            #expect(try await store.pendingDelayedRuns().map(\.id) == [due.id])

            // The step, planned twice (a crash between recording and dispatching), is one entry
            // of the run, keyed like item 2 of it, with the previous item's file.
            let planner = CommandPlanner()
            let plan = planner.planStep(run, step, of: action, at: at(7))
            #expect(plan == planner.planStep(run, step, of: action, at: at(7)))
            let second = try #require(plan.history.first)
            #expect(plan.history.count == 1 && second.itemIndex == 1 && second.sourceEventId == "e-1" && second.triggerType == .manual)
            #expect(plan.commands.first?.id == planner.commandID(eventId: "e-1", cause: .manual, itemIndex: 1))
            #expect(plan.commands.first?.body.config == .app(AppConfig(
                version: VersionReference(id: "app-Convert", version: 1), inputs: [NameValuePair(name: "file", value: "out/1.csv")])))
            let recorded = try await store.record(RunRecord(history: plan.history, retainedEvents: plan.retainedEvents, at: at(7)))
            #expect(recorded.alreadyRecorded == [false])
            #expect(try await store.record(RunRecord(history: plan.history, at: at(8))).alreadyRecorded == [true])

            // Item 2 succeeds: item 3 reads the run's event, still kept.
            let closedSecond = try #require(
                try await store.record(RunRecord(completions: [Self.finished(second, output: ["ok": true])], at: at(9))).completions.first ?? nil)
            let thirdDue = try #require(closedSecond.step)
            let third = try #require(try await store.delayedRun(id: thirdDue.id, tenant: acme))
            #expect(third.payload == event.body && third.step?.itemIndex == 2)
            let thirdStep = try #require(third.step)
            let last = try #require(planner.planStep(third, thirdStep, of: action, at: at(10)).history.first)
            #expect(planner.planStep(third, thirdStep, of: action, at: at(10)).commands.first?.body.config == .app(AppConfig(
                version: VersionReference(id: "app-Publish", version: 1), inputs: [NameValuePair(name: "origin", value: "e-1")])))
            _ = try await store.record(RunRecord(history: [last], at: at(10)))
            let end = try #require(
                try await store.record(RunRecord(completions: [Self.finished(last, output: [:])], at: at(11))).completions.first ?? nil)
            #expect(end.step == nil, "the last item: nothing follows")
            #expect(end.totalExecutions == 1 && end.consecutiveFailures == 0, "the run counts once, at its end")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFailureStoresNoStepAndRecordsTheRemainingItemsSkippedOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = Self.sequence()
            try await store.insertAction(action)
            let (first, _) = try await Self.start(action, store, event: "e-2")
            let failure = ExecutionCompletionRequest(processId: first.processId, tenantId: acme, outcome: .failed, errorMessage: "no disk")
            let closed = try #require(try await store.record(RunRecord(completions: [failure], at: at(5))).completions.first ?? nil)
            #expect(closed.step == nil && closed.retry == nil)
            #expect(closed.totalExecutions == 1 && closed.consecutiveFailures == 1, "the run ended: counted once, failed")
            #expect(try await store.pendingDelayedRuns().isEmpty, "no next item after a failure")
            let history = try await store.history(actionId: action.id, page: PageRequest(limit: 10)).items.sorted { $0.itemIndex < $1.itemIndex }
            #expect(history.map(\.itemIndex) == [0, 1, 2])
            #expect(history.map(\.outcome) == [.failed, .skipped, .skipped])
            #expect(history.dropFirst().allSatisfy { $0.errorMessage == "not run: item 1 (Extract) failed" && $0.sourceEventId == "e-2" })
            // Keyed like the items' own entries: a step fired anyway records nothing new.
            let keys = history.dropFirst().map(\.idempotencyKey)
            let planned = CommandPlanner().plan(
                { var all = action; all.execution = .parallel; return all }(), cause: .manual, for: Event.manual(id: "e-2", of: action), at: at(0))
            #expect(Array(planned.history.dropFirst().map(\.idempotencyKey)) == keys)

            // The failure delivered again changes nothing.
            #expect(try await store.record(RunRecord(completions: [failure], at: at(6))).completions.first ?? nil == nil)
            #expect(try await store.history(actionId: action.id, page: PageRequest(limit: 10)).items.count == 3)
            let counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 1 && counted.consecutiveFailures == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theExecutionFieldIsStoredAndUpdated(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = Self.sequence()
            try await store.insertAction(action)
            #expect(try await store.action(id: action.id, tenant: acme)?.execution == .sequential)
            action.execution = .parallel
            _ = try await store.updateAction(action)
            #expect(try await store.action(id: action.id, tenant: acme)?.execution == .parallel)
            #expect(try await store.actions(tenant: acme).first { $0.id == action.id }?.execution == .parallel)
        }
    }
}

extension SequenceContractTests {
    @Test(arguments: StoreKind.allCases)
    func aStepThatCannotBePlannedEndsTheRunCountedOnceAsFailed(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = Self.sequence()
            try await store.insertAction(action)
            let (first, _) = try await Self.start(action, store, event: "e-4")
            // Item 1 finished without the output item 2 reads.
            let completion = Self.finished(first, output: ["other": 1])
            let closed = try #require(try await store.record(RunRecord(completions: [completion], at: at(5))).completions.first ?? nil)
            let due = try #require(closed.step)
            let run = try #require(try await store.delayedRun(id: due.id, tenant: acme))
            let step = try #require(run.step)
            let plan = CommandPlanner().planStep(run, step, of: action, at: at(6))
            #expect(plan.commands.isEmpty)
            #expect(plan.history.map(\.outcome) == [.failed, .skipped])
            #expect(plan.history.last?.errorMessage == "not run: item 2 (Convert) failed")
            #expect(plan.history.first?.errorMessage?.contains("$fromPrevious \"$.item.output.file\"") == true)
            _ = try await store.record(RunRecord(history: plan.history, at: at(6)))
            var counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 1 && counted.consecutiveFailures == 1)
            _ = try await store.record(RunRecord(history: plan.history, at: at(7)))
            counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 1, "recorded again: not counted again")
        }
    }

    /// A manual run of a draft (its test run) runs every item; a run any other source started
    /// stops when the action is no longer active.
    @Test(arguments: StoreKind.allCases)
    func aTestRunOfADraftGoesOnAndAnEventRunOfAPausedActionStops(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var draft = Self.sequence()
            draft.status = .draft
            try await store.insertAction(draft)
            let (first, _) = try await Self.start(draft, store, event: "test-run")
            let closed = try #require(
                try await store.record(RunRecord(completions: [Self.finished(first, output: ["file": "a.csv"])], at: at(5))).completions.first ?? nil)
            let step = try #require(closed.step, "a test run of a draft runs its next item")
            #expect(try await store.delayedRun(id: step.id, tenant: acme)?.step?.triggerType == .manual)

            var paused = Self.sequence()
            paused.name = "paused pipeline"
            let onFinish = trigger("on finish")
            paused.messageTriggers = [onFinish]
            try await store.insertAction(paused)
            let event = Event.manual(id: "event-run", of: paused)
            let plan = CommandPlanner().plan(paused, cause: .message(onFinish.id, .appProcessUpdated), for: event, at: at(0))
            _ = try await store.record(RunRecord(history: plan.history, retainedEvents: plan.retainedEvents, at: at(0)))
            paused.status = .paused
            _ = try await store.updateAction(paused)
            let entry = try #require(plan.history.first)
            let stopped = try #require(
                try await store.record(RunRecord(completions: [Self.finished(entry, output: ["file": "b.csv"])], at: at(6))).completions.first ?? nil)
            #expect(stopped.step == nil, "an event's run does not go on in a paused action")
            let rest = try await store.history(actionId: paused.id, page: PageRequest(limit: 10)).items.filter { $0.itemIndex > 0 }
            #expect(rest.count == 2 && rest.allSatisfy { $0.outcome == .skipped && $0.errorMessage?.contains("was paused") == true })
        }
    }

    /// A retry of item 2 reads the completion of item 1 again: `$fromPrevious` does not go
    /// empty on the second attempt.
    @Test(arguments: StoreKind.allCases)
    func aRetryOfALaterItemReadsThePreviousCompletionAgain(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = Self.sequence()
            action.policies.retryPolicy = RetryPolicy(maxRetries: 2, backoffSeconds: 1)
            try await store.insertAction(action)
            let (first, _) = try await Self.start(action, store, event: "e-retry")
            let completion = Self.finished(first, output: ["file": "out/7.csv"])
            let closed = try #require(try await store.record(RunRecord(completions: [completion], at: at(5))).completions.first ?? nil)
            let stepDue = try #require(closed.step)
            let stepRun = try #require(try await store.delayedRun(id: stepDue.id, tenant: acme))
            let stepTarget = try #require(stepRun.step)
            let planner = CommandPlanner()
            let second = try #require(planner.planStep(stepRun, stepTarget, of: action, at: at(6)).history.first)
            _ = try await store.record(RunRecord(history: [second], at: at(6)))
            // Its command confirmed, the step is done before item 2 fails.
            try await store.finishDelayedRuns([stepRun.id], as: .dispatched, at: at(6))

            let inputs = [NameValuePair(name: "file", value: "out/7.csv")]
            var attempt = second
            for number in 2...3 {
                let failure = ExecutionCompletionRequest(processId: attempt.processId, tenantId: acme, outcome: .failed, errorMessage: "busy")
                let failed = try #require(try await store.record(RunRecord(completions: [failure], at: at(7))).completions.first ?? nil)
                let retryDue = try #require(failed.retry, "attempt \(number - 1) is retried")
                let retryRun = try #require(try await store.delayedRun(id: retryDue.id, tenant: acme))
                let target = try #require(retryRun.retry)
                #expect(target.attempt == number && target.previous == completion.eventBody)
                let plan = planner.planRetry(retryRun, target, of: action, at: at(8))
                #expect(plan.commands.first?.body.config == .app(AppConfig(version: VersionReference(id: "app-Convert", version: 1), inputs: inputs)),
                    "attempt \(number) reads item 1's file")
                attempt = try #require(plan.history.first)
                _ = try await store.record(RunRecord(history: [attempt], at: at(8)))
                try await store.finishDelayedRuns([retryRun.id], as: .dispatched, at: at(8))
            }
        }
    }
}
