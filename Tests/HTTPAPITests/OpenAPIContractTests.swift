import Automation
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `docs/openapi.yaml` against the running API: every route is documented, and real responses of
/// the main endpoints carry every property the document marks required, down through nested
/// schemas. Removing a field from a response, or a route from the document, fails here.
@Suite struct OpenAPIContractTests {
    /// Every route the router serves, as the document's path templates.
    static let routes: Set<String> = [
        "GET /health/live", "GET /health/ready", "GET /metrics",
        "POST /namespaces/{ns}/automated-actions", "GET /namespaces/{ns}/automated-actions",
        "GET /namespaces/{ns}/automated-actions/{name}",
        "GET /automated-actions/by-id/{id}", "PUT /automated-actions/by-id/{id}", "DELETE /automated-actions/by-id/{id}",
        "POST /automated-actions/by-id/{id}/pause", "POST /automated-actions/by-id/{id}/resume",
        "POST /automated-actions/by-id/{id}/activate", "POST /automated-actions/by-id/{id}/archive", "GET /automated-actions", "GET /automated-actions/stats", "GET /automated-actions/by-id/{id}/stats",
        "POST /automated-actions/bulk", "GET /automated-actions/upcoming",
        "POST /automated-actions/by-id/{id}/schedules", "DELETE /automated-actions/by-id/{id}/schedules/{scheduleId}",
        "POST /automated-actions/by-id/{id}/schedules/{scheduleId}/enable",
        "POST /automated-actions/by-id/{id}/schedules/{scheduleId}/disable",
        "POST /automated-actions/by-id/{id}/message-triggers",
        "DELETE /automated-actions/by-id/{id}/message-triggers/{triggerId}",
        "POST /automated-actions/by-id/{id}/message-triggers/{triggerId}/enable",
        "POST /automated-actions/by-id/{id}/message-triggers/{triggerId}/disable",
        "POST /automated-actions/by-id/{id}/trigger", "GET /automated-actions/by-id/{id}/history",
        "POST /filters/test", "POST /maintenance/history-cleanup", "POST /definitions/apply", "GET /definitions/export",
        "POST /automated-actions/by-id/{id}/webhooks", "GET /automated-actions/by-id/{id}/webhooks",
        "GET /automated-actions/by-id/{id}/webhooks/{webhookId}", "DELETE /automated-actions/by-id/{id}/webhooks/{webhookId}",
        "POST /automated-actions/by-id/{id}/webhooks/{webhookId}/enable",
        "POST /automated-actions/by-id/{id}/webhooks/{webhookId}/disable",
        "POST /automated-actions/by-id/{id}/webhooks/{webhookId}/rotate-secret", "POST /hooks/{webhookId}",
        "GET /automated-actions/by-id/{id}/signing-secret", "POST /automated-actions/by-id/{id}/signing-secret/rotate",
        "POST /automated-actions/by-id/{id}/runs", "GET /automated-actions/by-id/{id}/runs", "DELETE /automated-actions/by-id/{id}/runs",
        "GET /automated-actions/by-id/{id}/runs/{runId}", "DELETE /automated-actions/by-id/{id}/runs/{runId}",
        // The web console's.
        "GET /whoami", "GET /automated-actions/summary", "GET /automated-actions/by-id/{id}/schedules/{scheduleId}/occurrences",
        "GET /history/stream", "GET /events/recent", "GET /ui", "GET /ui/{asset}",
        "GET /tokens", "POST /tokens", "DELETE /tokens/{tokenId}",
    ]

    @Test func documentListsEveryRouteAndItsSchemas() throws {
        let document = try OpenAPIDocument.load()
        let documented = Set(document.operations.map { "\($0.method) \($0.path)" })
        #expect(documented == Self.routes)
        for operation in document.operations {
            #expect(operation.successStatus != nil, "\(operation.method) \(operation.path) has no 2xx response")
            if operation.successStatus != "204" {
                let schema = try #require(operation.successSchema, "\(operation.method) \(operation.path)")
                #expect(document.schemas[schema] != nil, "\(schema) is referenced but not defined")
            }
        }
        // The reader really read the schemas (so the checks below cannot pass vacuously).
        let action = try #require(document.schemas["AutomatedAction"])
        #expect(action.required.count == 24)
        #expect(action.properties["schedules"] == .init(schema: "CronSchedule", isArray: true))
        #expect(document.schemas["ExecutionHistoryEntry"]?.required.contains("processId") == true)
        #expect(document.schemas["ErrorDetail"]?.required == ["code", "status", "message"])
        #expect(document.operation("GET", "/automated-actions/by-id/{id}/history")?.successIsArray == true)
        #expect(document.operation("POST", "/automated-actions/by-id/{id}/trigger")?.successStatus == "202")
    }

