import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

/// Retries, notifications and auto-pause against the real broker and a real SQLite file: a
/// completion that closes an entry `Failed` schedules the next attempt on the scheduler's queue;
/// outcomes go out as CloudEvents, read back with the CloudEvents Python SDK.
@Suite("Retries, notifications and auto-pause against the broker")
struct RetryAndNotificationBrokerTests {
    static let appVersion = #"{"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}"#

    static func body(_ delivery: AMQPDelivery) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
    }

    /// A ProcessUpdated event reporting `processId` ended with `status`.
    static func completion(id: String, processId: String, status: String, error: String? = nil) -> String {
        let error = error.map { #","errorMessage":"\#($0)""# } ?? ""
        return #"{"type":"AppProcessUpdated","id":"\#(id)","tenantId":"default","item":{"id":"\#(processId)","appId":"worker","status":"\#(status)"\#(error)}}"#
    }

    /// The notifications as the CloudEvents SDK reads them, in order.
    static func readWithCloudEventsSDK(_ deliveries: [AMQPDelivery]) async throws -> [[String: Any]] {
        let path = try #require(
            ProcessInfo.processInfo.environment["SIGNALBOX_TEST_PYTHONPATH"],
            "SIGNALBOX_TEST_PYTHONPATH is not set: run the tests with scripts/test.sh, which installs the Python cloudevents package")
        let messages: [[String: Any]] = deliveries.map {
            ["contentType": $0.properties.contentType ?? "", "body": String(decoding: $0.body, as: UTF8.self)]
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("notifications-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: messages).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/peers/cloudevents_peer.py").path
        let output = try await CommandLineTool("PYTHONPATH=\(path) python3").runDetached([script, file.path])
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], "peer printed: \(output)")
    }

    @Test func aFailedItemIsRetriedWithBackoffThenGivesUpCountingTheRunOnce() async throws {
        let harness = try await PipelineHarness()
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Import", "config": {"$type": "app", "version": \#(Self.appVersion),
              "inputs": [{"name": "source", "value": {"$fromEvent": "$.item.id"}}]}}]
            """#.utf8))
        let policies = try AutomationJSON.decoder().decode(FailurePolicies.self, from: Data(#"""
            {"notification": {"onSuccess": true, "onFailure": true}}
            """#.utf8))
        let trigger = AddTriggerRequest(name: "upstream", triggerType: .appProcessUpdated, eventFilter: "$.item.appId == 'upstream'")
        let action = try await harness.service.createAction(
            CreateActionRequest(name: "flaky-import", actions: items, messageTriggers: [trigger], policies: policies), namespace: "production",
            as: harness.caller
        ).action
        try await harness.triggers.refresh()  // the index has the trigger before the event comes
        // The retry policy comes with a later change, which the index must see (it keeps events for retries).
        let retryPolicy = try AutomationJSON.decoder().decode(RetryPolicy.self, from: Data(#"{"maxRetries": 2, "backoffMs": 1000, "multiplier": 2}"#.utf8))
        _ = try await harness.service.updateAction(.id(action.id), UpdateActionRequest(retryPolicy: .some(retryPolicy)), as: harness.caller)
        // Without a version bump for it, the index would plan with no retry policy and keep no
        // event: attempt 2 could not read $.item.id below.
        _ = try await harness.triggers.refresh()

        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e-1","tenantId":"default","item":{"id":"up-1","appId":"upstream","status":"Finished"}}"#,
            messageID: "e-1")
        var processIds: [String] = []
        for attempt in 1...3 {
            #expect(await eventually(timeout: .seconds(60)) { harness.commands.all.count == attempt }, "attempt \(attempt) published")
            let last = try #require(harness.commands.all.last)
            let command = try Self.body(last)
            let inputs = try #require((command["config"] as? [String: Any])?["inputs"] as? [[String: Any]])
            #expect(inputs.first?["value"] as? String == "up-1", "attempt \(attempt) reads the event of the first")
            let processId = try #require(command["processId"] as? String)
            processIds.append(processId)
            #expect(try await eventually { try await harness.store.historyEntry(processId: ProcessID(processId)!)?.outcome == .pending })
            try await harness.publishEvent(
                Self.completion(id: "c-\(attempt)", processId: processId, status: "Error", error: "disk full \(attempt)"), messageID: "c-\(attempt)")
            #expect(try await eventually { try await harness.store.historyEntry(processId: ProcessID(processId)!)?.outcome == .failed })
        }
        #expect(Set(processIds).count == 3)

        let history = try await harness.history(action).sorted { $0.attempt < $1.attempt }
        try #require(history.map(\.attempt) == [1, 2, 3])
        #expect(history.map(\.outcome) == [.failed, .failed, .failed])
        #expect(history[0].retryOf == nil && history[1].retryOf == history[0].id && history[2].retryOf == history[1].id)
        #expect(history[1].triggerType == .delayed && history[1].itemIndex == 0)
        // Each retry was due backoff × multiplier^(attempt−1) after the failure it follows.
        let retries = try await harness.service.delayedRuns(of: .id(action.id), as: harness.caller).items.sorted { $0.dueAt < $1.dueAt }
        #expect(retries.map { $0.retry?.attempt } == [2, 3])
        #expect(retries.map { $0.retry?.retryOf } == [history[0].id, history[1].id])
        for (retry, (failed, backoff)) in zip(retries, zip(history, [1.0, 2.0])) {
            let waited = retry.dueAt.timeIntervalSince(try #require(failed.dateCompleted))
            #expect(abs(waited - backoff) < 0.01, "retry \(retry.retry?.attempt ?? 0) waited \(waited) s, not \(backoff) s")
        }

        // Counted once, by the last attempt; one notification, for the run that failed for good.
        let counted = try #require(try await harness.store.action(id: action.id, tenant: .default))
        #expect(counted.totalExecutions == 1 && counted.consecutiveFailures == 1)
        #expect(await eventually { harness.notifications.all.count == 1 })
        try await Task.sleep(for: .milliseconds(2500))
        #expect(harness.commands.all.count == 3, "no attempt after maxRetries")
        #expect(harness.notifications.all.count == 1)

        let notification = try #require(harness.notifications.all.first)
        #expect(notification.routingKey == "action.failed")
        #expect(notification.properties.contentType == "application/cloudevents+json" && notification.properties.persistent)
        let read = try #require(try await Self.readWithCloudEventsSDK([notification]).first)
        let attributes = try #require(read["attributes"] as? [String: Any])
        #expect(attributes["specversion"] as? String == "1.0")
        #expect(attributes["type"] as? String == "io.signalbox.action.failed")
        #expect(attributes["source"] as? String == "/tenants/default/automated-actions/\(action.id)")
        #expect(attributes["id"] as? String == notification.properties.messageID)
        #expect(attributes["subject"] as? String == history[2].id.description)
        #expect(attributes["time"] != nil)
        let data = try #require(read["data"] as? [String: Any])
        #expect(data["actionId"] as? String == action.id.description && data["actionName"] as? String == "flaky-import")
        #expect(data["tenantId"] as? String == "default" && data["namespace"] as? String == "production")
        #expect(data["outcome"] as? String == "Failed" && data["errorMessage"] as? String == "disk full 3")
        #expect(data["attempt"] as? Int == 3 && data["retryOf"] as? String == history[1].id.description)
        #expect(data["executionId"] as? String == history[2].id.description && data["processId"] as? String == processIds[2])
        #expect(data["itemIndex"] as? Int == 0 && data["totalExecutions"] as? Int == 1 && data["consecutiveFailures"] as? Int == 1)

        // A later success resets the failures and, asked for, is notified as succeeded.
        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e-2","tenantId":"default","item":{"id":"up-2","appId":"upstream","status":"Finished"}}"#,
            messageID: "e-2")
        #expect(await eventually { harness.commands.all.count == 4 })
        let fourthCommand = try #require(harness.commands.all.last)
        let fourth = try #require(try Self.body(fourthCommand)["processId"] as? String)
        try await harness.publishEvent(Self.completion(id: "c-4", processId: fourth, status: "Finished"), messageID: "c-4")
        #expect(await eventually { harness.notifications.all.count == 2 })
        #expect(harness.notifications.all.last?.routingKey == "action.succeeded")
        let after = try #require(try await harness.store.action(id: action.id, tenant: .default))
        #expect(after.totalExecutions == 2 && after.consecutiveFailures == 0)
        try await harness.shutDown()
    }

    @Test func anActionPausesItselfAfterConsecutiveFailuresAndSaysWhy() async throws {
        let harness = try await PipelineHarness()
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Report", "config": {"$type": "app", "version": \#(Self.appVersion), "inputs": []}}]
            """#.utf8))
        let schedule = AddScheduleRequest(name: "often", second: "*/1", minute: "*", hour: "*", dayOfMonth: "*", month: "*", dayOfWeek: "*")
        let action = try await harness.service.createAction(
            CreateActionRequest(
                name: "breaker", actions: items, schedules: [schedule], policies: FailurePolicies(pauseAfterConsecutiveFailures: 2)),
            namespace: "production", as: harness.caller
        ).action
        // Fail what the schedule starts until the action pauses itself.
        var failed: Set<String> = []
        #expect(try await eventually(timeout: .seconds(60)) {
            for delivery in harness.commands.all {
                let processId = try #require(try Self.body(delivery)["processId"] as? String)
                if failed.insert(processId).inserted {
                    try await harness.publishEvent(
                        Self.completion(id: "c-\(processId)", processId: processId, status: "Error", error: "no report"), messageID: "c-\(processId)")
                }
            }
            return try await harness.store.action(id: action.id, tenant: .default)?.status == .paused
        })
        let paused = try #require(try await harness.store.action(id: action.id, tenant: .default))
        // Paused when the failures reached the threshold; a run already under way may fail after.
        #expect(paused.consecutiveFailures >= 2)
        #expect(paused.pausedReason?.contains("2 consecutive failures") == true && paused.pausedReason?.contains("no report") == true)
        #expect(paused.pausedAt != nil && paused.nextScheduledRunAt == nil)

        #expect(await eventually { harness.notifications.all.count == 1 })
        let notification = try #require(harness.notifications.all.first)
        #expect(notification.routingKey == "action.paused")
        let read = try #require(try await Self.readWithCloudEventsSDK([notification]).first)
        #expect((read["attributes"] as? [String: Any])?["type"] as? String == "io.signalbox.action.paused")
        #expect((read["data"] as? [String: Any])?["pausedReason"] as? String == paused.pausedReason)

        // Paused: the schedule stops. (Occurrences prepared before the pause, up to 500 ms ahead, may still go.)
        try await Task.sleep(for: .milliseconds(2500))
        let pausedAt = try #require(paused.pausedAt)
        let later = try await harness.history(action).filter { $0.dateStarted > pausedAt.addingTimeInterval(1.5) }
        #expect(later.isEmpty, "the schedule stopped with the pause: \(later.map(\.dateStarted))")

        // Resumed by a caller: no reason any more.
        let resumed = try await harness.service.resumeAction(.id(action.id), as: harness.caller)
        #expect(resumed.status == .active && resumed.pausedReason == nil && resumed.pausedAt == nil)
        _ = try await harness.service.pauseAction(.id(action.id), as: harness.caller)
        try await harness.shutDown()
    }
}
