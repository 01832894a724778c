import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

/// Sequential actions against the real broker and a real SQLite file: each item's command is
/// published only after the item before reported `Finished` (a ProcessUpdated event), reads that
/// event's output with `$fromPrevious`, and a failure records the rest `Skipped`; a restart in
/// the middle resumes from the stored history without starting an item twice.
@Suite("Sequences against the broker")
struct SequenceBrokerTests {
    static let appVersion = #"{"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}"#

    static func body(_ delivery: AMQPDelivery) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
    }

    static func inputs(_ command: [String: Any]) -> [String: Any] {
        let list = (command["config"] as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.compactMap { input in (input["name"] as? String).map { ($0, input["value"] ?? NSNull()) } })
    }

    static func itemIndex(_ command: [String: Any]) -> Int? { (command["item"] as? [String: Any])?["index"] as? Int }

    /// A ProcessUpdated event reporting `processId` ended with `status` (and `output` when given).
    static func processUpdated(id: String, processId: String, status: String, output: String? = nil) -> String {
        let output = output.map { #","output":\#($0)"# } ?? ""
        return #"{"type":"AppProcessUpdated","id":"\#(id)","tenantId":"default","item":{"id":"\#(processId)","appId":"worker","status":"\#(status)"\#(output)}}"#
    }

    /// Extract → Convert (`file` from Extract's Finished event) → Publish (`origin` from the run's event).
    static func createSequence(_ harness: PipelineHarness) async throws -> AutomatedAction {
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Extract", "config": {"$type": "app", "version": \#(appVersion)}},
             {"name": "Convert", "config": {"$type": "app", "version": \#(appVersion),
              "inputs": [{"name": "file", "value": {"$fromPrevious": "$.item.output.file"}}]}},
             {"name": "Publish", "config": {"$type": "app", "version": \#(appVersion),
              "inputs": [{"name": "origin", "value": {"$fromEvent": "$.item.id"}}]}}]
            """#.utf8))
        let trigger = AddTriggerRequest(name: "upstream", triggerType: .appProcessUpdated, eventFilter: "$.item.appId == 'upstream'")
        let action = try await harness.service.createAction(
            CreateActionRequest(name: "etl", actions: items, messageTriggers: [trigger], execution: .sequential), namespace: "production",
            as: harness.caller
        ).action
        #expect(action.execution == .sequential)
        _ = try await harness.triggers.refresh()
        return action
    }

    /// The commands received so far for the run of upstream event `eventId`.
    static func commands(_ harness: PipelineHarness..., event eventId: String) throws -> [[String: Any]] {
        try harness.flatMap(\.commands.all).map(body).filter {
            ($0["trigger"] as? [String: Any])?["sourceEventId"] as? String == eventId
        }
    }

    @Test func threeStepsRunInOrderReadingThePreviousOutputAndAFailureSkipsTheRest() async throws {
        let harness = try await PipelineHarness()
        let action = try await Self.createSequence(harness)

        // A run that succeeds: each item starts only when the one before finished.
        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e-1","tenantId":"default","item":{"id":"up-1","appId":"upstream","status":"Finished"}}"#,
            messageID: "e-1")
        for index in 0..<3 {
            #expect(await eventually(timeout: .seconds(60)) { (try? Self.commands(harness, event: "e-1").count) == index + 1 }, "item \(index + 1) published")
            try await Task.sleep(for: .milliseconds(300))
            let commands = try Self.commands(harness, event: "e-1")
            #expect(commands.count == index + 1, "nothing runs ahead of the item before")
            let command = try #require(commands.last)
            #expect(Self.itemIndex(command) == index)
            if index == 1 { #expect(Self.inputs(command)["file"] as? String == "out/e-1.csv", "$fromPrevious read item 1's output") }
            if index == 2 { #expect(Self.inputs(command)["origin"] as? String == "up-1", "$fromEvent read the run's event") }
            let processId = try #require(command["processId"] as? String)
            #expect(try await eventually { try await harness.store.historyEntry(processId: ProcessID(processId)!)?.outcome == .pending })
            try await harness.publishEvent(
                Self.processUpdated(id: "c-1-\(index)", processId: processId, status: "Finished", output: #"{"file":"out/e-1.csv"}"#),
                messageID: "c-1-\(index)")
        }
        #expect(try await eventually {
            try await harness.history(action).filter { $0.sourceEventId == "e-1" }.map(\.outcome) == [.success, .success, .success]
        })
        var counted = try #require(try await harness.store.action(id: action.id, tenant: .default))
        #expect(counted.totalExecutions == 1 && counted.consecutiveFailures == 0, "the run counts once")

        // A run whose second item fails: the third is recorded Skipped, never published.
        try await harness.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e-2","tenantId":"default","item":{"id":"up-2","appId":"upstream","status":"Finished"}}"#,
            messageID: "e-2")
        for (index, status) in [(0, "Finished"), (1, "Error")] {
            #expect(await eventually(timeout: .seconds(60)) { (try? Self.commands(harness, event: "e-2").count) == index + 1 })
            let processId = try #require(try Self.commands(harness, event: "e-2").last?["processId"] as? String)
            #expect(try await eventually { try await harness.store.historyEntry(processId: ProcessID(processId)!) != nil })
            try await harness.publishEvent(
                Self.processUpdated(id: "c-2-\(index)", processId: processId, status: status, output: #"{"file":"out/e-2.csv"}"#),
                messageID: "c-2-\(index)")
        }
        #expect(try await eventually {
            try await harness.history(action).filter { $0.sourceEventId == "e-2" }.sorted { $0.itemIndex < $1.itemIndex }.map(\.outcome)
                == [.success, .failed, .skipped]
        })
        let skipped = try #require(try await harness.history(action).first { $0.sourceEventId == "e-2" && $0.itemIndex == 2 })
        #expect(skipped.errorMessage == "not run: item 2 (Convert) failed")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try Self.commands(harness, event: "e-2").count == 2, "item 3 was not published")
        counted = try #require(try await harness.store.action(id: action.id, tenant: .default))
        #expect(counted.totalExecutions == 2 && counted.consecutiveFailures == 1)
        try await harness.shutDown()
    }

    /// A test run (manual) of a draft sequence goes on past its first item, through the
    /// scheduler's steps. (Its third item reads `$.item.id` of an upstream event, which a manual
    /// run has not: planned and recorded Failed for that, not Skipped for the draft.)
    @Test func aTestRunOfADraftSequenceRunsEveryItem() async throws {
        let harness = try await PipelineHarness()
        let created = try await Self.createSequence(harness)
        var draft = try #require(try await harness.store.action(id: created.id, tenant: .default))
        draft.status = .draft
        _ = try await harness.store.updateAction(draft)
        let run = try await harness.service.triggerManually(.id(created.id), as: harness.caller)
        let eventId = try #require(run.entries.first?.sourceEventId)
        for index in 0..<2 {
            #expect(await eventually(timeout: .seconds(60)) { (try? Self.commands(harness, event: eventId).count) == index + 1 },
                "item \(index + 1) of the test run published")
            let command = try #require(try Self.commands(harness, event: eventId).last)
            #expect(Self.itemIndex(command) == index)
            let processId = try #require(command["processId"] as? String)
            #expect(try await eventually { try await harness.store.historyEntry(processId: ProcessID(processId)!) != nil })
            try await harness.publishEvent(
                Self.processUpdated(id: "t-\(index)", processId: processId, status: "Finished", output: #"{"file":"out/t.csv"}"#),
                messageID: "t-\(index)")
        }
        #expect(try await eventually {
            try await harness.history(created).filter { $0.sourceEventId == eventId }.sorted { $0.itemIndex < $1.itemIndex }.map(\.outcome)
                == [.success, .success, .failed]
        })
        let third = try #require(try await harness.history(created).first { $0.sourceEventId == eventId && $0.itemIndex == 2 })
        #expect(third.errorMessage?.contains("$.item.id") == true, "\(String(describing: third.errorMessage))")
        try await harness.shutDown()
    }

    @Test func aRestartMidSequenceRunsTheNextItemExactlyOnce() async throws {
        let first = try await PipelineHarness()
        let action = try await Self.createSequence(first)
        try await first.publishEvent(
            #"{"type":"AppProcessUpdated","id":"e-3","tenantId":"default","item":{"id":"up-3","appId":"upstream","status":"Finished"}}"#,
            messageID: "e-3")
        #expect(await eventually(timeout: .seconds(60)) { (try? Self.commands(first, event: "e-3").count) == 1 })
        let extract = try #require(try Self.commands(first, event: "e-3").first?["processId"] as? String)
        #expect(try await eventually { try await first.store.historyEntry(processId: ProcessID(extract)!)?.outcome == .pending })
        try await first.stopPipeline()
        await first.client.close()

        // Item 1's completion is recorded, and item 2 fired and recorded, but Signalbox stops
        // before its command is confirmed: the step is still scheduled.
        let completion = try #require(Event(
            id: "c-3-0", tenantId: .default, triggerType: .appProcessUpdated, source: .message(routingKey: "AppProcessUpdated"),
            body: try JSONParser.parse(Self.processUpdated(id: "c-3-0", processId: extract, status: "Finished", output: #"{"file":"out/e-3.csv"}"#))
        ).completion)
        let closed = try #require(try await first.store.record(RunRecord(completions: [completion], at: Date())).completions.first ?? nil)
        let due = try #require(closed.step)
        let run = try #require(try await first.store.delayedRun(id: due.id, tenant: .default))
        let plan = CommandPlanner().planStep(run, try #require(run.step), of: action, at: Date())
        _ = try await first.store.record(RunRecord(history: plan.history, retainedEvents: plan.retainedEvents, at: Date()))
        #expect(try await first.store.pendingDelayedRuns().map(\.id) == [due.id], "not dispatched")

        let second = try await PipelineHarness(reopening: first)
        #expect(await eventually(timeout: .seconds(60)) { (try? Self.commands(second, event: "e-3").count) == 1 }, "the restart fires item 2")
        try await Task.sleep(for: .milliseconds(500))
        let commands = try Self.commands(second, event: "e-3")
        try #require(commands.count == 1)
        #expect(Self.itemIndex(commands[0]) == 1)
        #expect((commands.first?["commandId"] as? String)?.lowercased() == plan.commands.first?.id.description.lowercased(), "the same command id as before the crash")
        #expect(Self.inputs(commands[0])["file"] as? String == "out/e-3.csv")
        #expect(try await eventually { try await second.store.pendingDelayedRuns().isEmpty }, "dispatched")
        let history = try await second.history(action).filter { $0.sourceEventId == "e-3" }
        #expect(history.filter { $0.itemIndex == 1 }.count == 1, "item 2 recorded once")
        #expect(history.map(\.itemIndex).sorted() == [0, 1])
        try await second.shutDown()
    }
}
