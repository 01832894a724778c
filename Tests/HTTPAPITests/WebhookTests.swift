import Automation
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StandardWebhooks
import Testing

/// Webhook triggers over the router: managing them with a token, and calls to `/hooks/{id}`
/// signed the Standard Webhooks way (here by our signer; `StandardWebhooksPeerTests` signs with
/// the reference library over a real socket).
@Suite("Webhook triggers")
struct WebhookTests {
    /// Creates an action with a webhook; returns the action id and the created webhook's JSON.
    static func webhook(
        _ client: any TestClientProtocol, _ api: TestAPI, body: String = #"{"name": "GitHub push"}"#
    ) async throws -> (actionId: String, webhook: JSON) {
        let actionId = try await client.createAction("hooked-\(UUID().uuidString.prefix(8))", token: api.admin)
        let reply = try await client.call(.post, "/automated-actions/by-id/\(actionId)/webhooks", token: api.member, body: body)
        try #require(reply.status == .created, "\(reply.text)")
        return (actionId, reply.json)
    }

    /// Headers of a call signed with `secret` at `timestamp`.
    static func signed(_ body: String, secret: String..., messageID: String = "msg_\(UUID().uuidString)", at timestamp: Date) -> HTTPFields {
        signed(body, secrets: secret, messageID: messageID, at: timestamp)
    }

    /// Headers of a call signed with each of `secrets` at `timestamp`.
    static func signed(_ body: String, secrets: [String], messageID: String = "msg_\(UUID().uuidString)", at timestamp: Date) -> HTTPFields {
        let keys = secrets.map { WebhookSecret($0)!.key }
        var fields = HTTPFields()
        for (name, value) in StandardWebhooks.headers(
            keys: keys, messageID: messageID, timestamp: Int(timestamp.timeIntervalSince1970), body: Array(body.utf8))
        {
            fields[HTTPField.Name(name)!] = value
        }
        return fields
    }

