import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Roles (seed 004: only admins delete) and tenant isolation (another tenant's data is 404).
@Suite struct AccessTests {
    @Test func membersMayDoEverythingButDelete() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("m", token: env.member)
            let scheduled = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.member, body: Seed.dailySchedule)
            let scheduleId = try #require(scheduled.json["schedules"][0]["id"].string)
            let triggered = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers", token: env.member, body: Seed.dataImportTrigger)
            let triggerId = try #require(triggered.json["messageTriggers"][0]["id"].string)

            for path in [
                "/automated-actions/by-id/\(id)", "/automated-actions/by-id/\(id)/schedules/\(scheduleId)",
                "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)",
            ] {
                let reply = try await client.call(.delete, path, token: env.member)
                #expect(reply.status == .forbidden, "\(path)")
                #expect(reply.error["code"].string == "forbidden")
            }
            let bulk = try await client.call(
                .post, "/automated-actions/bulk", token: env.member, body: #"{"operation": "delete", "actionIds": ["\#(id)"]}"#)
            #expect(bulk.status == .forbidden)

            // The admin may.
            let schedule = try await client.call(.delete, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)", token: env.admin)
            #expect(schedule.status == .ok)
            #expect(schedule.json["schedules"].array?.isEmpty == true)
            #expect(schedule.json["nextScheduledRunAt"].isNull)
            let trigger = try await client.call(.delete, "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)", token: env.admin)
            #expect(trigger.status == .ok)
            #expect(trigger.json["messageTriggers"].array?.isEmpty == true)
            let action = try await client.call(.delete, "/automated-actions/by-id/\(id)", token: env.admin)
            #expect(action.status == .noContent)
        }
    }

    @Test func anotherTenantSeesNothing() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("secret", token: env.admin)
            let scheduled = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: Seed.dailySchedule)
            let scheduleId = try #require(scheduled.json["schedules"][0]["id"].string)

            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/automated-actions/by-id/\(id)", nil),
                (.put, "/automated-actions/by-id/\(id)", #"{"description": "mine now"}"#),
                (.delete, "/automated-actions/by-id/\(id)", nil),
                (.post, "/automated-actions/by-id/\(id)/pause", nil),
                (.post, "/automated-actions/by-id/\(id)/trigger", nil),
                (.get, "/automated-actions/by-id/\(id)/history", nil),
                (.post, "/automated-actions/by-id/\(id)/schedules", Seed.dailySchedule),
                (.post, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)/disable", nil),
                (.delete, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)", nil),
                (.post, "/automated-actions/by-id/\(id)/message-triggers", Seed.dataImportTrigger),
                (.get, "/namespaces/production/automated-actions/secret", nil),
            ]
            for (method, path, body) in attempts {
                let reply = try await client.call(method, path, token: env.otherAdmin, body: body)
                #expect(reply.status == .notFound, "\(method) \(path): \(reply.text)")
            }
            let list = try await client.call(.get, "/namespaces/production/automated-actions", token: env.otherAdmin)
            #expect(list.json["items"].array?.isEmpty == true)
            let upcoming = try await client.call(.get, "/automated-actions/upcoming", token: env.otherAdmin)
            #expect(upcoming.json.array?.isEmpty == true)
            let bulk = try await client.call(
                .post, "/automated-actions/bulk", token: env.otherAdmin, body: #"{"operation": "delete", "actionIds": ["\#(id)"]}"#)
            #expect(bulk.json["results"][0]["succeeded"].bool == false)
            #expect(bulk.json["results"][0]["errorCode"].string == "notFound")

            // The owner still has it, untouched.
            let mine = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            #expect(mine.status == .ok)
            #expect(mine.json["description"].isNull)
            #expect(mine.json["status"].string == "active")
            // The other tenant may use the same name in the same namespace.
            _ = try await client.createAction("secret", token: env.otherAdmin)
        }
    }
}
