import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Action statuses (seed 004): draft → active; active ↔ paused; any → archived; archived is
/// read-only. Each allowed transition, each refusal, and what each status lets run.
@Suite struct LifecycleTests {
    static func create(_ client: any TestClientProtocol, _ env: TestAPI, _ name: String, status: String? = nil) async throws -> String {
        let statusField = status.map { #", "status": "\#($0)""# } ?? ""
        let body = #"{"name": "\#(name)"\#(statusField), "actions": [{"name": "Run", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": []}}]}"#
        let reply = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: body)
        try #require(reply.status == .created, "\(reply.text)")
        #expect(reply.json["status"].string == status ?? "active")
        return try #require(reply.json["id"].string)
    }

    @Test func everyAllowedTransitionAndEveryRefusedOne() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let draft = try await Self.create(client, env, "draft", status: "draft")
            #expect(try await client.call(.post, "/automated-actions/by-id/\(draft)/pause", token: env.member).status == .conflict)
            let activated = try await client.call(.post, "/automated-actions/by-id/\(draft)/activate", token: env.member)
            #expect(activated.json["status"].string == "active")
            #expect(activated.json["isEnabled"].bool == true)
            let back = try await client.call(.put, "/automated-actions/by-id/\(draft)", token: env.member, body: #"{"status": "draft"}"#)
            #expect(back.status == .conflict)
            #expect(back.json["error"]["message"].string?.contains("can become paused or archived") == true, "\(back.text)")

            // active ↔ paused, by the verbs, by status and by seed 000's isEnabled.
            let paused = try await client.call(.put, "/automated-actions/by-id/\(draft)", token: env.member, body: #"{"isEnabled": false}"#)
            #expect(paused.json["status"].string == "paused" && paused.json["isEnabled"].bool == false)
            let resumed = try await client.call(.put, "/automated-actions/by-id/\(draft)", token: env.member, body: #"{"status": "active"}"#)
            #expect(resumed.json["status"].string == "active")
            let contradiction = try await client.call(
                .put, "/automated-actions/by-id/\(draft)", token: env.member, body: #"{"status": "active", "isEnabled": false}"#)
            #expect(contradiction.status == .unprocessableContent)

            // Any → archived; archived → nothing.
            for status in ["draft", "paused"] {
                let id = try await Self.create(client, env, "to-archive-from-\(status)", status: status)
                let archived = try await client.call(.post, "/automated-actions/by-id/\(id)/archive", token: env.member)
                #expect(archived.json["status"].string == "archived", "\(archived.text)")
            }
            let archived = try await client.call(.post, "/automated-actions/by-id/\(draft)/archive", token: env.member)
            #expect(archived.json["status"].string == "archived")
            #expect(archived.json["nextScheduledRunAt"].isNull)
            for verb in ["activate", "resume", "pause"] {
                let refused = try await client.call(.post, "/automated-actions/by-id/\(draft)/\(verb)", token: env.member)
                #expect(refused.status == .conflict, "\(verb): \(refused.text)")
                #expect(refused.json["error"]["message"].string?.contains("read-only") == true)
            }
            #expect(try await client.call(.post, "/automated-actions/by-id/\(draft)/archive", token: env.member).status == .ok, "staying put is no change")

            let createdArchived = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.admin,
                body: #"{"name": "born-archived", "status": "archived", "actions": [{"name": "Run", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": []}}]}"#)
            #expect(createdArchived.status == .unprocessableContent)
        }
    }

    @Test func anArchivedActionIsReadOnlyAndDoesNotRunButCanBeDeleted() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await Self.create(client, env, "retired")
            let schedule = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: Seed.dailySchedule)
            let scheduleId = try #require(schedule.json["schedules"][0]["id"].string)
            let trigger = try await client.call(.post, "/automated-actions/by-id/\(id)/message-triggers", token: env.admin, body: Seed.dataImportTrigger)
            let triggerId = try #require(trigger.json["messageTriggers"][0]["id"].string)
            _ = try await client.call(.post, "/automated-actions/by-id/\(id)/archive", token: env.member)

            let edits: [(HTTPRequest.Method, String, String?)] = [
                (.put, "/automated-actions/by-id/\(id)", #"{"name": "renamed"}"#),
                (.post, "/automated-actions/by-id/\(id)/schedules", Seed.dailySchedule),
                (.post, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)/enable", nil),
                (.delete, "/automated-actions/by-id/\(id)/schedules/\(scheduleId)", nil),
                (.post, "/automated-actions/by-id/\(id)/message-triggers", Seed.dataImportTrigger),
                (.post, "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)/disable", nil),
                (.delete, "/automated-actions/by-id/\(id)/message-triggers/\(triggerId)", nil),
                (.post, "/automated-actions/by-id/\(id)/webhooks", #"{"name": "late"}"#),
                (.post, "/automated-actions/by-id/\(id)/runs", #"{"delaySeconds": 60}"#),
                (.post, "/automated-actions/by-id/\(id)/trigger", nil),
            ]
            for (method, path, body) in edits {
                let reply = try await client.call(method, path, token: env.admin, body: body)
                #expect(reply.status == .conflict, "\(method) \(path): \(reply.text)")
                #expect(reply.json["error"]["message"].string?.contains("archived") == true, "\(path): \(reply.text)")
            }
            #expect(env.runner.published.isEmpty, "an archived action never runs")
            let read = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            #expect(read.json["name"].string == "retired" && read.json["schedules"].array?.count == 1)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/history", token: env.member).status == .ok)
            #expect(try await client.call(.delete, "/automated-actions/by-id/\(id)", token: env.admin).status == .noContent)
        }
    }

    @Test func aDraftRunsManuallyAsATestRun() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await Self.create(client, env, "sketch", status: "draft")
            let run = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: env.member)
            #expect(run.status == .accepted, "\(run.text)")
            #expect(run.json["processIds"].array?.count == 1)
            #expect(env.runner.published.count == 1)
        }
    }

    @Test func aWebhookOfADraftOrArchivedActionRunsNothing() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let (actionId, created) = try await WebhookTests.webhook(client, env)
            let id = try #require(created["id"].string)
            let secret = try #require(created["secret"].string)
            _ = try await client.call(.post, "/automated-actions/by-id/\(actionId)/archive", token: env.member)
            let body = #"{"ref": "main"}"#
            let reply = try await client.call(
                .post, "/hooks/\(id)", token: nil, body: body, headers: WebhookTests.signed(body, secret: secret, at: TestAPI.start))
            #expect(reply.json["outcome"].string == "inactive", "\(reply.text)")
            #expect(env.runner.published.isEmpty)
        }
    }

    @Test func listsFilterByStatusAndTriggerKindAcrossNamespaces() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let scheduled = try await Self.create(client, env, "scheduled")
            _ = try await client.call(.post, "/automated-actions/by-id/\(scheduled)/schedules", token: env.admin, body: Seed.dailySchedule)
            _ = try await Self.create(client, env, "sketch", status: "draft")
            let retired = try await Self.create(client, env, "retired")
            _ = try await client.call(.post, "/automated-actions/by-id/\(retired)/archive", token: env.member)
            _ = try await client.createAction("staged", namespace: "staging", token: env.admin)
            _ = try await client.createAction("not-mine", token: env.otherAdmin)

            func names(_ path: String) async throws -> [String] {
                let reply = try await client.call(.get, path, token: env.member)
                try #require(reply.status == .ok, "\(path): \(reply.text)")
                return reply.json["items"].array?.map { $0["name"].string ?? "" } ?? []
            }
            #expect(try await names("/namespaces/production/automated-actions") == ["scheduled", "sketch"])
            #expect(try await names("/namespaces/production/automated-actions?status=archived") == ["retired"])
            #expect(try await names("/automated-actions") == ["scheduled", "sketch", "staged"])
            #expect(try await names("/automated-actions?trigger=schedule") == ["scheduled"])
            #expect(try await names("/automated-actions?status=draft") == ["sketch"])
            #expect(try await names("/automated-actions?namespace=staging") == ["staged"])
            let unknown = try await client.call(.get, "/automated-actions?status=retired", token: env.member)
            #expect(unknown.status == .badRequest)
            #expect(unknown.json["error"]["message"].string?.contains("draft, active, paused, archived") == true, "\(unknown.text)")
            #expect(try await client.call(.get, "/automated-actions?trigger=cron", token: env.member).status == .badRequest)
        }
    }
}

