import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import JSONPath
import Testing

/// A webhook call's JSON reaches the command through `{"$fromEvent": "$.payload…"}` (seed 001's
/// `{webhook_payload}`), over the real route and signature check.
@Suite("Webhook payloads into commands ($fromEvent)")
struct WebhookEventValueTests {
    @Test func theCallsPayloadIsCopiedIntoTheCommandAndAMissingValueFailsOnlyItsItem() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let action = #"""
                {"name": "process-order", "actions": [
                  {"name": "Process Order", "config": {"$type": "interaction", "version": {"id": "order-assistant", "version": 1},
                   "initialPrompt": "Process the order in the input \"order\".",
                   "inputs": [{"name": "order", "value": {"$fromEvent": "$.payload"}},
                              {"name": "total", "value": {"$fromEvent": "$.payload.order.total"}},
                              {"name": "channel", "value": {"$fromEvent": "$.payload.channel", "default": "web"}}]}},
                  {"name": "Email Customer", "config": {"$type": "app", "version": {"id": "mailer", "version": 1},
                   "inputs": [{"name": "to", "value": {"$fromEvent": "$.payload.customer.email"}}]}}]}
                """#
            let created = try await client.call(.post, "/namespaces/production/automated-actions", token: api.admin, body: action)
            try #require(created.status == .created, "\(created.text)")
            let actionId = try #require(created.json["id"].string)
            let hook = try await client.call(
                .post, "/automated-actions/by-id/\(actionId)/webhooks", token: api.admin, body: #"{"name": "shop"}"#)
            try #require(hook.status == .created, "\(hook.text)")
            let url = try #require(hook.json["url"].string)
            let secret = try #require(hook.json["secret"].string)

            let payload = #"{"order": {"id": "o-17", "total": 42.5, "lines": [{"sku": "A1", "qty": 2}]}}"#
            let reply = try await client.call(
                .post, url, token: nil, body: payload,
                headers: WebhookTests.signed(payload, secret: secret, messageID: "msg_order_17", at: TestAPI.start))
            #expect(reply.status == .accepted, "\(reply.text)")
            #expect(reply.json["outcome"].string == "started")
            #expect(reply.json["processIds"].array?.count == 1, "one command: the second item failed")
            #expect(reply.json["entries"][0]["outcome"].string == "Pending")
            #expect(reply.json["entries"][1]["outcome"].string == "Failed")
            #expect(
                reply.json["entries"][1]["errorMessage"].string
                    == #"item "Email Customer": $fromEvent "$.payload.customer.email" at config.inputs[0].value selected nothing in event \#(reply.json["eventId"].string ?? "?"); no command was sent"#,
                "\(reply.text)")

            let command = try #require(api.runner.published.last)
            guard case .interaction(let config) = command.body.config else {
                Issue.record("expected the interaction's command, got \(command.body.config.kind)")
                return
            }
            #expect(config.inputs.map(\.value) == [try JSONParser.parse(payload), 42.5, "web"])
            let text = String(decoding: try command.encodedBody(), as: UTF8.self)
            #expect(!text.contains("$fromEvent"), "\(text)")
        }
    }
}