    @Test func aCreatedWebhookShowsItsSecretOnceAndTheActionNever() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(
                client, api, body: #"{"name": "orders", "filter": "$.payload.kind == 'order'", "rateLimit": {"perSecond": 5, "burst": 7}}"#)
            let id = try #require(created["id"].string)
            #expect(created["url"].string == "/hooks/\(id)")
            #expect(created["secret"].string?.hasPrefix("whsec_") == true)
            #expect(WebhookSecret(created["secret"].string ?? "")?.key.count == 32)
            #expect(created["rateLimit"]["burst"].int == 7)
            #expect(created["isEnabled"].bool == true && created["allowSecretParameter"].bool == false)

            let action = try await client.call(.get, "/automated-actions/by-id/\(actionId)", token: api.member)
            #expect(action.json["webhooks"][0]["id"].string == id)
            #expect(!action.text.contains("whsec_"), "the action never carries a secret")
            let listed = try await client.call(.get, "/automated-actions/by-id/\(actionId)/webhooks", token: api.member)
            #expect(listed.json["items"].array?.count == 1)
            #expect(!listed.text.contains("whsec_"))
            let one = try await client.call(.get, "/automated-actions/by-id/\(actionId)/webhooks/\(id)", token: api.member)
            #expect(one.json["filter"].string == "$.payload.kind == 'order'")
            #expect(one.json["secret"].exists == false)
            let foreign = try await client.call(.get, "/automated-actions/by-id/\(actionId)/webhooks/\(id)", token: api.otherAdmin)
            #expect(foreign.status == .notFound)
        }
    }

    @Test func badDefinitionsAreRefusedNamingTheField() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let actionId = try await client.createAction("bad-hooks", token: api.admin)
            let path = "/automated-actions/by-id/\(actionId)/webhooks"
            let filter = try await client.call(.post, path, token: api.admin, body: #"{"name": "x", "filter": "$.payload.a == "}"#)
            #expect(filter.status == .unprocessableContent)
            #expect(filter.error["field"].string == "filter")
            #expect(filter.error["position"]["line"].int == 1 && filter.error["position"]["column"].int != nil)
            let rate = try await client.call(.post, path, token: api.admin, body: #"{"name": "x", "rateLimit": {"perSecond": 0, "burst": 1}}"#)
            #expect(rate.error["field"].string == "rateLimit.perSecond")
            let name = try await client.call(.post, path, token: api.admin, body: #"{"name": ""}"#)
            #expect(name.error["field"].string == "name")
        }
    }

    @Test func aSignedCallRunsTheActionOnceAndItsRetryIsAnsweredFromHistory() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            let body = #"{"ref": "refs/heads/main"}"#
            let headers = Self.signed(body, secret: secret, messageID: "msg_1", at: TestAPI.start)

            let first = try await client.call(.post, url, token: nil, body: body, headers: headers)
            #expect(first.status == .accepted, "\(first.text)")
            #expect(first.json["outcome"].string == "started")
            #expect(first.json["eventId"].string == "webhook:\(created["id"].string!):msg_1")
            let processes = try #require(first.json["processIds"].array)
            #expect(processes.count == 1)
            #expect(first.json["entries"][0]["triggerType"].string == "Webhook")
            #expect(first.json["entries"][0]["triggerId"].string == created["id"].string)

            // The sender's retry: same webhook-id, so the same run, nothing new.
            let retry = try await client.call(.post, url, token: nil, body: body, headers: headers)
            #expect(retry.json["outcome"].string == "replayed")
            #expect(retry.json["processIds"][0].string == processes[0].string)
            let history = try await client.call(.get, "/automated-actions/by-id/\(actionId)/history", token: api.member)
            #expect(history.json.array?.count == 1)
        }
    }

    @Test func callsThatAreNotAuthenticatedAreRefusedWithoutSayingWhy() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            let body = #"{"n": 1}"#
            let wrongSecret = WebhookSecret.generate().text
            let cases: [(String, HTTPFields, String)] = [
                ("wrong secret", Self.signed(body, secret: wrongSecret, at: TestAPI.start), body),
                ("stale timestamp", Self.signed(body, secret: secret, at: TestAPI.start.addingTimeInterval(-301)), body),
                ("future timestamp", Self.signed(body, secret: secret, at: TestAPI.start.addingTimeInterval(301)), body),
                ("tampered body", Self.signed(body, secret: secret, at: TestAPI.start), #"{"n": 2}"#),
                ("no signature", [:], body),
            ]
            for (name, headers, sent) in cases {
                let reply = try await client.call(.post, url, token: nil, body: sent, headers: headers)
                #expect(reply.status == .unauthorized, "\(name): \(reply.text)")
                #expect(reply.error["message"].string == "webhook authentication failed", "\(name)")
            }
            // Within the tolerance on both sides it is accepted.
            let edge = try await client.call(
                .post, url, token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start.addingTimeInterval(-299)))
            #expect(edge.status == .accepted)
            let history = try await client.call(.get, "/automated-actions/by-id/\(actionId)/history", token: api.member)
            #expect(history.json.array?.count == 1, "only the authenticated call ran")
        }
    }

    @Test func unknownDisabledAndOversizedCallsAreRefused() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api)
            let id = try #require(created["id"].string)
            let secret = try #require(created["secret"].string)
            let body = "{}"
            let unknown = try await client.call(
                .post, "/hooks/\(UUID().uuidString.lowercased())", token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start))
            #expect(unknown.status == .notFound)
            #expect(try await client.call(.post, "/hooks/not-a-uuid", token: nil, body: body).status == .notFound)

            let large = "{\"pad\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
            let tooLarge = try await client.call(.post, "/hooks/\(id)", token: nil, body: large, headers: Self.signed(large, secret: secret, at: TestAPI.start))
            #expect(tooLarge.status == .contentTooLarge)

            let disabled = try await client.call(.post, "/automated-actions/by-id/\(actionId)/webhooks/\(id)/disable", token: api.member)
            #expect(disabled.json["isEnabled"].bool == false)
            let refused = try await client.call(.post, "/hooks/\(id)", token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start))
            #expect(refused.status == .notFound)
            _ = try await client.call(.post, "/automated-actions/by-id/\(actionId)/webhooks/\(id)/enable", token: api.member)
            let accepted = try await client.call(.post, "/hooks/\(id)", token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start))
            #expect(accepted.status == .accepted)
        }
    }

    @Test func aNonJSONBodyIsRefusedAtItsLineAndColumn() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (_, created) = try await Self.webhook(client, api)
            let secret = try #require(created["secret"].string)
            let body = "{\n  \"a\": tru\n}"
            let reply = try await client.call(
                .post, created["url"].string!, token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start))
            #expect(reply.status == .badRequest)
            #expect(reply.error["field"].string == "body")
            #expect(reply.error["position"]["line"].int == 2)
        }
    }

    @Test func theFilterDecidesAndAPausedActionRunsNothing() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(
                client, api, body: #"{"name": "opened only", "filter": "$.payload.action == 'opened'"}"#)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            func send(_ body: String) async throws -> Reply {
                try await client.call(.post, url, token: nil, body: body, headers: Self.signed(body, secret: secret, at: TestAPI.start))
            }
            #expect(try await send(#"{"action": "closed"}"#).json["outcome"].string == "filtered")
            #expect(try await send(#"{"action": "opened"}"#).json["outcome"].string == "started")
            _ = try await client.call(.post, "/automated-actions/by-id/\(actionId)/pause", token: api.member)
            #expect(try await send(#"{"action": "opened"}"#).json["outcome"].string == "paused")
            let history = try await client.call(.get, "/automated-actions/by-id/\(actionId)/history", token: api.member)
            #expect(history.json.array?.count == 1)
        }
    }

    @Test func callsBeyondTheRateAreAnswered429WithRetryAfter() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (_, created) = try await Self.webhook(
                client, api, body: #"{"name": "slow", "rateLimit": {"perSecond": 0.5, "burst": 2}}"#)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            func send() async throws -> Reply {
                let body = "{}"
                return try await client.call(.post, url, token: nil, body: body, headers: Self.signed(body, secret: secret, at: api.clock.now()))
            }
            #expect(try await send().status == .accepted)
            #expect(try await send().status == .accepted)
            let limited = try await send()
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "2", "one token every 2 s")
            #expect(limited.error["code"].string == "rateLimited")
            // Forged calls take no token: the sender's next token is still there after them.
            api.clock.advance(by: 2)
            for _ in 0..<5 {
                _ = try await client.call(.post, url, token: nil, body: "{}", headers: Self.signed("{}", secret: WebhookSecret.generate().text, at: api.clock.now()))
            }
            #expect(try await send().status == .accepted)
        }
    }

    @Test func aRotatedSecretKeepsTheOldOneForItsGraceOnly() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api)
            let id = try #require(created["id"].string)
            let old = try #require(created["secret"].string)
            let rotated = try await client.call(
                .post, "/automated-actions/by-id/\(actionId)/webhooks/\(id)/rotate-secret", token: api.member, body: #"{"graceSeconds": 3600}"#)
            #expect(rotated.status == .ok, "\(rotated.text)")
            let new = try #require(rotated.json["secret"].string)
            #expect(new != old)
            #expect(rotated.json["previousSecretExpiresAt"].string == "2026-01-05T11:00:00Z")

            func status(_ secrets: String...) async throws -> HTTPResponse.Status {
                let headers = Self.signed("{}", secrets: secrets, at: api.clock.now())
                return try await client.call(.post, "/hooks/\(id)", token: nil, body: "{}", headers: headers).status
            }
            #expect(try await status(new) == .accepted)
            #expect(try await status(old) == .accepted, "within the grace")
            #expect(try await status(old, new) == .accepted, "both signatures, as senders send during a rotation")
            api.clock.advance(by: 3600)
            #expect(try await status(old) == .unauthorized, "after the grace")
            #expect(try await status(new) == .accepted)

            let bad = try await client.call(
                .post, "/automated-actions/by-id/\(actionId)/webhooks/\(id)/rotate-secret", token: api.member, body: #"{"graceSeconds": -1}"#)
            #expect(bad.error["field"].string == "graceSeconds")
            let byDefault = try await client.call(.post, "/automated-actions/by-id/\(actionId)/webhooks/\(id)/rotate-secret", token: api.member)
            #expect(byDefault.json["previousSecretExpiresAt"].string == "2026-01-06T11:00:00Z", "24 h by default")
        }
    }

    @Test func theSecretParameterWorksOnlyWhereAllowed() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (_, allowed) = try await Self.webhook(client, api, body: #"{"name": "seed 001", "allowSecretParameter": true}"#)
            let secret = try #require(allowed["secret"].string)
            let query = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let ok = try await client.call(.post, "\(allowed["url"].string!)?secret=\(query)", token: nil, body: #"{"data": "x"}"#)
            #expect(ok.status == .accepted, "\(ok.text)")
            #expect(ok.json["outcome"].string == "started")
            let wrong = try await client.call(.post, "\(allowed["url"].string!)?secret=whsec_AAAA", token: nil, body: "{}")
            #expect(wrong.status == .unauthorized)

            let (_, strict) = try await Self.webhook(client, api)
            let strictSecret = try #require(strict["secret"].string)
            let refused = try await client.call(
                .post, "\(strict["url"].string!)?secret=\(strictSecret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                token: nil, body: "{}")
            #expect(refused.status == .unauthorized, "not allowed on this webhook")
        }
    }

    @Test func removingAWebhookNeedsAnAdminAndItsAddressStopsAnswering() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api)
            let id = try #require(created["id"].string)
            let path = "/automated-actions/by-id/\(actionId)/webhooks/\(id)"
            #expect(try await client.call(.delete, path, token: api.member).status == .forbidden)
            #expect(try await client.call(.delete, path, token: api.admin).status == .noContent)
            #expect(try await client.call(.get, path, token: api.admin).status == .notFound)
            let secret = try #require(created["secret"].string)
            let call = try await client.call(.post, "/hooks/\(id)", token: nil, body: "{}", headers: Self.signed("{}", secret: secret, at: TestAPI.start))
            #expect(call.status == .notFound)
        }
    }

    @Test func theEventCarriesTextPayloadsAndHeadersAndTheReceiptNamesTheRun() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (_, created) = try await Self.webhook(
                client, api, body: #"{"name": "push only", "filter": "$.headers['x-github-event'] == 'push' && $.payload == 'hello'"}"#)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            func send(_ body: String, event: String) async throws -> Reply {
                var headers = Self.signed(body, secret: secret, at: TestAPI.start)
                headers[.contentType] = "text/plain; charset=utf-8"
                headers[HTTPField.Name("X-GitHub-Event")!] = event
                return try await client.call(.post, url, token: nil, body: body, headers: headers)
            }
            let missed = try await send("hello", event: "issues")
            #expect(missed.status == .accepted)
            #expect(missed.json["matched"].bool == false && missed.json["runId"].string == nil)
            let ran = try await send("hello", event: "push")
            #expect(ran.status == .accepted)
            #expect(ran.json["matched"].bool == true && ran.json["runId"].string == ran.json["eventId"].string, "\(ran.text)")
            #expect(ran.json["processIds"].array?.count == 1)
        }
    }

    @Test func aSecretParameterCallIsMadeIdempotentByItsIdempotencyKey() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (actionId, created) = try await Self.webhook(client, api, body: #"{"name": "seed 001", "allowSecretParameter": true}"#)
            let secret = try #require(created["secret"].string)
            let url = "\(created["url"].string!)?secret=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            var headers = HTTPFields()
            headers[HTTPField.Name("Idempotency-Key")!] = "order-42"
            let first = try await client.call(.post, url, token: nil, body: #"{"data": "x"}"#, headers: headers)
            let again = try await client.call(.post, url, token: nil, body: #"{"data": "x"}"#, headers: headers)
            #expect(first.json["outcome"].string == "started" && again.json["outcome"].string == "replayed")
            #expect(first.json["processIds"][0].string == again.json["processIds"][0].string)
            let unkeyed = try await client.call(.post, url, token: nil, body: #"{"data": "x"}"#)
            #expect(unkeyed.json["outcome"].string == "started", "without a key every call is a new run")
            let history = try await client.call(.get, "/automated-actions/by-id/\(actionId)/history", token: api.member)
            #expect(history.json.array?.count == 2)
        }
    }

    @Test func aCallThatCannotAuthenticateIsRefusedBeforeItsBodyIsRead() async throws {
        let api = try await TestAPI.make()
        try await api.test { client in
            let (_, created) = try await Self.webhook(client, api)
            let url = try #require(created["url"].string)
            let secret = try #require(created["secret"].string)
            let large = "{\"pad\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
            // Over 1 MiB: read, it would be 413; these are 401 because the body is never read.
            let stale = try await client.call(
                .post, url, token: nil, body: large, headers: Self.signed(large, secret: secret, at: TestAPI.start.addingTimeInterval(-600)))
            #expect(stale.status == .unauthorized, "\(stale.status)")
            let unsigned = try await client.call(.post, url, token: nil, body: large)
            #expect(unsigned.status == .unauthorized)
            let signed = try await client.call(.post, url, token: nil, body: large, headers: Self.signed(large, secret: secret, at: TestAPI.start))
            #expect(signed.status == .contentTooLarge, "a call that may authenticate is read, up to the limit")
        }
    }
}
