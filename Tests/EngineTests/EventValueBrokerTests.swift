import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

/// `$fromEvent` through the real pipeline: the broker, a SQLite file, the trigger index and the
/// scheduler. The published command carries the event's values, never the marker.
@Suite("Values from the event against the broker")
struct EventValueBrokerTests {
    static func items(_ json: String) throws -> [ActionItem] {
        try AutomationJSON.decoder().decode([ActionItem].self, from: Data(json.utf8))
    }

    static func inputs(_ delivery: AMQPDelivery) throws -> [String: JSONValue] {
        let body = try JSONParser.parse(delivery.body)
        var values: [String: JSONValue] = [:]
        for input in body["config"]?["inputs"]?.arrayValue ?? [] {
            if let name = input["name"]?.stringValue, let value = input["value"] { values[name] = value }
        }
        return values
    }

    @Test func aMessageTriggerPutsTheEventsValuesIntoTheCommandAndFailsTheItemWhoseQuerySelectsNothing() async throws {
        let harness = try await PipelineHarness()
        let items = try Self.items(#"""
            [{"name": "Import Report", "config": {"$type": "app", "version": {"id": "report-app", "version": 1},
              "inputs": [{"name": "sourceApp", "value": {"$fromEvent": "$.item.appId"}},
                         {"name": "process", "value": {"id": {"$fromEvent": "$.item.id"}, "status": {"$fromEvent": "$.item.status"}}},
                         {"name": "format", "value": "pdf"}]}},
             {"name": "Notify Reviewer", "config": {"$type": "app", "version": {"id": "notify-app", "version": 1},
              "inputs": [{"name": "reviewer", "value": {"$fromEvent": "$.item.reviewer"}}]}}]
            """#)
        let trigger = AddTriggerRequest(
            name: "On Data Import Complete", triggerType: .appProcessUpdated,
            eventFilter: "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'")
        let action = try await harness.service.createAction(
            CreateActionRequest(name: "import-report", actions: items, messageTriggers: [trigger]), namespace: "production",
            as: harness.caller
        ).action
        let triggerId = try #require(action.messageTriggers.first?.id)
        #expect(await eventually { harness.triggers.current.count == 1 }, "the index has the trigger")

        let processId = "5f0c6f2e-3c1e-4d59-9a53-2f1a2b3c4d5e"
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-values-1", processId: processId), messageID: "evt-values-1")
        #expect(await eventually { harness.commands.all.count == 1 })
        let command = try #require(harness.commands.all.first)
        let planner = CommandPlanner()
        let cause = RunCause.message(triggerId, .appProcessUpdated)
        #expect(command.properties.messageID == planner.commandID(eventId: "evt-values-1", cause: cause, itemIndex: 0).description)
        #expect(
            try Self.inputs(command) == [
                "sourceApp": "data-import-app-id", "process": ["id": .string(processId), "status": "Finished"], "format": "pdf",
            ])
        #expect(!String(decoding: command.body, as: UTF8.self).contains("$fromEvent"))

        #expect(try await eventually { try await harness.history(action).count == 2 })
        let history = try await harness.history(action).sorted { $0.itemIndex < $1.itemIndex }
        #expect(history.map(\.outcome) == [.pending, .failed])
        #expect(
            history[1].errorMessage
                == #"item "Notify Reviewer": $fromEvent "$.item.reviewer" at config.inputs[0].value selected nothing in event evt-values-1; no command was sent"#
        )

        // A second event's command arrives after anything the first one published: the failed
        // item of the first never had a command.
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-values-2"), messageID: "evt-values-2")
        #expect(await eventually { harness.commands.all.count == 2 })
        #expect(
            harness.commands.all.compactMap(\.properties.messageID) == ["evt-values-1", "evt-values-2"].map {
                planner.commandID(eventId: $0, cause: cause, itemIndex: 0).description
            })
        #expect(harness.deadLetters.all.isEmpty)
        try await harness.shutDown()
    }

    @Test func aScheduleReadsItsOccurrenceFromTheScheduleEvent() async throws {
        let harness = try await PipelineHarness()
        let items = try Self.items(#"""
            [{"name": "Hourly Digest", "config": {"$type": "app", "version": {"id": "digest-app", "version": 1},
              "inputs": [{"name": "since", "value": {"$fromEvent": "$.scheduledAt"}},
                         {"name": "schedule", "value": {"$fromEvent": "$.scheduleId"}}]}}]
            """#)
        let action = try await harness.service.createAction(
            CreateActionRequest(
                name: "digest", actions: items, schedules: [AddScheduleRequest(name: "every second", cron: "* * * * * *")]),
            namespace: "production", as: harness.caller
        ).action
        let schedule = try #require(action.schedules.first)
        #expect(await eventually { !harness.commands.all.isEmpty })
        let command = try #require(harness.commands.all.first)
        let body = try JSONParser.parse(command.body)
        let scheduledAt = try #require(body["trigger"]?["scheduledAt"]?.stringValue)
        #expect(try Self.inputs(command) == ["since": .string(scheduledAt), "schedule": .string(schedule.id.description)])
        let occurrence = try Date(scheduledAt, strategy: .iso8601)
        #expect(body["trigger"]?["sourceEventId"] == .string(Event.scheduleEventID(schedule.id, occurrence: occurrence)))
        try await harness.shutDown()
    }
}
