import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// The endpoints beyond seed 000: list, update, pause/resume, bulk, upcoming, filter test.
@Suite struct ManagementTests {
    @Test func listPagesByName() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            for name in ["charlie", "alpha", "bravo"] { _ = try await client.createAction(name, token: env.admin) }
            _ = try await client.createAction("other", namespace: "staging", token: env.admin)
            let first = try await client.call(.get, "/namespaces/production/automated-actions?limit=2", token: env.member)
            #expect(first.status == .ok)
            #expect(first.json["items"].array?.map { $0["name"].string ?? "" } == ["alpha", "bravo"])
            let cursor = try #require(first.json["nextCursor"].string)
            let second = try await client.call(
                .get, "/namespaces/production/automated-actions?limit=2&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)",
                token: env.member)
            #expect(second.json["items"].array?.map { $0["name"].string ?? "" } == ["charlie"])
            #expect(second.json["nextCursor"].isNull)
        }
    }

    @Test func updateRenamesAndKeepsAbsentFields() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("old", token: env.admin)
            _ = try await client.createAction("taken", token: env.admin)
            env.clock.advance(by: 60)
            let updated = try await client.call(
                .put, "/automated-actions/by-id/\(id)", token: env.member, body: #"{"name": "new", "description": "d"}"#)
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(updated.json["name"].string == "new")
            #expect(updated.json["description"].string == "d")
            #expect(updated.json["actions"].array?.count == 1)
            #expect(updated.json["dateUpdated"].string == "2026-01-05T10:01:00Z")
            let clash = try await client.call(.put, "/automated-actions/by-id/\(id)", token: env.member, body: #"{"name": "taken"}"#)
            #expect(clash.status == .conflict)
        }
    }

    @Test func pauseAndResume() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("p", token: env.admin)
            _ = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: Seed.dailySchedule)
            let paused = try await client.call(.post, "/automated-actions/by-id/\(id)/pause", token: env.member)
            #expect(paused.status == .ok)
            #expect(paused.json["status"].string == "paused")
            #expect(paused.json["nextScheduledRunAt"].isNull)
            let resumed = try await client.call(.post, "/automated-actions/by-id/\(id)/resume", token: env.member)
            #expect(resumed.json["status"].string == "active")
            #expect(resumed.json["nextScheduledRunAt"].string == "2026-01-06T09:00:00Z")
        }
    }

    @Test func failurePoliciesAreSetChangedRemovedAndCheckedByField() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let body = #"""
                {"name": "flaky", "actions": [{"name": "Run", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": []}}],
                 "retryPolicy": {"maxRetries": 3, "backoffMs": 1500}, "notification": {"onFailure": true}, "pauseAfterConsecutiveFailures": 5}
                """#
            let created = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"].string)
            #expect(created.json["retryPolicy"]["backoffSeconds"].double == 1.5, "backoffMs is read as milliseconds")
            #expect(created.json["retryPolicy"]["multiplier"].double == 2 && created.json["retryPolicy"]["maxRetries"].int == 3)
            #expect(created.json["notification"]["onFailure"].bool == true && created.json["notification"]["onSuccess"].bool == false)
            #expect(created.json["notification"]["onPause"].bool == true)
            #expect(created.json["pauseAfterConsecutiveFailures"].int == 5)
            #expect(created.json["pausedReason"].isNull && created.json["pausedAt"].isNull)

            let changed = try await client.call(
                .put, "/automated-actions/by-id/\(id)", token: env.member, body: #"{"retryPolicy": null, "pauseAfterConsecutiveFailures": 2}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["retryPolicy"].isNull && changed.json["pauseAfterConsecutiveFailures"].int == 2)
            #expect(changed.json["notification"]["onFailure"].bool == true, "absent fields keep their value")
            let fetched = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            #expect(fetched.json["retryPolicy"].isNull && fetched.json["pauseAfterConsecutiveFailures"].int == 2, "stored")
            let paused = try await client.call(.post, "/automated-actions/by-id/\(id)/pause", token: env.member)
            #expect(paused.json["pausedAt"].string == "2026-01-05T10:00:00Z" && paused.json["pausedReason"].isNull)

            for (update, field, status) in [
                (#"{"retryPolicy": {"maxRetries": 11}}"#, "retryPolicy.maxRetries", 422),
                (#"{"retryPolicy": {"maxRetries": 1, "backoffSeconds": 0}}"#, "retryPolicy.backoffSeconds", 422),
                (#"{"retryPolicy": {"maxRetries": 1, "multiplier": 0.5}}"#, "retryPolicy.multiplier", 422),
                (#"{"retryPolicy": {"maxRetries": 1, "backoffSeconds": 60, "maxBackoffSeconds": 10}}"#, "retryPolicy.maxBackoffSeconds", 422),
                (#"{"retryPolicy": {"maxRetries": 1, "backoffSeconds": 1, "backoffMs": 1000}}"#, "retryPolicy.backoffMs", 422),
                (#"{"retryPolicy": {"backoffSeconds": 1}}"#, "retryPolicy.maxRetries", 400),
                (#"{"pauseAfterConsecutiveFailures": 0}"#, "pauseAfterConsecutiveFailures", 422),
                (#"{"notification": {"onFailure": "yes"}}"#, "notification.onFailure", 400),
            ] {
                let refused = try await client.call(.put, "/automated-actions/by-id/\(id)", token: env.member, body: update)
                #expect(refused.status.code == status && refused.error["field"].string == field, "\(update): \(refused.text)")
            }
        }
    }

    @Test func historyCleanupDeletesTheTenantsHistoryByAgeAndCountForAdminsOnly() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let mine = try await client.createAction("mine", token: env.admin)
            let other = try await client.createAction("theirs", token: env.otherAdmin)
            // Finished runs 10 days, 5 days and now ago: three of each action; three more of mine
            // now. (Runs under way stay longer: tested with the stores.)
            func finishedRun(_ id: String, _ token: String) async throws {
                let run = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: token)
                #expect(run.status == .accepted, "\(run.text)")
                for process in run.json["processIds"].array ?? [] {
                    let processId = try #require(process.string.flatMap(ProcessID.init), "\(run.text)")
                    _ = try await env.service.completeExecution(processId: processId, outcome: .success)
                }
            }
            for age in [10.0, 5.0, 0.0] {
                env.clock.advance(by: age == 10 ? 0 : 5 * 86_400)
                for id in [mine, other] { try await finishedRun(id, id == mine ? env.admin : env.otherAdmin) }
            }
            for _ in 0..<3 { try await finishedRun(mine, env.admin) }

            let forbidden = try await client.call(.post, "/maintenance/history-cleanup", token: env.member, body: #"{"olderThanDays": 1}"#)
            #expect(forbidden.status == .forbidden)
            let empty = try await client.call(.post, "/maintenance/history-cleanup", token: env.admin, body: "{}")
            #expect(empty.status == .unprocessableContent && empty.error["field"].string == "olderThanDays")
            let negative = try await client.call(.post, "/maintenance/history-cleanup", token: env.admin, body: #"{"keepPerAction": -1}"#)
            #expect(negative.status == .unprocessableContent && negative.error["field"].string == "keepPerAction")

            // Older than 7 days: my run of day 0 only (the other tenant's is not mine to delete).
            let byAge = try await client.call(.post, "/maintenance/history-cleanup", token: env.admin, body: #"{"olderThanDays": 7}"#)
            #expect(byAge.status == .ok, "\(byAge.text)")
            #expect(byAge.json["deleted"].int == 1 && byAge.json["olderThanDays"].int == 7 && byAge.json["keepPerAction"].isNull)
            #expect(byAge.json["startedBefore"].string == "2026-01-08T10:00:00Z")
            // Keep 2 of the 5 left (day 5, and four of day 10).
            let byCount = try await client.call(.post, "/maintenance/history-cleanup", token: env.admin, body: #"{"keepPerAction": 2}"#)
            #expect(byCount.json["deleted"].int == 3 && byCount.json["startedBefore"].isNull)
            let history = try await client.call(.get, "/automated-actions/by-id/\(mine)/history", token: env.admin)
            #expect(history.json.array?.count == 2)
            let theirs = try await client.call(.get, "/automated-actions/by-id/\(other)/history", token: env.otherAdmin)
            #expect(theirs.json.array?.count == 3, "another tenant's history is untouched")
        }
    }

    @Test func bulkOperations() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let a = try await client.createAction("a", token: env.admin)
            let b = try await client.createAction("b", token: env.admin)
            let missing = "00000000-0000-0000-0000-000000000000"
            let paused = try await client.call(
                .post, "/automated-actions/bulk", token: env.member,
                body: #"{"operation": "pause", "actionIds": ["\#(a)", "\#(b)", "\#(missing)"]}"#)
            #expect(paused.status == .ok, "\(paused.text)")
            #expect(paused.json["operation"].string == "pause")
            #expect(paused.json["succeeded"].int == 2)
            #expect(paused.json["failed"].int == 1)
            #expect(paused.json["results"][2]["errorCode"].string == "notFound")
            let fetched = try await client.call(.get, "/automated-actions/by-id/\(b)", token: env.member)
            #expect(fetched.json["status"].string == "paused")
            let deleted = try await client.call(
                .post, "/automated-actions/bulk", token: env.admin, body: #"{"operation": "delete", "actionIds": ["\#(a)", "\#(b)"]}"#)
            #expect(deleted.json["succeeded"].int == 2)
            let list = try await client.call(.get, "/namespaces/production/automated-actions", token: env.admin)
            #expect(list.json["items"].array?.isEmpty == true)
        }
    }

    @Test func upcomingRunsAcrossActions() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let daily = try await client.createAction("daily", token: env.admin)
            _ = try await client.call(.post, "/automated-actions/by-id/\(daily)/schedules", token: env.admin, body: Seed.dailySchedule)
            let hourly = try await client.createAction("hourly", namespace: "staging", token: env.admin)
            _ = try await client.call(
                .post, "/automated-actions/by-id/\(hourly)/schedules", token: env.admin, body: #"{"name": "Hourly", "cron": "30 * * * *"}"#)
            let runs = try await client.call(.get, "/automated-actions/upcoming?limit=3", token: env.member)
            #expect(runs.status == .ok, "\(runs.text)")
            let items = try #require(runs.json.array)
            #expect(items.map { $0["scheduledAt"].string ?? "" } == ["2026-01-05T10:30:00Z", "2026-01-05T11:30:00Z", "2026-01-05T12:30:00Z"])
            #expect(items[0]["actionName"].string == "hourly")
            #expect(items[0]["namespace"].string == "staging")
            let untilTomorrow = try await client.call(
                .get, "/automated-actions/upcoming?limit=100&until=2026-01-06T09:00:00Z", token: env.member)
            let all = try #require(untilTomorrow.json.array)
            #expect(all.count == 24)
            #expect(all.last?["actionName"].string == "daily")
            let onlyProduction = try await client.call(.get, "/automated-actions/upcoming?namespace=production&limit=2", token: env.member)
            #expect(onlyProduction.json.array?.map { $0["actionName"].string ?? "" } == ["daily", "daily"])
            #expect(onlyProduction.json[1]["scheduledAt"].string == "2026-01-07T09:00:00Z")
        }
    }

    @Test func filterTesterExplainsEachEvent() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let reply = try await client.call(
                .post, "/filters/test", token: env.member,
                body: #"""
                    {"filter": "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'",
                     "events": [{"item": {"status": "Finished", "appId": "data-import-app-id"}}, {"item": {"status": "Error"}}]}
                    """#)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["results"][0]["matched"].bool == true)
            #expect(reply.json["results"][1]["matched"].bool == false)
            #expect(reply.json["results"][1]["index"].int == 1)
            #expect(reply.json["results"][1]["explanation"].string?.isEmpty == false)
            let bad = try await client.call(
                .post, "/filters/test", token: env.member, body: #"{"filter": "$.item.status ==", "events": [{}]}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.error["field"].string == "filter")
            #expect(bad.error["position"]["column"].int != nil)
        }
    }
}
