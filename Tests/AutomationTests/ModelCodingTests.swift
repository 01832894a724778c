import Foundation
import JSONPath
import Testing

@testable import Automation

@Suite("Model JSON matches seed 000")
struct ModelCodingTests {
    @Test("identifiers parse the canonical UUID text in either case and nothing else, as Foundation does")
    func identifierParsing() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(ActionID(uuid.uuidString)?.rawValue == uuid)
            #expect(ActionID(uuid.uuidString.lowercased())?.rawValue == uuid)
        }
        #expect(ActionID("F7A8B9C0-1234-56d7-8901-234567890123")?.description == "f7a8b9c0-1234-56d7-8901-234567890123")
        let refused = [
            "", "f7a8b9c0-1234-56d7-8901-23456789012", "f7a8b9c0-1234-56d7-8901-2345678901234",
            "f7a8b9c0_1234-56d7-8901-234567890123", "f7a8b9c01234-56d7-8901-234567890123-",
            "g7a8b9c0-1234-56d7-8901-234567890123", "f7a8b9c0-1234-56d7-8901-23456789012é",
        ]
        for text in refused {
            #expect(ActionID(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation agrees on \(text)")
        }
        #expect(ActionID(" 7a8b9c0-1234-56d7-8901-234567890123") == nil, "no blanks where digits go")
    }

    @Test("the create body decodes with its app item intact")
    func createBodyDecodes() throws {
        let request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        #expect(request.name == "daily-report")
        #expect(request.description == "Generates daily summary reports")
        #expect(request.actions.count == 1)
        guard case .app(let app) = request.actions[0].config else {
            Issue.record("expected an app config, got \(request.actions[0].config.kind)")
            return
        }
        #expect(app.version == VersionReference(id: "a1b2c3d4-5678-90ab-cdef-1234567890ab", version: 1))
        #expect(app.inputs.map(\.name) == ["reportType", "format", "sendEmail"])
        #expect(app.inputs[2].value == "true")
    }

    @Test("the created action encodes every field of the seed's response, nulls included")
    func actionResponseFields() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let object = try encodeObject(action)
        let seedFields: Set<String> = [
            "id", "tenantId", "namespaceId", "name", "description", "actions", "schedules", "messageTriggers",
            "nextScheduledRunAt", "totalExecutions", "consecutiveFailures", "dateCreated", "dateUpdated",
        ]
        #expect(seedFields.isSubset(of: Set(object.keys)))
        #expect(object["nextScheduledRunAt"] is NSNull)
        #expect(object["dateCreated"] as? String == "2026-01-05T10:00:00Z")
        #expect(object["namespaceId"] as? String == "production")
        #expect(object["status"] as? String == "active")
        #expect((object["schedules"] as? [Any])?.isEmpty == true)
        #expect((object["id"] as? String) == action.id.description)
        #expect(action.id.description == action.id.description.lowercased())
    }

    @Test("an action survives an encode/decode round trip")
    func actionRoundTrip() async throws {
        let fixture = Fixture()
        let created = try await fixture.createDailyReport()
        _ = try await fixture.service.addSchedule(
            decode(AddScheduleRequest.self, from: SeedJSON.addSchedule), to: .id(created.id), as: admin)
        let action = try await fixture.service.addTrigger(
            decode(AddTriggerRequest.self, from: SeedJSON.addTrigger), to: .id(created.id), as: admin
        ).action
        let data = try AutomationJSON.encoder().encode(action)
        #expect(try AutomationJSON.decoder().decode(AutomatedAction.self, from: data) == action)
    }

    @Test("omitted fields among minute…dayOfWeek are stored and returned as *, second only when given")
    func omittedScheduleFieldsAreStars() async throws {
        let fixture = Fixture()
        let created = try await fixture.createDailyReport()
        // Seed 000's "Every 15 minutes" and "Every 30 seconds" examples give one field each.
        let everyQuarter = try await fixture.service.addSchedule(
            AddScheduleRequest(name: "Every 15 min", minute: "*/15"), to: .id(created.id), as: admin)
        let quarter = try encodeObject(try #require(everyQuarter.schedules.last))
        #expect(quarter["minute"] as? String == "*/15")
        for field in ["hour", "dayOfMonth", "month", "dayOfWeek"] { #expect(quarter[field] as? String == "*", "\(field)") }
        #expect(quarter["second"] == nil && quarter["cron"] == nil)

        let everyHalfMinute = try await fixture.service.addSchedule(
            AddScheduleRequest(name: "Every 30 seconds", second: "*/30"), to: .id(created.id), as: admin)
        let halfMinute = try encodeObject(try #require(everyHalfMinute.schedules.last))
        #expect(halfMinute["second"] as? String == "*/30")
        for field in ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"] { #expect(halfMinute[field] as? String == "*", "\(field)") }
        // The stored action returns the same.
        let stored = try await fixture.service.action(.id(created.id), as: admin)
        #expect(stored.schedules.map(\.expressionText) == ["*/15 * * * *", "*/30 * * * * *"])

        // The cron form keeps the fields absent.
        let daily = try await fixture.service.addSchedule(AddScheduleRequest(name: "Daily", cron: "@daily"), to: .id(created.id), as: admin)
        let cron = try encodeObject(try #require(daily.schedules.last))
        #expect(cron["cron"] as? String == "@daily")
        for field in ["second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek"] { #expect(cron[field] == nil, "\(field)") }
    }

    @Test("a stored schedule written before the * rule decodes with * for its omitted fields")
    func olderScheduleJSONDecodesWithStars() throws {
        let schedule = try decode(CronScheduleDefinition.self, from: """
            {"id": "5b3c1e2d-7f4a-4e9b-a6c5-1d2e3f4a5b6c", "name": "Every 15 min", "isEnabled": true, "minute": "*/15",
             "timeZone": "UTC", "missedRunPolicy": "fireOnce", "nextOccurrence": null, "dateCreated": "2026-01-05T10:00:00Z"}
            """)
        #expect([schedule.minute, schedule.hour, schedule.dayOfMonth, schedule.month, schedule.dayOfWeek] == ["*/15", "*", "*", "*", "*"])
        #expect(schedule.second == nil)
        let memberwise = CronScheduleDefinition(name: "x", hour: "9", dateCreated: Date(timeIntervalSince1970: 0))
        #expect(memberwise.minute == "*" && memberwise.dayOfWeek == "*" && memberwise.second == nil)
        let expression = CronScheduleDefinition(name: "x", cron: "0 9 * * *", dateCreated: Date(timeIntervalSince1970: 0))
        #expect(expression.minute == nil && expression.hour == nil)
    }

    @Test("schedule and trigger bodies decode as the seed writes them")
    func scheduleAndTriggerBodies() throws {
        let schedule = try decode(AddScheduleRequest.self, from: SeedJSON.addSchedule)
        #expect(schedule.name == "Daily 9am")
        #expect(schedule.isEnabled == true)
        #expect(schedule.minute == "0" && schedule.hour == "9" && schedule.dayOfWeek == "*")
        #expect(schedule.second == nil && schedule.cron == nil)
        let trigger = try decode(AddTriggerRequest.self, from: SeedJSON.addTrigger)
        #expect(trigger.triggerType == .appProcessUpdated)
        #expect(trigger.eventFilter == "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'")
    }

    @Test(
        "every item type of seed 000 round-trips to the same JSON",
        arguments: [SeedJSON.interactionItem, SeedJSON.interactionMessageItem, SeedJSON.capsuleItem]
    )
    func itemRoundTrip(json: String) throws {
        let item = try decode(ActionItem.self, from: json)
        let encoded = try AutomationJSON.encoder().encode(item)
        let original = try JSONParser.parse(json)
        let again = try JSONParser.parse(Array(encoded))
        #expect(original == again, "re-encoded: \(String(decoding: encoded, as: UTF8.self))")
    }

    @Test("item configs decode to their own type")
    func itemKinds() throws {
        let message = try decode(ActionItem.self, from: SeedJSON.interactionMessageItem)
        guard case .interactionMessage(let config) = message.config else {
            Issue.record("wrong kind \(message.config.kind)")
            return
        }
        #expect(config.interactionProcessIdFromEvent == "$.item.id")
        #expect(config.senderType == "System")
        #expect(message.config.processType == .interaction)
        let capsule = try decode(ActionItem.self, from: SeedJSON.capsuleItem)
        guard case .capsule(let capsuleConfig) = capsule.config else {
            Issue.record("wrong kind \(capsule.config.kind)")
            return
        }
        #expect(capsuleConfig.vfsMounts == [VFSMount(vfsId: "vfs-id", vfsNamespaceId: "namespace-id", mountName: "data")])
        #expect(capsuleConfig.secretMounts.first?.secretName == "api-credentials")
    }

    @Test("unknown config members are kept and written back")
    func unknownMembersKept() throws {
        let json = """
            {"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 2},
             "priority": 7, "labels": {"team": "ops", "tags": [1, 2.5, true, null]}}}
            """
        let item = try decode(ActionItem.self, from: json)
        guard case .app(let app) = item.config else {
            Issue.record("wrong kind")
            return
        }
        #expect(app.additionalFields["priority"] == AnyJSON(.int(7)))
        #expect(app.inputs.isEmpty)
        let again = try JSONParser.parse(Array(AutomationJSON.encoder().encode(item)))
        #expect(again["config"]?["labels"]?["tags"] == JSONValue.array([.int(1), .double(2.5), .bool(true), .null]))
        #expect(again["config"]?["$type"] == "app")
    }

    @Test("input values are any JSON, written back as given")
    func inputValuesAnyJSON() throws {
        let json = """
            {"name": "x", "config": {"$type": "interaction", "version": {"id": "v", "version": 1},
             "inputs": [{"name": "s", "value": "text"}, {"name": "n", "value": 12}, {"name": "b", "value": false},
                        {"name": "z", "value": null}, {"name": "o", "value": {"to": ["a", 2.5]}}]}}
            """
        let item = try decode(ActionItem.self, from: json)
        guard case .interaction(let interaction) = item.config else {
            Issue.record("wrong kind")
            return
        }
        #expect(interaction.inputs.map(\.value) == ["text", 12, false, .null, ["to": ["a", 2.5]]])
        let again = try JSONParser.parse(Array(AutomationJSON.encoder().encode(item)))
        #expect(again["config"]?["inputs"] == (try JSONParser.parse(json))["config"]?["inputs"])
        #expect(try decode(ActionItem.self, from: String(decoding: AutomationJSON.encoder().encode(item), as: UTF8.self)) == item)
        #expect(throws: DecodingError.self) {
            try decode(ActionItem.self, from: #"{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 1}, "inputs": [{"name": "s"}]}}"#)
        }
    }

    @Test("an unknown $type is a decoding error that names the field")
    func unknownType() throws {
        let json = #"{"name": "n", "description": null, "actions": [{"name": "x", "config": {"$type": "webhooks"}}]}"#
        do {
            _ = try decode(CreateActionRequest.self, from: json)
            Issue.record("decoded an unknown $type")
        } catch {
            let mapped = AutomationError(decoding: error)
            #expect(mapped.code == .invalidValue)
            #expect(mapped.field == "actions[0].config.$type")
            #expect(mapped.message.contains("webhooks"))
            #expect(mapped.message.contains("capsule, webhook"), "the message lists the kinds")
        }
    }

    @Test("a missing required member maps to its JSON path")
    func missingMember() throws {
        let json = #"{"name": "n", "actions": [{"name": "x", "config": {"$type": "app", "version": {"id": "v"}}}]}"#
        do {
            _ = try decode(CreateActionRequest.self, from: json)
            Issue.record("decoded without version.version")
        } catch {
            let mapped = AutomationError(decoding: error)
            #expect(mapped.field == "actions[0].config.version.version")
            #expect(mapped.code.httpStatus == 400)
        }
    }

    @Test("a history entry from the seed decodes and re-encodes with explicit nulls")
    func historyEntry() throws {
        let entry = try decode(ExecutionHistoryEntry.self, from: SeedJSON.historyEntry)
        #expect(entry.triggerType == .schedule)
        #expect(entry.outcome == .success)
        #expect(entry.processType == .app)
        #expect(entry.dateCompleted == instant("2026-01-05T09:02:15Z"))
        let object = try encodeObject(entry)
        #expect(object["errorMessage"] is NSNull)
        #expect(object["triggerId"] as? String == "51234567-89ab-cdef-0123-456789abcdef")
        #expect(object["dateStarted"] as? String == "2026-01-05T09:00:00Z")
        let manual = #"{"id": "a1234567-89ab-cdef-0123-456789abcdef", "triggerType": "Manual", "triggerId": null, "actionId": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "processId": "b9876543-21fe-dcba-0987-654321fedcba", "processType": "App", "dateStarted": "2026-01-04T16:00:00Z", "dateCompleted": "2026-01-04T16:01:30Z", "outcome": "Failed", "errorMessage": "Input validation failed: reportType is required"}"#
        let failed = try decode(ExecutionHistoryEntry.self, from: manual)
        #expect(failed.triggerId == nil && failed.outcome == .failed)
        #expect(failed.errorMessage == "Input validation failed: reportType is required")
    }

    @Test("identifiers parse either case and print lowercase")
    func identifiers() throws {
        let id = try #require(ActionID("F7A8B9C0-1234-56D7-8901-234567890123"))
        #expect(id.description == "f7a8b9c0-1234-56d7-8901-234567890123")
        #expect(ActionID("s1234567-89ab-cdef-0123-456789abcdef") == nil)
        #expect(AutomationError.Code.limitExceeded.httpStatus == 422)
        #expect(AutomationError.Code.conflict.httpStatus == 409)
    }
}
