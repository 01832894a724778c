import Foundation
import JSONPath
import Testing

@testable import Automation

/// `{"$fromEvent": "<query>"}` in an item's config: replaced at planning time by the one value the
/// query selects in the event, refused at save time when it does not read.
@Suite("Values from the event ($fromEvent)")
struct EventValueTests {
    let planner = CommandPlanner()
    let triggerId = TriggerID("7c9e6679-7425-40de-944b-e07fc1f90ae7")!

    static let eventBody = #"""
        {"type": "AppProcessUpdated", "id": "evt-1", "tenantId": "acme", "namespace": "production",
         "item": {"id": "p-1", "appId": "data-import-app-id", "status": "Finished", "rows": 1204, "ratio": 0.25,
                  "ok": true, "note": null, "owner": {"name": "Ada", "team": "data"},
                  "tags": ["nightly", "eu", "large"], "files": [{"path": "a.csv"}]}}
        """#

    /// An app item whose first input's value is `value` (JSON text), with `extra` members.
    static func appItem(name: String = "Generate Report", value: String, extra: String = "") throws -> ActionItem {
        try decode(
            ActionItem.self,
            from: #"""
                {"name": "\#(name)", "config": {"$type": "app", "version": {"id": "a1b2", "version": 1},
                 "inputs": [{"name": "first", "value": \#(value)}, {"name": "format", "value": "pdf"}]\#(extra)}}
                """#)
    }

    func action(_ items: [ActionItem]) -> AutomatedAction {
        AutomatedAction(
            id: ActionID("a1b2c3d4-5678-90ab-cdef-1234567890ab")!, tenantId: "acme", namespace: "production",
            name: "daily-report", actions: items, dateCreated: seedNow, dateUpdated: seedNow)
    }

    func event(id: String = "evt-1", body: String = Self.eventBody) throws -> Event {
        Event(
            id: id, tenantId: "acme", namespace: "production", triggerType: .appProcessUpdated,
            source: .message(routingKey: "AppProcessUpdated"), body: try JSONParser.parse(body))
    }

    func plan(_ items: [ActionItem], for event: Event) -> CommandPlan {
        planner.plan(action(items), cause: .message(triggerId, .appProcessUpdated), for: event, at: seedNow)
    }

    static func inputs(_ command: ProcessStartCommand) -> [NameValuePair] {
        switch command.body.config {
        case .app(let config): config.inputs
        case .interaction(let config): config.inputs
        case .interactionMessage, .capsule, .webhook: []
        }
    }

    /// The published JSON of `command`, parsed.
    static func published(_ command: ProcessStartCommand) throws -> (json: JSONValue, text: String) {
        let bytes = try command.encodedBody()
        return (try JSONParser.parse(bytes), String(decoding: bytes, as: UTF8.self))
    }

    // MARK: Resolution

    @Test(
        "the selected value replaces the object, whatever its JSON type",
        arguments: [
            ("$.item.appId", "\"data-import-app-id\""),
            ("$.item.rows", "1204"),
            ("$.item.ratio", "0.25"),
            ("$.item.ok", "true"),
            ("$.item.note", "null"),
            ("$.item.owner", #"{"name": "Ada", "team": "data"}"#),
            ("$.item.tags", #"["nightly", "eu", "large"]"#),
            ("$['item']['tags'][1]", "\"eu\""),
            ("$.item.files[?@.path == 'a.csv'].path", "\"a.csv\""),
        ]
    )
    func everyType(query: String, expected: String) throws {
        let item = try Self.appItem(value: #"{"$fromEvent": "\#(query)"}"#)
        #expect(item.eventValues.references.map(\.path.description) == ["inputs[0].value"])
        let plan = plan([item], for: try event())
        let command = try #require(plan.commands.first)
        let value = try JSONParser.parse(expected)
        #expect(Self.inputs(command).map(\.value) == [value, "pdf"])
        #expect(command.configReadsEvent)

        let (json, text) = try Self.published(command)
        #expect(json["config"]?["inputs"]?[0]?["value"] == value, "\(text)")
        #expect(!text.contains("$fromEvent"), "the marker never reaches the command: \(text)")
        #expect(plan.history.map(\.outcome) == [.pending])
    }

    @Test("objects nested in arrays and objects of an input value, and in uninterpreted members, are all replaced")
    func nested() throws {
        let item = try Self.appItem(
            value: #"{"to": [{"$fromEvent": "$.item.owner.name"}, "ops@example.com"], "meta": {"app": {"$fromEvent": "$.item.appId"}, "kept": 1}}"#,
            extra: #", "callback": {"url": "https://example.com/done", "ids": [{"$fromEvent": "$.item.id"}]}"#)
        #expect(
            item.eventValues.references.map(\.path.description) == [
                "inputs[0].value.meta.app", "inputs[0].value.to[0]", "callback.ids[0]",
            ])
        let command = try #require(plan([item], for: try event()).commands.first)
        let (json, text) = try Self.published(command)
        #expect(
            json["config"]?["inputs"]?[0]?["value"]
                == ["to": ["Ada", "ops@example.com"], "meta": ["app": "data-import-app-id", "kept": 1]], "\(text)")
        #expect(json["config"]?["callback"] == ["url": "https://example.com/done", "ids": ["p-1"]], "\(text)")
        #expect(json["config"]?["version"] == ["id": "a1b2", "version": 1])
        #expect(!text.contains("$fromEvent"))
    }

    @Test("interaction inputs read the event too, beside interactionProcessIdFromEvent")
    func otherKinds() throws {
        let interaction = try decode(
            ActionItem.self,
            from: #"""
                {"name": "Ask", "config": {"$type": "interaction", "version": {"id": "i1", "version": 2},
                 "initialPrompt": "Summarise the import.", "inputs": [{"name": "rows", "value": {"$fromEvent": "$.item.rows"}}]}}
                """#)
        let message = try decode(
            ActionItem.self,
            from: #"""
                {"name": "Tell", "config": {"$type": "interaction-message", "interactionProcessIdFromEvent": "$.item.id",
                 "message": "done", "context": {"status": {"$fromEvent": "$.item.status"}}}}
                """#)
        let plan = plan([interaction, message], for: try event())
        try #require(plan.commands.count == 2)
        #expect(Self.inputs(plan.commands[0]) == [NameValuePair(name: "rows", value: 1204)])
        let (json, _) = try Self.published(plan.commands[1])
        #expect(json["config"]?["context"] == ["status": "Finished"])
        #expect(json["interactionProcessId"] == "p-1")
    }

    @Test("a schedule event's instant can be read: $.scheduledAt")
    func scheduleInstant() throws {
        let item = try Self.appItem(value: #"{"$fromEvent": "$.scheduledAt"}"#)
        let schedule = ScheduleID("51234567-89ab-cdef-0123-456789abcdef")!
        let occurrence = instant("2026-01-05T09:00:00Z")
        let action = action([item])
        let event = Event.scheduled(schedule, occurrence: occurrence, of: action)
        let plan = planner.plan(action, cause: .schedule(schedule, occurrence: occurrence), for: event, at: seedNow)
        let command = try #require(plan.commands.first)
        #expect(Self.inputs(command).first?.value == "2026-01-05T09:00:00Z")
    }

    // MARK: Failures

    @Test("selecting nothing fails that item with a message naming item, path and query; the other items still run")
    func selectsNothing() throws {
        let plain = try Self.appItem(name: "Plain", value: "\"static\"")
        let missing = try decode(
            ActionItem.self,
            from: #"""
                {"name": "Needs Owner", "config": {"$type": "app", "version": {"id": "a1b2", "version": 1},
                 "inputs": [{"name": "format", "value": "pdf"}, {"name": "owner", "value": {"$fromEvent": "$.item.reviewer"}}]}}
                """#)
        let later = seedNow.addingTimeInterval(60)
        let plan = planner.plan(
            action([plain, missing, plain]), cause: .message(triggerId, .appProcessUpdated), for: try event(id: "evt-9"),
            at: later)

        #expect(plan.commands.map(\.itemIndex) == [0, 2], "no command for the failed item, the others run")
        #expect(plan.history.map(\.outcome) == [.pending, .failed, .pending])
        let failed = plan.history[1]
        #expect(failed.dateCompleted == later)
        #expect(
            failed.errorMessage
                == #"item "Needs Owner": $fromEvent "$.item.reviewer" at config.inputs[1].value selected nothing in event evt-9; no command was sent"#
        )
        #expect(plan.failures == [failed])
    }

    @Test("selecting several values fails the item, default or not")
    func selectsSeveral() throws {
        for value in [#"{"$fromEvent": "$.item.tags[*]"}"#, #"{"$fromEvent": "$.item.tags[*]", "default": "x"}"#] {
            let item = try Self.appItem(value: value)
            let plan = plan([item], for: try event())
            #expect(plan.commands.isEmpty)
            let message = try #require(plan.history.first?.errorMessage)
            #expect(
                message
                    == #"item "Generate Report": $fromEvent "$.item.tags[*]" at config.inputs[0].value selected 3 values in event evt-1, expected one; no command was sent"#
            )
        }
    }

    @Test("a default stands in when nothing is selected, and only then")
    func defaultValue() throws {
        let item = try Self.appItem(value: #"{"$fromEvent": "$.item.reviewer", "default": {"name": "nobody"}}"#)
        let fallback = try #require(plan([item], for: try event()).commands.first)
        #expect(Self.inputs(fallback).first?.value == ["name": "nobody"])

        let selected = try Self.appItem(value: #"{"$fromEvent": "$.item.owner.name", "default": "nobody"}"#)
        let found = try #require(plan([selected], for: try event()).commands.first)
        #expect(Self.inputs(found).first?.value == "Ada")
    }

    @Test("an item stored with a reference that does not read fails at planning, naming the member and position")
    func storedInvalidReference() throws {
        // Built in code, so no validation ran.
        let item = ActionItem(
            name: "Old",
            config: .app(AppConfig(version: VersionReference(id: "a1b2", version: 1), inputs: [
                NameValuePair(name: "x", value: ["$fromEvent": "$.item.["])
            ])))
        #expect(item.eventValues.references.isEmpty && item.eventValues.errors.map(\.code) == [.invalidQuery])
        let plan = plan([item], for: try event())
        #expect(plan.commands.isEmpty)
        let message = try #require(plan.history.first?.errorMessage)
        #expect(message.hasPrefix(#"item "Old": config.inputs[0].value.$fromEvent 1:"#), "\(message)")
        #expect(message.hasSuffix("no command was sent"), "\(message)")
    }

    // MARK: Items without $fromEvent

    @Test("an item without $fromEvent plans exactly as before: its own config, the cached encoding, the same bytes")
    func plainItemsUnchanged() throws {
        let item = try decode(ActionItem.self, from: SeedJSON.createActionItem)
        #expect(item.eventValues.isEmpty)
        let plan = planner.plan(
            action([item]), cause: .message(triggerId, .appProcessUpdated), for: try event(id: "evt-42"), at: seedNow)
        let command = try #require(plan.commands.first)
        #expect(command.body.config == item.config)
        #expect(!command.configReadsEvent)
        let text = try Self.published(command).text
        let expected = #"{"automatedAction":{"id":"a1b2c3d4-5678-90ab-cdef-1234567890ab","name":"daily-report"},"#
            + #""commandId":"4e0d950d-502d-55f2-a391-8c871e54a3cd","config":{"$type":"app","inputs":["#
            + #"{"name":"reportType","value":"daily-summary"},{"name":"format","value":"pdf"},{"name":"sendEmail","value":"true"}],"#
            + #""version":{"id":"a1b2c3d4-5678-90ab-cdef-1234567890ab","version":1}},"item":{"index":0,"name":"Generate Report"},"#
            + #""namespace":"production","processId":"4353a0b3-a048-5246-8443-fb2e9e8d2cb8","tenantId":"acme","#
            + #""trigger":{"eventType":"AppProcessUpdated","id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","sourceEventId":"evt-42","type":"Message"}}"#
        #expect(text == expected)
        #expect(CommandBodyWriter.shared.isCached(item.config))
    }

    @Test("a resolved config is encoded as JSONEncoder would, the same for the same event, and not cached")
    func resolvedBodies() throws {
        let item = try Self.appItem(
            value: #"{"owner": {"$fromEvent": "$.item.owner"}, "quote": {"$fromEvent": "$.item.note"}}"#,
            extra: #", "label": {"$fromEvent": "$.item.status"}"#)
        let first = try #require(plan([item], for: try event()).commands.first)
        let again = try #require(plan([item], for: try event()).commands.first)
        let bytes = try first.encodedBody()
        #expect(bytes == Array(try CommandBodyWriter.slowEncode(first.body)))
        #expect(bytes == (try again.encodedBody()))
        #expect(!CommandBodyWriter.shared.isCached(first.body.config))
        #expect(!CommandBodyWriter.shared.isCached(item.config), "the definition's config was never encoded either")
    }

    @Test("changing an item's config finds its references again")
    func configChange() throws {
        var item = try Self.appItem(value: "\"static\"")
        #expect(item.eventValues.isEmpty)
        item.config = try Self.appItem(value: #"{"$fromEvent": "$.item.id"}"#).config
        #expect(item.eventValues.references.map(\.query.text) == ["$.item.id"])
        #expect(item == (try Self.appItem(value: #"{"$fromEvent": "$.item.id"}"#)), "equality is the name's and config's")
    }

    // MARK: Validation

    @Test(
        "saving refuses a reference that does not read, naming the member and, for a query, line:column",
        arguments: [
            (#"{"$fromEvent": "$.item.["}"#, "", "actions[0].config.inputs[0].value.$fromEvent", EventValueError.Code.invalidQuery, "$.item.["),
            (#"{"to": ["a", {"$fromEvent": "$.item\n  .appId["}]}"#, "", "actions[0].config.inputs[0].value.to[1].$fromEvent", .invalidQuery, "$.item\n  .appId["),
            ("\"ok\"", #", "callback": {"$fromEvent": "item.id"}"#, "actions[0].config.callback.$fromEvent", .invalidQuery, "item.id"),
            (#"{"$fromEvent": "$.item.id", "fallback": "x"}"#, "", "actions[0].config.inputs[0].value.fallback", .unknownMember, nil),
            (#"{"$fromEvent": 5}"#, "", "actions[0].config.inputs[0].value.$fromEvent", .queryNotAString, nil),
            (#"{"$fromEvent": ["$.a"]}"#, "", "actions[0].config.inputs[0].value.$fromEvent", .queryNotAString, nil),
            (#"{"$fromEvent": "$.a", "default": {"$fromEvent": "$.b"}}"#, "", "actions[0].config.inputs[0].value.default", .defaultReadsEvent, nil),
        ] as [(String, String, String, EventValueError.Code, String?)]
    )
    func refusedAtSave(value: String, extra: String, field: String, code: EventValueError.Code, query: String?) async throws {
        let item = try Self.appItem(value: value, extra: extra)
        #expect(item.eventValues.errors.map(\.code) == [code])

        let fixture = Fixture()
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.createAction(
                CreateActionRequest(name: "x", actions: [item]), namespace: "production", as: admin)
        }
        #expect(error?.code == .invalidValue && error?.code.httpStatus == 422)
        #expect(error?.field == field, "\(String(describing: error))")
        if let query {
            let expected = try #require(Self.parseError(query))
            #expect(error?.position == SourcePosition(line: expected.line, column: expected.column, span: expected.span))
            #expect(error?.hint == expected.hint)
            #expect(error?.description.contains("\(field) \(expected.line):\(expected.column): ") == true, "\(String(describing: error))")
        } else {
            #expect(error?.position == nil)
        }
        let page = try await fixture.service.listActions(namespace: "production", as: admin)
        #expect(page.items.isEmpty, "nothing is stored")
    }

    static func parseError(_ query: String) -> JSONPathError? {
        do {
            _ = try JSONPathQuery(parsing: query)
            return nil
        } catch {
            return error
        }
    }

    @Test("a multi-line query is blamed on its line")
    func lineOfTheError() throws {
        let item = try Self.appItem(value: #"{"to": ["a", {"$fromEvent": "$.item\n  .appId["}]}"#)
        let position = try #require(item.eventValues.errors.first?.position)
        #expect(position.line == 2)
        #expect(position.column == Self.parseError("$.item\n  .appId[")?.column)
    }

    @Test("updating items is validated the same way; valid references are stored and read back")
    func updateItems() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let bad = try Self.appItem(value: #"{"$fromEvent": "$..["}"#)
        let plain = try Self.appItem(value: "\"static\"")
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.updateAction(.id(action.id), UpdateActionRequest(actions: [plain, bad]), as: admin)
        }
        #expect(error?.field == "actions[1].config.inputs[0].value.$fromEvent")
        #expect(error?.position?.line == 1)

        let good = try Self.appItem(value: #"{"$fromEvent": "$.item.appId", "default": "none"}"#)
        let updated = try await fixture.service.updateAction(.id(action.id), UpdateActionRequest(actions: [plain, good]), as: admin)
        #expect(updated.action.actions == [plain, good])
        let stored = try await fixture.service.action(.id(action.id), as: admin)
        #expect(stored.actions[1].eventValues.references.map(\.query.text) == ["$.item.appId"])
        #expect(stored.actions[1].eventValues.references.first?.defaultValue == "none")
        let reencoded = try decode([ActionItem].self, from: String(decoding: try AutomationJSON.encoder().encode(stored.actions), as: UTF8.self))
        #expect(reencoded == stored.actions && reencoded[1].eventValues.references.count == 1)
    }
}

extension EventValueTests {
    /// `$fromPrevious` reads the previous item's completion (``Event/previous``), never the
    /// event; it is checked like `$fromEvent`, its errors naming its own member.
    @Test func fromPreviousReadsThePreviousCompletionAndIsCheckedLikeFromEvent() throws {
        let item = try Self.appItem(value: #"{"$fromPrevious": "$.item.output.file", "default": "none"}"#)
        #expect(item.eventValues.references.first?.source == .previous)
        var event = try event()
        let planned = { (event: Event) throws -> JSONValue? in
            guard case .success(let content) = CommandPlanner.content(of: item, in: event), case .app(let config) = content.config else {
                return nil
            }
            return config.inputs.first?.value
        }
        #expect(try planned(event) == "none", "no previous completion: the default")
        event.previous = try JSONParser.parse(#"{"item": {"output": {"file": "out/1.csv"}}}"#)
        #expect(try planned(event) == "out/1.csv")

        let invalid = try Self.appItem(value: #"{"$fromPrevious": "$["}"#)
        #expect(invalid.eventValues.errors.first?.field == "inputs[0].value.$fromPrevious")
        let both = try Self.appItem(value: #"{"$fromPrevious": "$.a", "$fromEvent": "$.b"}"#)
        #expect(both.eventValues.errors.first?.code == .unknownMember)
        let missing = try Self.appItem(value: #"{"$fromPrevious": "$.item.output.file"}"#)
        guard case .failure(let failure) = CommandPlanner.content(of: missing, in: try self.event()) else {
            Issue.record("planned without the value")
            return
        }
        #expect(failure.message.contains("$fromPrevious \"$.item.output.file\" at config.inputs[0].value selected nothing in the previous item's completion"))
    }
}
