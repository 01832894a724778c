import Automation
import Foundation
import JSONPath
import Testing

/// What closing an entry does under the action's policies, the same on both stores, in the
/// closing transaction: a retry stored with the kept event instead of counting, a pause with
/// its reason, notifications queued once.
@Suite("Store contract: retries, pauses and notifications")
struct FailurePolicyContractTests {
    static func entry(_ action: AutomatedAction, event: String, attempt: Int = 1, retryOf: ExecutionID? = nil) -> ExecutionHistoryEntry {
        ExecutionHistoryEntry(
            triggerType: .message, triggerId: ExecutionSourceID(rawValue: UUID()), actionId: action.id,
            processId: CommandPlanner.processID(for: CommandID(rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: event))),
            processType: .app, dateStarted: at(0), sourceEventId: event, itemIndex: 0, attempt: attempt, retryOf: retryOf)
    }

    static func fail(_ entry: ExecutionHistoryEntry, _ store: any AutomationStore, at seconds: Int) async throws -> ExecutionCompletion? {
        try await store.record(RunRecord(
            completions: [ExecutionCompletionRequest(processId: entry.processId, tenantId: acme, outcome: .failed, errorMessage: "boom \(seconds)")],
            at: at(seconds))).completions.first ?? nil
    }

    @Test(arguments: StoreKind.allCases)
    func aFailureIsRetriedWithTheKeptEventUntilTheLastAttemptCounts(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("flaky")
            action.policies = FailurePolicies(
                retryPolicy: RetryPolicy(maxRetries: 1, backoffSeconds: 5, multiplier: 3), notification: NotificationSettings(onFailure: true))
            try await store.insertAction(action)
            let first = Self.entry(action, event: "e-1")
            let event: JSONValue = ["item": ["id": "up-1"]]
            _ = try await store.record(RunRecord(
                history: [first], retainedEvents: [RetainedEvent(actionId: action.id, sourceEventId: "e-1", body: event)], at: at(0)))

            let closed = try #require(try await Self.fail(first, store, at: 10))
            let retry = try #require(closed.retry, "attempt 1 of 2 failed: a retry is stored")
            #expect(retry.dueAt == at(15), "backoffSeconds × multiplier^0 after the failure")
            #expect(closed.totalExecutions == 0 && closed.consecutiveFailures == 0, "not counted: it is retried")
            let stored = try #require(try await store.delayedRun(id: retry.id, tenant: acme))
            #expect(stored.retry == RetryTarget(retryOf: first.id, itemIndex: 0, itemName: "Generate Report", processType: .app, attempt: 2))
            #expect(stored.payload == event, "the retry reads the event of the failed attempt")
            #expect(try await store.pendingNotifications(limit: 10).isEmpty, "no failure notified while it is retried")
            // A redelivered completion closes nothing and stores no second retry.
            #expect(try await Self.fail(first, store, at: 11) == nil)
            #expect(try await store.pendingDelayedRuns().map(\.id) == [retry.id])

            let second = Self.entry(action, event: "delayed:\(retry.id)", attempt: 2, retryOf: first.id)
            _ = try await store.record(RunRecord(history: [second], at: at(15)))
            let last = try #require(try await Self.fail(second, store, at: 20))
            #expect(last.retry == nil, "maxRetries reached")
            #expect(last.totalExecutions == 1 && last.consecutiveFailures == 1, "the run counts once, by its last attempt")
            let notifications = try await store.pendingNotifications(limit: 10)
            #expect(notifications.map(\.kind) == [.failed])
            let body = try JSONParser.parse(try #require(notifications.first).body)
            #expect(body["data"]?["attempt"]?.intValue == 2 && body["data"]?["retryOf"]?.stringValue == first.id.description)
            try await store.deleteNotifications(ids: notifications.map(\.id))
            #expect(try await store.pendingNotifications(limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theEventIsKeptUntilEveryItemOfTheRunClosed(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("two-items")
            action.policies = FailurePolicies(retryPolicy: RetryPolicy(maxRetries: 1))
            try await store.insertAction(action)
            let trigger = ExecutionSourceID(rawValue: UUID())
            let items = (0..<2).map { index in
                ExecutionHistoryEntry(
                    triggerType: .message, triggerId: trigger, actionId: action.id,
                    processId: CommandPlanner.processID(for: CommandID(rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "e-9|\(index)"))),
                    processType: .app, dateStarted: at(0), sourceEventId: "e-9", itemIndex: index)
            }
            let event: JSONValue = ["item": ["id": "up-9"]]
            _ = try await store.record(RunRecord(
                history: items, retainedEvents: [RetainedEvent(actionId: action.id, sourceEventId: "e-9", body: event)], at: at(0)))
            let first = try #require(try await Self.fail(items[0], store, at: 1)?.retry)
            let second = try #require(try await Self.fail(items[1], store, at: 2)?.retry)
            // The second item still found the event after the first closed.
            #expect(try await store.delayedRun(id: first.id, tenant: acme)?.payload == event)
            #expect(try await store.delayedRun(id: second.id, tenant: acme)?.payload == event)
            #expect(try await store.delayedRun(id: second.id, tenant: acme)?.retry?.itemIndex == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRetryEndedWithoutAProcessCountsTheRunOnceAsFailed(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("ends")
            action.policies = FailurePolicies(
                retryPolicy: RetryPolicy(maxRetries: 3), notification: NotificationSettings(onFailure: true), pauseAfterConsecutiveFailures: 2)
            try await store.insertAction(action)
            // Run 1: its retry is skipped (the action was paused when it came due): one failure.
            let first = Self.entry(action, event: "e-1")
            _ = try await store.record(RunRecord(history: [first], at: at(0)))
            let retryRun = try #require(try await Self.fail(first, store, at: 1)?.retry)
            var skipped = Self.entry(action, event: "delayed:\(retryRun.id)", attempt: 2, retryOf: first.id)
            (skipped.outcome, skipped.dateCompleted, skipped.errorMessage) = (.skipped, at(2), "paused")
            let recorded = try await store.record(RunRecord(history: [skipped], at: at(2)))
            #expect(recorded.queuedNotifications == 1, "the run's end is notified as failed")
            var counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 1 && counted.consecutiveFailures == 1)
            _ = try await store.record(RunRecord(history: [skipped], at: at(3)))
            counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 1, "a skipped retry recorded again is not counted again")

            // Run 2: its retry is cancelled by a caller: the second failure in a row.
            let second = Self.entry(action, event: "e-2")
            _ = try await store.record(RunRecord(history: [second], at: at(4)))
            let secondRetry = try #require(try await Self.fail(second, store, at: 5)?.retry)
            #expect(try await store.cancelDelayedRuns(actionId: action.id, tenant: acme, ids: [secondRetry.id], key: nil, at: at(6)).count == 1)
            counted = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(counted.totalExecutions == 2 && counted.consecutiveFailures == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEditReadBeforeAnAutoPauseDoesNotUndoIt(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("edited")
            action.policies = FailurePolicies(pauseAfterConsecutiveFailures: 1)
            try await store.insertAction(action)
            let read = try #require(try await store.action(id: action.id, tenant: acme))
            let entry = Self.entry(action, event: "e-1")
            _ = try await store.record(RunRecord(history: [entry], at: at(0)))
            #expect(try await Self.fail(entry, store, at: 1)?.pausedAction == true)

            var renamed = read
            renamed.name = "renamed"
            let stored = try await store.updateAction(renamed, statusRead: read.status)
            #expect(stored.name == "renamed" && stored.status == .paused && stored.pausedAt == at(1) && stored.pausedReason != nil)
            var resumed = stored
            resumed.status = .active
            (resumed.pausedAt, resumed.pausedReason) = (nil, nil)
            #expect(try await store.updateAction(resumed, statusRead: .paused).status == .active, "a status the caller sets is written")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theActionPausesAtTheThresholdOnceWithItsReason(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("breaker")
            action.policies = FailurePolicies(pauseAfterConsecutiveFailures: 2)
            try await store.insertAction(action)
            let entries = (1...3).map { Self.entry(action, event: "e-\($0)") }
            _ = try await store.record(RunRecord(history: entries, at: at(0)))

            let one = try #require(try await Self.fail(entries[0], store, at: 1))
            #expect(!one.pausedAction && one.consecutiveFailures == 1)
            let two = try #require(try await Self.fail(entries[1], store, at: 2))
            #expect(two.pausedAction && two.consecutiveFailures == 2)
            let paused = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(paused.status == .paused && paused.pausedAt == at(2) && paused.nextScheduledRunAt == nil)
            #expect(paused.pausedReason == "paused after 2 consecutive failures (pauseAfterConsecutiveFailures 2); last failure: boom 2")
            let three = try #require(try await Self.fail(entries[2], store, at: 3))
            #expect(!three.pausedAction && three.consecutiveFailures == 3, "already paused: counted, not paused again")
            // No notification setting: a pause is still notified (onPause defaults to true), once.
            #expect(try await store.pendingNotifications(limit: 10).map(\.kind) == [.paused])
        }
    }
}