/// `GET /automated-actions/stats` and `…/by-id/{id}/stats` over the router.
@Suite struct StatisticsTests {
    @Test func statisticsCountRunsAndWhatIsDueInTheNextHour() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("quarterly", token: env.admin)
            _ = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "every 15 min", "cron": "*/15 * * * *"}"#)
            _ = try await client.call(.post, "/automated-actions/by-id/\(id)/runs", token: env.member, body: #"{"delaySeconds": 1800}"#)
            _ = try await LifecycleTests.create(client, env, "sketch", status: "draft")
            let run = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: env.member)
            let processId = try #require(run.json["processIds"][0].string)
            env.clock.advance(by: 42)
            _ = try await env.service.completeExecution(processId: try #require(ProcessID(processId)), outcome: .success)

            let stats = try await client.call(.get, "/automated-actions/stats", token: env.member)
            #expect(stats.status == .ok, "\(stats.text)")
            #expect(stats.json["window"].string == "24h")
            #expect(stats.json["actions"]["total"].int == 2 && stats.json["actions"]["draft"].int == 1)
            #expect(stats.json["runs"]["succeeded"].int == 1 && stats.json["runs"]["successRate"].double == 1)
            // 10:15, 10:30, 10:45 and 11:00 of the schedule, and the delayed run at 10:30.
            #expect(stats.json["dueSoon"].int == 5, "\(stats.text)")
            #expect(stats.json["activeTasks"].int == 1 && stats.json["completedTasks"].int == 1)

            let one = try await client.call(.get, "/automated-actions/by-id/\(id)/stats?window=7d", token: env.member)
            #expect(one.json["window"].string == "7d")
            #expect(one.json["runs"]["runs"].int == 1 && one.json["durationSeconds"]["p50"].double == 42, "\(one.text)")
            #expect(one.json["durationSeconds"]["sampledRuns"].int == 1, "\(one.text)")
            #expect(one.json["runCount"].int == 1 && one.json["lastOutcome"].string == "Success")

            #expect(try await client.call(.get, "/automated-actions/stats?window=1y", token: env.member).status == .badRequest)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/stats", token: env.otherAdmin).status == .notFound)
            let theirs = try await client.call(.get, "/automated-actions/stats", token: env.otherAdmin)
            #expect(theirs.json["actions"]["total"].int == 0 && theirs.json["runs"]["runs"].int == 0)
        }
    }
}
