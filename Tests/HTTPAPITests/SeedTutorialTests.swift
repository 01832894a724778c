import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Seed 000's tutorial, step by step, through the REST API with the seed's own bodies.
@Suite struct SeedTutorialTests {
    @Test func tutorialEndToEnd() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            // Step 1: create the automated action.
            let created = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: Seed.createDailyReport)
            #expect(created.status == .created, "\(created.text)")
            let action = created.json
            let id = try #require(action["id"].string)
            #expect(created.headers[.location] == "/automated-actions/by-id/\(id)")
            #expect(action["tenantId"].string == "acme")
            #expect(action["namespaceId"].string == "production")
            #expect(action["name"].string == "daily-report")
            #expect(action["description"].string == "Generates daily summary reports")
            #expect(action["actions"][0]["name"].string == "Generate Report")
            let config = action["actions"][0]["config"]
            #expect(config["$type"].string == "app")
            #expect(config["version"]["id"].string == "a1b2c3d4-5678-90ab-cdef-1234567890ab")
            #expect(config["version"]["version"].int == 1)
            #expect(config["inputs"][2]["name"].string == "sendEmail")
            #expect(config["inputs"][2]["value"].string == "true")
            #expect(action["schedules"].array?.isEmpty == true)
            #expect(action["messageTriggers"].array?.isEmpty == true)
            #expect(action["nextScheduledRunAt"].isNull)
            #expect(action["totalExecutions"].int == 0)
            #expect(action["consecutiveFailures"].int == 0)
            #expect(action["dateCreated"].string == "2026-01-05T10:00:00Z")
            #expect(action["dateUpdated"].string == "2026-01-05T10:00:00Z")

            // Step 2: daily at 9 AM.
            let scheduled = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: Seed.dailySchedule)
            #expect(scheduled.status == .created, "\(scheduled.text)")
            #expect(scheduled.json["id"].string == id)
            #expect(scheduled.json["name"].string == "daily-report")
            let schedule = scheduled.json["schedules"][0]
            let scheduleId = try #require(schedule["id"].string)
            #expect(schedule["name"].string == "Daily 9am")
            #expect(schedule["isEnabled"].bool == true)
            #expect(schedule["minute"].string == "0")
            #expect(schedule["hour"].string == "9")
            #expect(schedule["dayOfMonth"].string == "*")
            #expect(schedule["month"].string == "*")
            #expect(schedule["dayOfWeek"].string == "*")
            #expect(schedule["nextOccurrence"].string == "2026-01-06T09:00:00Z")
            #expect(scheduled.json["nextScheduledRunAt"].string == "2026-01-06T09:00:00Z")

            // Step 3: on data import completion.
            let triggered = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers", token: env.admin, body: Seed.dataImportTrigger)
            #expect(triggered.status == .created, "\(triggered.text)")
            #expect(triggered.json["id"].string == id)
            let trigger = triggered.json["messageTriggers"][0]
            let triggerId = try #require(trigger["id"].string)
            #expect(trigger["name"].string == "On Data Import Complete")
            #expect(trigger["isEnabled"].bool == true)
            #expect(trigger["triggerType"].string == "AppProcessUpdated")
            #expect(trigger["eventFilter"].string == "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'")

            // Step 6: manual trigger returns the process id, and history shows it.
            let run = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: env.admin)
            #expect(run.status == .accepted, "\(run.text)")
            let processId = try #require(run.json["processId"].string)
            #expect(run.json["processIds"].array?.map(\.string) == [processId])

            // Step 5: history (newest first, limit honoured).
            let history = try await client.call(.get, "/automated-actions/by-id/\(id)/history?limit=10", token: env.admin)
            #expect(history.status == .ok, "\(history.text)")
            let entries = try #require(history.json.array)
            #expect(entries.count == 1)
            let entry = entries[0]
            #expect(entry["id"].string != nil)
            #expect(entry["triggerType"].string == "Manual")
            #expect(entry["triggerId"].isNull)
            #expect(entry["actionId"].string == id)
            #expect(entry["processId"].string == processId)
            #expect(entry["processType"].string == "App")
            #expect(entry["dateStarted"].string == "2026-01-05T10:00:00Z")
            #expect(entry["dateCompleted"].isNull)
            #expect(entry["outcome"].string == "Pending")
            #expect(entry["errorMessage"].isNull)

            // Enable/disable a schedule and a trigger.
            let disabled = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)/disable", token: env.member)
            #expect(disabled.status == .ok, "\(disabled.text)")
            #expect(disabled.json["schedules"][0]["isEnabled"].bool == false)
            #expect(disabled.json["schedules"][0]["nextOccurrence"].isNull)
            #expect(disabled.json["nextScheduledRunAt"].isNull)
            let enabled = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)/enable", token: env.member)
            #expect(enabled.json["schedules"][0]["isEnabled"].bool == true)
            #expect(enabled.json["nextScheduledRunAt"].string == "2026-01-06T09:00:00Z")
            let triggerOff = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)/disable", token: env.member)
            #expect(triggerOff.status == .ok, "\(triggerOff.text)")
            #expect(triggerOff.json["messageTriggers"][0]["isEnabled"].bool == false)
            let triggerOn = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)/enable", token: env.member)
            #expect(triggerOn.json["messageTriggers"][0]["isEnabled"].bool == true)

            // Troubleshooting: get the action, then delete it.
            let fetched = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            #expect(fetched.status == .ok)
            #expect(fetched.json["schedules"].array?.count == 1)
            #expect(fetched.json["messageTriggers"].array?.count == 1)
            let byName = try await client.call(.get, "/namespaces/production/automated-actions/daily-report", token: env.member)
            #expect(byName.json["id"].string == id)

            let deleted = try await client.call(.delete, "/automated-actions/by-id/\(id)", token: env.admin)
            #expect(deleted.status == .noContent)
            let gone = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.admin)
            #expect(gone.status == .notFound)
            #expect(gone.error["code"].string == "notFound")
        }
    }

    /// Seed 000's "Additional Schedule Examples" give only some fields: the others come back as
    /// `*`, as every schedule in the seed shows them, and `second` only when it was given.
    @Test func additionalScheduleExamplesReturnOmittedFieldsAsStars() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("my-action", token: env.admin)
            let examples: [(body: String, fields: [String: String])] = [
                (#"{"name": "Every 15 min", "minute": "*/15"}"#,
                 ["minute": "*/15", "hour": "*", "dayOfMonth": "*", "month": "*", "dayOfWeek": "*"]),
                (#"{"name": "Weekday evening", "minute": "0", "hour": "18", "dayOfWeek": "1-5"}"#,
                 ["minute": "0", "hour": "18", "dayOfMonth": "*", "month": "*", "dayOfWeek": "1-5"]),
                (#"{"name": "Monthly", "minute": "0", "hour": "0", "dayOfMonth": "1"}"#,
                 ["minute": "0", "hour": "0", "dayOfMonth": "1", "month": "*", "dayOfWeek": "*"]),
                (#"{"name": "Every 30 seconds", "second": "*/30"}"#,
                 ["second": "*/30", "minute": "*", "hour": "*", "dayOfMonth": "*", "month": "*", "dayOfWeek": "*"]),
            ]
            for (index, example) in examples.enumerated() {
                let added = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: example.body)
                #expect(added.status == .created, "\(added.text)")
                Self.expectFields(added.json["schedules"][index], example.fields)
            }
            let fetched = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            for (index, example) in examples.enumerated() { Self.expectFields(fetched.json["schedules"][index], example.fields) }
            #expect(fetched.json["schedules"][0]["nextOccurrence"].string == "2026-01-05T10:15:00Z")
        }
    }

    /// The schedule has exactly `fields` among `second`…`dayOfWeek` (absent: not a member).
    private static func expectFields(_ schedule: JSON, _ fields: [String: String], sourceLocation: SourceLocation = #_sourceLocation) {
        let name = schedule["name"].string ?? "?"
        for field in ["second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek", "cron"] {
            if let value = fields[field] {
                #expect(schedule[field].string == value, "\(name): \(field)", sourceLocation: sourceLocation)
            } else {
                #expect(!schedule[field].exists, "\(name): \(field) is absent", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func healthNeedsNoToken() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let reply = try await client.call(.get, "/health/live", token: nil)
            #expect(reply.status == .ok)
            #expect(reply.json["status"].string == "ok")
        }
    }
}
