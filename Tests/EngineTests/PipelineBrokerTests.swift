import AMQPClient
import Automation
import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// The pipeline end to end: the real broker, a real SQLite file, `PipelineService` running.
@Suite("Pipeline against the broker")
struct PipelineBrokerTests {
    @Test func seedScenarioPublishesTheCommandAndCompletionClosesTheEntry() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport()
        let trigger = try #require(action.messageTriggers.first)
        try await harness.triggers.refresh()  // the index has the trigger before the first event

        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-import-1"), messageID: "evt-import-1")
        #expect(await eventually { harness.commands.all.count == 1 })
        let command = try #require(harness.commands.all.first)
        let planner = CommandPlanner()
        let commandId = planner.commandID(
            eventId: "evt-import-1", cause: .message(trigger.id, .appProcessUpdated), itemIndex: 0)
        let processId = CommandPlanner.processID(for: commandId)
        #expect(command.properties.messageID == commandId.description)
        #expect(command.properties.correlationID == processId.description)
        #expect(command.properties.contentType == "application/json")
        #expect(command.properties.type == "process.start.app")
        #expect(command.routingKey == "process.start.app")
        #expect(command.properties.persistent)
        let body = String(decoding: command.body, as: UTF8.self)
        for fragment in ["reportType", "daily-summary", "sendEmail", "a1b2c3d4-5678-90ab-cdef-1234567890ab", "daily-report"] {
            #expect(body.contains(fragment), "the command carries \(fragment): \(body)")
        }

        let pending = try await harness.history(action)
        #expect(pending.count == 1)
        #expect(pending.first?.outcome == .pending)
        #expect(pending.first?.processId == processId)