    @Test func checkerFindsMissingFields() throws {
        let document = try OpenAPIDocument.load()
        let json = try JSON(data: Data(#"{"error": {"code": "x", "status": 400}}"#.utf8))
        #expect(document.problems(json, against: "Error") == ["$.error.message: required by ErrorDetail but missing"])
        let nested = try JSON(data: Data(#"{"items": [{"id": "x"}], "nextCursor": null}"#.utf8))
        #expect(document.problems(nested, against: "ActionList").count == 23)
    }

    @Test func responsesMatchTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        let env = try await TestAPI.make().replacing(readinessChecks: [
            ReadinessCheck(name: "broker") {}, ReadinessCheck(name: "database") { throw ReadinessCheck.Failure("read-only") },
        ])
        try await env.test { client in
            /// Sends the request and checks status and body against the documented operation.
            @Sendable func check(
                _ method: HTTPRequest.Method, _ template: String, _ uri: String, token: String?, body: String? = nil
            ) async throws -> Reply {
                let reply = try await client.call(method, uri, token: token, body: body)
                let operation = try #require(document.operation(method.rawValue, template), "\(method) \(template) is not documented")
                let status = String(reply.status.code)
                #expect(operation.statuses.contains(status), "\(method) \(template) answered \(status), not documented")
                if reply.status.code >= 400 {
                    #expect(document.problems(reply.json, against: "Error").isEmpty, "\(document.problems(reply.json, against: "Error"))")
                } else if let schema = operation.successSchema {
                    #expect(status == operation.successStatus)
                    if operation.successIsArray {
                        let elements = try #require(reply.json.array, "\(template): expected an array")
                        #expect(!elements.isEmpty, "\(template): check with at least one element")
                        for (index, element) in elements.enumerated() {
                            let found = document.problems(element, against: schema, at: "$[\(index)]")
                            #expect(found.isEmpty, "\(method) \(template): \(found)")
                        }
                    } else {
                        let found = document.problems(reply.json, against: schema)
                        #expect(found.isEmpty, "\(method) \(template): \(found)")
                    }
                }
                return reply
            }

            _ = try await check(.get, "/health/live", "/health/live", token: nil)
            _ = try await check(.get, "/metrics", "/metrics", token: nil)
            // 503 carries the Readiness body (not an Error): checked against its schema here.
            let unready = try await client.call(.get, "/health/ready", token: nil)
            #expect(document.operation("GET", "/health/ready")?.statuses == ["200", "503"])
            #expect(unready.status == .serviceUnavailable)
            #expect(document.problems(unready.json, against: "Readiness").isEmpty, "\(document.problems(unready.json, against: "Readiness"))")
            #expect(unready.json["checks"][1]["reason"].exists, "the failing check's reason is there to be checked")
            let created = try await check(
                .post, "/namespaces/{ns}/automated-actions", "/namespaces/production/automated-actions", token: env.admin,
                body: Seed.createDailyReport)
            let id = try #require(created.json["id"].string)
            let byId = "/automated-actions/by-id/\(id)"
            let scheduled = try await check(.post, "/automated-actions/by-id/{id}/schedules", "\(byId)/schedules", token: env.admin, body: Seed.dailySchedule)
            let scheduleId = try #require(scheduled.json["schedules"][0]["id"].string)
            let triggered = try await check(
                .post, "/automated-actions/by-id/{id}/message-triggers", "\(byId)/message-triggers", token: env.admin, body: Seed.dataImportTrigger)
            let triggerId = try #require(triggered.json["messageTriggers"][0]["id"].string)
            // A filter that compiles with a warning, so `warnings` is checked too.
            _ = try await check(
                .post, "/automated-actions/by-id/{id}/message-triggers", "\(byId)/message-triggers", token: env.admin,
                body: #"{"name": "w", "triggerType": "AppProcessUpdated", "eventFilter": "$.item.count == '3' || $.item.x > 'a'"}"#)
            _ = try await check(.get, "/automated-actions/by-id/{id}", byId, token: env.member)
            _ = try await check(.get, "/namespaces/{ns}/automated-actions/{name}", "/namespaces/production/automated-actions/daily-report", token: env.member)
            _ = try await check(.get, "/namespaces/{ns}/automated-actions", "/namespaces/production/automated-actions", token: env.member)
            _ = try await check(.get, "/automated-actions", "/automated-actions?status=active&trigger=schedule", token: env.member)
            _ = try await check(.get, "/automated-actions/stats", "/automated-actions/stats?window=7d", token: env.member)
            _ = try await check(.put, "/automated-actions/by-id/{id}", byId, token: env.member, body: #"{"description": "d"}"#)
            _ = try await check(.post, "/automated-actions/by-id/{id}/schedules/{scheduleId}/disable", "\(byId)/schedules/\(scheduleId)/disable", token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/schedules/{scheduleId}/enable", "\(byId)/schedules/\(scheduleId)/enable", token: env.member)
            _ = try await check(
                .post, "/automated-actions/by-id/{id}/message-triggers/{triggerId}/disable", "\(byId)/message-triggers/\(triggerId)/disable", token: env.member)
            _ = try await check(
                .post, "/automated-actions/by-id/{id}/message-triggers/{triggerId}/enable", "\(byId)/message-triggers/\(triggerId)/enable", token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/trigger", "\(byId)/trigger", token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}/stats", "\(byId)/stats", token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}/history", "\(byId)/history?limit=10", token: env.member)
            _ = try await check(.get, "/automated-actions/upcoming", "/automated-actions/upcoming?limit=5", token: env.member)
            // The console's reads (the event stream never ends: ConsoleRouteTests reads it).
            _ = try await check(.get, "/whoami", "/whoami", token: env.member)
            _ = try await check(.get, "/automated-actions/summary", "/automated-actions/summary?status=active", token: env.member)
            _ = try await check(
                .get, "/automated-actions/by-id/{id}/schedules/{scheduleId}/occurrences", "\(byId)/schedules/\(scheduleId)/occurrences?count=3",
                token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}/history", "\(byId)/history?outcome=Pending&triggerType=Manual", token: env.member)
            env.api.recentEvents.record(try ConsoleRouteTests.event("e-1", tenant: "acme", body: #"{"item": {"status": "Failed"}}"#), size: 30, at: TestAPI.start)
            _ = try await check(.get, "/events/recent", "/events/recent?limit=5", token: env.member)
            _ = try await check(.get, "/ui", "/ui", token: nil)
            _ = try await check(.get, "/ui/{asset}", "/ui/app.js", token: nil)
            _ = try await check(.get, "/ui/{asset}", "/ui/nope.js", token: nil)
            _ = try await check(
                .post, "/filters/test", "/filters/test", token: env.member, body: #"{"filter": "$.a == 1", "events": [{"a": 1}, {"a": 2}]}"#)
            // Delayed runs: scheduled, listed, read, cancelled by id and by key.
            let delayed = try await check(
                .post, "/automated-actions/by-id/{id}/runs", "\(byId)/runs", token: env.member,
                body: #"{"delaySeconds": 3600, "payload": {"who": "Ada"}, "key": "k"}"#)
            let runId = try #require(delayed.json["runId"].string)
            _ = try await check(.post, "/automated-actions/by-id/{id}/runs", "\(byId)/runs", token: env.member, body: #"{"delaySeconds": 0}"#)
            _ = try await check(.get, "/automated-actions/by-id/{id}/runs", "\(byId)/runs?status=scheduled", token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}/runs/{runId}", "\(byId)/runs/\(runId)", token: env.member)
            _ = try await check(.delete, "/automated-actions/by-id/{id}/runs/{runId}", "\(byId)/runs/\(runId)", token: env.member)
            _ = try await check(.delete, "/automated-actions/by-id/{id}/runs/{runId}", "\(byId)/runs/\(runId)", token: env.member)
            _ = try await check(.delete, "/automated-actions/by-id/{id}/runs", "\(byId)/runs?key=k", token: env.member)
            // The signing secret of requests out; rotated, both sign for the grace.
            let signing = try await check(.get, "/automated-actions/by-id/{id}/signing-secret", "\(byId)/signing-secret", token: env.member)
            let rotated = try await check(
                .post, "/automated-actions/by-id/{id}/signing-secret/rotate", "\(byId)/signing-secret/rotate", token: env.member,
                body: #"{"graceSeconds": 60}"#)
            #expect(rotated.json["previousSecret"].string == signing.json["secret"].string && rotated.json["rotatedAt"].exists)
            _ = try await check(
                .post, "/automated-actions/by-id/{id}/signing-secret/rotate", "\(byId)/signing-secret/rotate", token: env.member,
                body: #"{"graceSeconds": -1}"#)
            // Webhooks: managed with a token, called with a signature.
            let hooked = try await check(
                .post, "/automated-actions/by-id/{id}/webhooks", "\(byId)/webhooks", token: env.member, body: #"{"name": "hook", "filter": "$.payload.n > 0"}"#)
            let webhookId = try #require(hooked.json["id"].string)
            let secret = try #require(WebhookSecret(hooked.json["secret"].string ?? ""))
            let hookPath = "\(byId)/webhooks/\(webhookId)"
            _ = try await check(.get, "/automated-actions/by-id/{id}/webhooks", "\(byId)/webhooks", token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}/webhooks/{webhookId}", hookPath, token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/webhooks/{webhookId}/disable", "\(hookPath)/disable", token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/webhooks/{webhookId}/enable", "\(hookPath)/enable", token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/webhooks/{webhookId}/rotate-secret", "\(hookPath)/rotate-secret", token: env.member)
            let unsigned = try await client.call(.post, "/hooks/\(webhookId)", token: nil, body: "{}")
            #expect(document.operation("POST", "/hooks/{webhookId}")?.statuses.contains(String(unsigned.status.code)) == true)
            #expect(document.problems(unsigned.json, against: "Error").isEmpty)
            let signed = WebhookTests.signed(#"{"n": 1}"#, secret: secret.text, messageID: "msg_contract", at: env.clock.now())
            // Signed with the secret rotated away above: it works for the grace period.
            let called = try await client.call(.post, "/hooks/\(webhookId)", token: nil, body: #"{"n": 1}"#, headers: signed)
            #expect(called.status == .accepted, "\(called.text)")
            #expect(document.operation("POST", "/hooks/{webhookId}")?.successStatus == "202")
            let receipt = document.problems(called.json, against: "WebhookReceipt")
            #expect(receipt.isEmpty, "\(receipt)")

            _ = try await check(.post, "/automated-actions/by-id/{id}/pause", "\(byId)/pause", token: env.member)
            _ = try await check(.post, "/automated-actions/by-id/{id}/resume", "\(byId)/resume", token: env.member)
            _ = try await check(
                .post, "/automated-actions/bulk", "/automated-actions/bulk", token: env.member, body: #"{"operation": "pause", "actionIds": ["\#(id)"]}"#)

            // Errors are documented on their operations and have the Error shape.
            _ = try await check(.get, "/automated-actions/by-id/{id}", "/automated-actions/by-id/nope", token: env.member)
            _ = try await check(.get, "/automated-actions/by-id/{id}", byId, token: nil)
            _ = try await check(.get, "/automated-actions/by-id/{id}", byId, token: env.otherAdmin)
            _ = try await check(.delete, "/automated-actions/by-id/{id}", byId, token: env.member)
            _ = try await check(.post, "/namespaces/{ns}/automated-actions", "/namespaces/production/automated-actions", token: env.admin, body: Seed.createDailyReport)
            _ = try await check(.post, "/namespaces/{ns}/automated-actions", "/namespaces/production/automated-actions", token: env.admin, body: "{")
            for minute in 1...5 {
                _ = try await check(
                    .post, "/automated-actions/by-id/{id}/schedules", "\(byId)/schedules", token: env.admin, body: #"{"name": "m\#(minute)", "minute": "\#(minute)"}"#)
            }

            // Deletions last.
            _ = try await check(.delete, "/automated-actions/by-id/{id}/webhooks/{webhookId}", hookPath, token: env.admin)
            _ = try await check(
                .delete, "/automated-actions/by-id/{id}/message-triggers/{triggerId}", "\(byId)/message-triggers/\(triggerId)", token: env.admin)
            _ = try await check(.delete, "/automated-actions/by-id/{id}/schedules/{scheduleId}", "\(byId)/schedules/\(scheduleId)", token: env.admin)
            _ = try await check(.delete, "/automated-actions/by-id/{id}", byId, token: env.admin)
        }
    }
}
