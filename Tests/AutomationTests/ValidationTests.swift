import Foundation
import JSONPath
import Testing

@testable import Automation

@Suite("Validation errors name the field and the position")
struct ValidationTests {
    func filterError(_ filter: String) -> JSONPathError? {
        do {
            _ = try TriggerFilter(parsing: filter)
            return nil
        } catch {
            return error
        }
    }

    @Test("a filter that does not compile is refused with line:column, span and hint")
    func badFilter() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let text = "$.item.status == 'Finished' &&\n  $.item.appId = 'x'"
        let expected = try #require(filterError(text))
        let request = AddTriggerRequest(name: "t", triggerType: .appProcessUpdated, eventFilter: text)
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addTrigger(request, to: .id(action.id), as: admin)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.field == "eventFilter")
        #expect(error?.position == SourcePosition(line: expected.line, column: expected.column, span: expected.span))
        #expect(error?.position?.line == 2)
        #expect(error?.hint == expected.hint)
        let stored = try await fixture.service.action(.id(action.id), as: admin)
        #expect(stored.messageTriggers.isEmpty)
    }

    @Test("filters given at creation are blamed by index")
    func filterAtCreation() async throws {
        let fixture = Fixture()
        var request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        request.messageTriggers = [
            AddTriggerRequest(name: "ok", triggerType: .appProcessUpdated, eventFilter: "$.item.status == 'Finished'"),
            AddTriggerRequest(name: "bad", triggerType: .appProcessUpdated, eventFilter: "$.item.status == "),
        ]
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.createAction(request, namespace: "production", as: admin)
        }
        #expect(error?.field == "messageTriggers[1].eventFilter")
        #expect(error?.position?.line == 1)
        let page = try await fixture.service.listActions(namespace: "production", as: admin)
        #expect(page.items.isEmpty, "nothing is stored when a part is invalid")
    }

    @Test("filter warnings come back with the change")
    func filterWarnings() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let text = "$.item.count == '5'"
        let warnings = try TriggerFilter(parsing: text).warnings
        let request = AddTriggerRequest(name: "w", triggerType: .appProcessUpdated, eventFilter: text)
        let change = try await fixture.service.addTrigger(request, to: .id(action.id), as: admin)
        #expect(change.warnings.map(\.message) == warnings.map(\.message))
        #expect(change.warnings.allSatisfy { $0.field == "eventFilter" })
        #expect(change.action.messageTriggers.count == 1)
    }

    @Test(
        "a bad cron field is refused at that field, pointing at the bad term",
        arguments: [
            (AddScheduleRequest(name: "s", minute: "0", hour: "25"), "hour", 0..<2),
            (AddScheduleRequest(name: "s", minute: "0", hour: "9,25"), "hour", 2..<4),
            (AddScheduleRequest(name: "s", minute: "0", dayOfWeek: "MON-FOO"), "dayOfWeek", 4..<7),
            (AddScheduleRequest(name: "s", cron: "0 25 * * *"), "cron", 2..<4),
            (AddScheduleRequest(name: "s", cron: "*/0 * * * * *"), "cron", 0..<3),
            (AddScheduleRequest(name: "s", minute: "0", timeZone: "Mars/Olympus"), "timeZone", 0..<12),
        ] as [(AddScheduleRequest, String, Range<Int>)]
    )
    func badCron(request: AddScheduleRequest, field: String, span: Range<Int>) async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(request, to: .id(action.id), as: admin)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.field == field)
        #expect(error?.position?.span.lowerBound == span.lowerBound)
        #expect(error?.position?.column == span.lowerBound + 1)
        #expect(error?.hint?.hasPrefix("allowed:") == true)
    }

    @Test("cron errors inside a create body carry the schedule's index")
    func cronAtCreation() async throws {
        let fixture = Fixture()
        var request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        request.schedules = [AddScheduleRequest(name: "a", minute: "0"), AddScheduleRequest(name: "b", hour: "24")]
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.createAction(request, namespace: "production", as: admin)
        }
        #expect(error?.field == "schedules[1].hour")
    }

    @Test("a schedule that can never fire is refused", arguments: [
        AddScheduleRequest(name: "feb30", minute: "0", hour: "0", dayOfMonth: "30", month: "2"),
        AddScheduleRequest(name: "apr31", cron: "0 0 31 4,6,9,11 *"),
    ])
    func neverFires(request: AddScheduleRequest) async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(request, to: .id(action.id), as: admin)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("never fires") == true)
        #expect(error?.field == (request.cron == nil ? "dayOfMonth" : "cron"))
    }

    @Test("two of cron, at and fields, or none, is refused; a malformed at names it")
    func scheduleForms() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let both = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(AddScheduleRequest(name: "x", minute: "0", cron: "@daily"), to: .id(action.id), as: admin)
        }
        #expect(both?.field == "cron")
        let neither = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(AddScheduleRequest(name: "x"), to: .id(action.id), as: admin)
        }
        #expect(neither?.code == .invalidValue)
        let atAndCron = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(AddScheduleRequest(name: "x", cron: "@daily", at: "2026-12-24T09:00:00Z"), to: .id(action.id), as: admin)
        }
        #expect(atAndCron?.field == "at" && atAndCron?.message.contains("give one of cron, at") == true)
        let badAt = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(AddScheduleRequest(name: "x", at: "2026-12-24 9am"), to: .id(action.id), as: admin)
        }
        #expect(badAt?.code == .invalidValue && badAt?.field == "at" && badAt?.position?.column == 1, "\(String(describing: badAt))")
    }

    @Test("names: empty, too long and control characters are refused; 200 characters pass")
    func names() async throws {
        let fixture = Fixture()
        for (name, ok) in [("", false), ("   ", false), (String(repeating: "n", count: 201), false), ("a\u{7}b", false), (String(repeating: "n", count: 200), true)] {
            let result: AutomationError? = await {
                do {
                    _ = try await fixture.createDailyReport(name: name)
                    return nil
                } catch let error as AutomationError {
                    return error
                } catch {
                    return AutomationError(.unavailable, "\(error)")
                }
            }()
            if ok {
                #expect(result == nil)
            } else {
                #expect(result?.field == "name", "name \(name.debugDescription)")
            }
        }
    }

    @Test("item rules: at least one item, a named item, a version of 1 or more, a singular process-id query")
    func items() async throws {
        let fixture = Fixture()
        let app = ActionConfig.app(AppConfig(version: VersionReference(id: "v", version: 1)))
        let cases: [([ActionItem], String)] = [
            ([], "actions"),
            ([ActionItem(name: "", config: app)], "actions[0].name"),
            ([ActionItem(name: "ok", config: app), ActionItem(name: "v0", config: .app(AppConfig(version: VersionReference(id: "v", version: 0))))], "actions[1].config.version.version"),
            ([ActionItem(name: "m", config: .interactionMessage(InteractionMessageConfig(interactionProcessIdFromEvent: "$.items[*].id", message: "hi")))], "actions[0].config.interactionProcessIdFromEvent"),
            ([ActionItem(name: "m", config: .interactionMessage(InteractionMessageConfig(interactionProcessIdFromEvent: "$.item.", message: "hi")))], "actions[0].config.interactionProcessIdFromEvent"),
            ([ActionItem(name: "c", config: .capsule(CapsuleConfig(version: VersionReference(id: "c", version: 1), secretMounts: [SecretMount(secretName: "", mountName: "m")])))], "actions[0].config.secretMounts[0].secretName"),
            ([ActionItem(name: "dup", config: .app(AppConfig(version: VersionReference(id: "v", version: 1), inputs: [NameValuePair(name: "a", value: "1"), NameValuePair(name: "a", value: "2")])))], "actions[0].config.inputs[1].name"),
        ]
        for (items, field) in cases {
            let error = await expectAutomationError { () async throws(AutomationError) in
                try await fixture.service.createAction(CreateActionRequest(name: "x", actions: items), namespace: "production", as: admin)
            }
            #expect(error?.field == field)
            #expect(error?.code == .invalidValue)
        }
    }

    @Test(
        "webhook items: an http(s) URL with a host and no credentials, a known method, header tokens with one-line values, a timeout and status in range",
        arguments: [
            (#"{"url": "ftp://h.example/x"}"#, "actions[0].config.url", "must be an absolute http:// or https:// URL"),
            (#"{"url": "/relative"}"#, "actions[0].config.url", "must be an absolute http:// or https:// URL"),
            (#"{"url": "http://user:pw@h.example/"}"#, "actions[0].config.url", "must not carry credentials"),
            (#"{"url": "http://h.example/", "method": "TRACE"}"#, "actions[0].config.method", "must be one of DELETE, GET, PATCH, POST, PUT"),
            (#"{"url": "http://h.example/", "headers": {"bad name": "x"}}"#, "actions[0].config.headers.bad name", "is not a header name"),
            (#"{"url": "http://h.example/", "headers": {"Webhook-Signature": "x"}}"#, "actions[0].config.headers.Webhook-Signature", "Signalbox sets webhook-signature itself"),
            (#"{"url": "http://h.example/", "headers": {"X-A": "1", "x-a": "2"}}"#, "actions[0].config.headers.x-a", "the header is given twice"),
            (#"{"url": "http://h.example/", "headers": {"X-A": "a\r\nB: c"}}"#, "actions[0].config.headers.X-A", "must not contain line breaks"),
            (#"{"url": "http://h.example/", "headers": {"X-A": 5}}"#, "actions[0].config.headers.X-A", "must be a string or a {\"$fromEvent\""),
            (#"{"url": "http://h.example/", "headers": []}"#, "actions[0].config.headers", "must be an object"),
            (#"{"url": "http://h.example/", "timeoutSeconds": 0}"#, "actions[0].config.timeoutSeconds", "more than 0 and at most 120"),
            (#"{"url": "http://h.example/", "timeoutSeconds": 121}"#, "actions[0].config.timeoutSeconds", "more than 0 and at most 120"),
            (#"{"url": "http://h.example/", "expectStatus": 600}"#, "actions[0].config.expectStatus", "100 to 599"),
            (#"{"url": "http://h.example/", "body": {"$fromEvent": "$.a["}}"#, "actions[0].config.body.$fromEvent", ""),
            (#"{"url": "http://h.example/", "headers": {"X-A": {"$fromEvent": "$.a b"}}}"#, "actions[0].config.headers.X-A.$fromEvent", ""),
        ])
    func webhookItems(config: String, field: String, message: String) async throws {
        let fixture = Fixture()
        let json = #"[{"name": "w", "config": {"$type": "webhook", "# + config.dropFirst() + "}]"
        let items = try decode([ActionItem].self, from: json)
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.createAction(CreateActionRequest(name: "x", actions: items), namespace: "production", as: admin)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.field?.hasPrefix(field) == true, "\(String(describing: error?.field)) for \(config)")
        #expect(message.isEmpty || error?.message.contains(message) == true, "\(String(describing: error?.message))")
        if field.hasSuffix("$fromEvent") { #expect(error?.position?.line == 1, "a query's error has its line:column") }
    }

    @Test("a webhook item with an unknown member is refused when decoded; a valid one is stored")
    func webhookItemShape() async throws {
        #expect(throws: DecodingError.self) {
            try decode([ActionItem].self, from: #"[{"name": "w", "config": {"$type": "webhook", "url": "http://h.example/", "secret": "x"}}]"#)
        }
        let fixture = Fixture()
        let items = try decode([ActionItem].self, from: #"""
            [{"name": "w", "config": {"$type": "webhook", "url": "https://h.example/in", "headers": {"X-App": {"$fromEvent": "$.item.appId"}},
              "body": {"a": {"$fromEvent": "$.item"}}}}]
            """#)
        let created = try await fixture.service.createAction(CreateActionRequest(name: "x", actions: items), namespace: "production", as: admin)
        guard case .webhook(let config) = created.action.actions[0].config else {
            Issue.record("not a webhook item: \(created.action.actions[0].config)")
            return
        }
        #expect(config.method == "POST" && config.timeoutSeconds == 10 && config.expectStatus == nil)
    }

    @Test("a namespace must be URL-safe")
    func namespaces() async throws {
        let fixture = Fixture()
        let request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        for bad in ["", "a/b", "..", "prod uction"] {
            let error = await expectAutomationError { () async throws(AutomationError) in
                try await fixture.service.createAction(request, namespace: NamespaceName(bad), as: admin)
            }
            #expect(error?.field == "namespace", "namespace \(bad.debugDescription)")
        }
    }

    @Test("a duplicate name in a namespace is a conflict; another namespace is fine")
    func duplicateName() async throws {
        let fixture = Fixture()
        try await fixture.createDailyReport()
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.createDailyReportTyped()
        }
        #expect(error?.code == .conflict)
        #expect(error?.code.httpStatus == 409)
        let request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        let staging = try await fixture.service.createAction(request, namespace: "staging", as: admin)
        #expect(staging.action.namespace == "staging")
    }
}

extension Fixture {
    /// ``createDailyReport(as:name:)`` with typed throws, for ``expectAutomationError``.
    func createDailyReportTyped() async throws(AutomationError) -> AutomatedAction {
        let request: CreateActionRequest
        do {
            request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        } catch {
            throw AutomationError(decoding: error)
        }
        return try await service.createAction(request, namespace: "production", as: admin).action
    }
}