        try await harness.publishEvent(
            PipelineHarness.dataImportEvent(id: "evt-done-1", processId: processId.description).replacingOccurrences(
                of: "data-import-app-id", with: "report-generator"),
            messageID: "evt-done-1")
        #expect(try await eventually { try await harness.history(action).first?.outcome == .success })
        let reference = ActionReference.id(action.id)
        #expect(try await harness.service.action(reference, as: harness.caller).totalExecutions == 1)
        #expect(harness.deadLetters.all.isEmpty)
        #expect(harness.commands.all.count == 1, "the completion matched no trigger")
        try await harness.shutDown()
    }

    @Test func failedCompletionCarriesTheErrorText() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport()
        try await harness.triggers.refresh()  // the index has the trigger before the first event
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-import-2"), messageID: "evt-import-2")
        #expect(await eventually { harness.commands.all.count == 1 })
        let processId = try #require(harness.commands.all.first?.properties.correlationID)
        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e","tenantId":"default","item":{"id":"\#(processId)","status":"Error","errorMessage":"Input validation failed: reportType is required"}}"#,
            messageID: "evt-error-2")
        #expect(try await eventually { try await harness.history(action).first?.outcome == .failed })
        let entry = try #require(try await harness.history(action).first)
        #expect(entry.errorMessage == "Input validation failed: reportType is required")
        let stored = try await harness.service.action(.id(action.id), as: harness.caller)
        #expect(stored.consecutiveFailures == 1 && stored.totalExecutions == 1)
        try await harness.shutDown()
    }

    @Test func redeliveredEventYieldsTheSameCommandAndOneHistoryEntry() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport()
        try await harness.triggers.refresh()  // the index has the trigger before the first event
        let event = PipelineHarness.dataImportEvent(id: "evt-twice", processId: "5f0c6f2e-3c1e-4d59-9a53-2f1a2b3c4d5e")
        try await harness.publishEvent(event, messageID: "evt-twice")
        try await harness.publishEvent(event, messageID: "evt-twice")
        #expect(await eventually { harness.commands.all.count == 2 })
        let ids = Set(harness.commands.all.compactMap(\.properties.messageID))
        #expect(ids.count == 1, "both deliveries planned the same command id")
        // Give the second history write time to land (it is the same row).
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await harness.history(action).count == 1)
        try await harness.shutDown()
    }

    /// An event delivered again after its process already reported publishes no command again:
    /// that would start the process twice. (While the entry is Pending it is published again,
    /// above: the first publish may not have happened.)
    @Test func redeliveredEventWhoseProcessEndedPublishesNothingAgain() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport()
        try await harness.triggers.refresh()  // the index has the trigger before the first event
        let event = PipelineHarness.dataImportEvent(id: "evt-done", processId: "6a0c6f2e-3c1e-4d59-9a53-2f1a2b3c4d5e")
        try await harness.publishEvent(event, messageID: "evt-done")
        #expect(await eventually { harness.commands.all.count == 1 })
        let entry = try #require(try await harness.history(action).first)
        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"done-1","tenantId":"default","item":{"id":"\#(entry.processId)","status":"Finished"}}"#,
            messageID: "done-1")
        #expect(try await eventually { try await harness.history(action).first?.outcome == .success })

        let ackedBefore = harness.counters.snapshot.acked
        try await harness.publishEvent(event, messageID: "evt-done")
        // A later event's command, and both deliveries settled (acked after their publishes were
        // confirmed), mark that the redelivery was handled.
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-marker"), messageID: "evt-marker")
        #expect(await eventually { harness.commands.all.count >= 2 && harness.counters.snapshot.acked >= ackedBefore + 2 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(harness.commands.all.count == 2, "the marker's command only")
        #expect(try await harness.history(action).count == 2)
        #expect(try await harness.history(action).first { $0.sourceEventId == "evt-done" }?.outcome == .success)
        try await harness.shutDown()
    }

    @Test func poisonIsDeadLetteredWithItsReasonAndGoodEventsStillRun() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport()
        let trigger = try #require(action.messageTriggers.first)
        try await harness.triggers.refresh()  // the index has the trigger before the first event
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let poison: [(id: String, body: [UInt8], stage: String, reason: String)] = [
            ("poison-text", Array("hello, not json".utf8), "parse", "not JSON"),
            ("poison-utf8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], "parse", "invalid UTF-8"),
            // Well-formed but for one string value: a lone continuation byte where a letter should be.
            ("poison-utf8-value", Array(PipelineHarness.dataImportEvent(id: "poison-utf8-value").utf8).map { $0 == UInt8(ascii: "F") ? 0x80 : $0 },
             "parse", "invalid UTF-8"),
            ("poison-array", Array("[1, 2, 3]".utf8), "event", "notAnObject"),
            ("poison-deep", Array(deep.utf8), "parse", "nesting too deep"),
            ("poison-large", Array(repeating: 0x20, count: (1 << 20) + 1), "parse", "too large"),
            ("poison-no-tenant", Array(#"{"type":"AppProcessUpdated","item":{}}"#.utf8), "event", "missingTenant"),
        ]
        var good: [String] = []
        for (index, message) in poison.enumerated() {
            let id = "good-\(index)"
            good.append(id)
            try await harness.publishEvent(PipelineHarness.dataImportEvent(id: id), messageID: id)
            try await harness.publishRaw(message.body, messageID: message.id)
        }
        // An unknown routing key is acked and counted, not dead-lettered.
        try await harness.publishEvent(#"{"type":"Other"}"#, messageID: "unknown-1", routingKey: "SomethingElse")

        #expect(await eventually { harness.commands.all.count == good.count })
        #expect(await eventually { harness.deadLetters.all.count == poison.count })
        // Every good event, by its deterministic command id, exactly once; none of the poison.
        let planner = CommandPlanner()
        let expected = Set(good.map {
            planner.commandID(eventId: $0, cause: .message(trigger.id, .appProcessUpdated), itemIndex: 0).description
        })
        #expect(harness.commands.all.compactMap(\.properties.messageID).sorted() == expected.sorted())
        #expect(Set(try await harness.history(action).map(\.sourceEventId)) == Set(good))
        #expect(try await harness.history(action).count == good.count)
        let byID = Dictionary(uniqueKeysWithValues: harness.deadLetters.all.compactMap { delivery in
            delivery.properties.messageID.map { ($0, delivery) }
        })
        for message in poison {
            let dead = try #require(byID[message.id], "\(message.id) was dead-lettered")
            let headers = dead.properties.headers
            #expect(headers["x-signalbox-stage"] == .string(message.stage), "\(message.id): \(headers)")
            guard case .string(let reason) = headers["x-signalbox-reason"] else {
                Issue.record("\(message.id) has no reason header")
                continue
            }
            #expect(reason.contains(message.reason), "\(message.id): \(reason)")
            #expect(headers["x-original-routing-key"] == .string("AppProcessUpdated"))
            #expect(headers["x-original-message-id"] == .string(message.id))
            #expect(dead.body == message.body, "the original body is kept")
        }
        // Everything was settled: nothing is back in the events queue after the pipeline closed,
        // and neither good events nor the unknown routing key were dead-lettered.
        try await harness.stopPipeline()
        #expect(try await harness.client.queueStatus(harness.names.eventsQueue).messageCount == 0)
        #expect(Set(harness.deadLetters.all.compactMap(\.properties.messageID)) == Set(poison.map(\.id)))
        #expect(harness.deadLetters.all.count == poison.count)
        try await harness.shutDown()
    }

    /// The index polls the store only once an hour here: a trigger added through the service can
    /// only take effect through the service's change notification.
    @Test func triggerAddedThroughTheServiceTakesEffectWithoutWaitingForThePoll() async throws {
        let harness = try await PipelineHarness(indexRefreshInterval: .seconds(3600))
        let action = try await harness.createDailyReport(withTrigger: false)
        try await Task.sleep(for: .milliseconds(700))
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "before"), messageID: "before")
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.commands.all.isEmpty)

        _ = try await harness.service.addTrigger(
            AddTriggerRequest(name: "Live", triggerType: .appProcessUpdated, eventFilter: "$.item.status == 'Finished'"),
            to: .id(action.id), as: harness.caller)
        var taken = false
        var attempt = 0
        let added = ContinuousClock.now
        while !taken && ContinuousClock.now - added < .seconds(30) {
            attempt += 1
            try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "after-\(attempt)"), messageID: "after-\(attempt)")
            taken = await eventually(timeout: .milliseconds(200)) { !harness.commands.all.isEmpty }
        }
        #expect(taken, "no event matched the new trigger in 30 s (\(attempt) published)")
        try await harness.shutDown()
    }

    @Test func gracefulShutdownMidStreamLosesNothingAndIsQuick() async throws {
        let harness = try await PipelineHarness()
        try await harness.createDailyReport()
        try await harness.triggers.refresh()  // the index has the trigger before the first event
        let count = 300
        for index in 0..<count {
            try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "s-\(index)"), messageID: "s-\(index)")
        }
        let stopping = ContinuousClock.now
        try await harness.stopPipeline()
        #expect(ContinuousClock.now - stopping < .seconds(10))
        // Every event either produced its command (acked) or is back in the queue for the next run.
        try await Task.sleep(for: .milliseconds(300))
        let left = try await harness.client.queueStatus(harness.names.eventsQueue).messageCount
        let published = Set(harness.commands.all.compactMap(\.properties.messageID)).count
        #expect(published + Int(left) >= count, "published \(published), left \(left)")
        try await harness.shutDown()
    }
}
