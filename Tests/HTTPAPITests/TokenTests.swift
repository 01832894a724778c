import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET/POST/DELETE /tokens`: admins create tokens (the secret shown once), list them without
/// their secrets, revoke them; expiry and the read-only viewer role hold on every request.
@Suite struct TokenTests {
    @Test func adminsCreateListAndRevokeTokens() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let created = try await client.call(
                .post, "/tokens", token: env.admin, body: #"{"role": "viewer", "name": "dashboards", "expiresAt": "2026-02-01T00:00:00Z"}"#)
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.json["secret"].string)
            let id = try #require(created.json["id"].string)
            #expect(secret.hasPrefix("sbx_") && created.json["role"].string == "viewer" && created.json["name"].string == "dashboards")
            #expect(created.json["expiresAt"].string == "2026-02-01T00:00:00Z" && created.json["lastUsedAt"].isNull)

            // The new token works; its use is recorded.
            #expect(try await client.call(.get, "/automated-actions", token: secret).status == .ok)
            let listed = try await client.call(.get, "/tokens", token: env.admin)
            #expect(listed.status == .ok)
            #expect(listed.json["nextCursor"].isNull, "one page: \(listed.text)")
            let entry = try #require(listed.json["items"].array?.first { $0["id"].string == id }, "\(listed.text)")
            #expect(entry["lastUsedAt"].string == "2026-01-05T10:00:00Z", "\(listed.text)")
            #expect(!listed.text.contains(secret) && !listed.text.contains("secretHash"), "never the secret or its hash")
            #expect(Set(listed.json["items"].array?.compactMap { $0["role"].string } ?? []) == ["admin", "member", "viewer"])

            // Members neither list, create nor revoke tokens.
            #expect(try await client.call(.get, "/tokens", token: env.member).status == .forbidden)
            #expect(try await client.call(.post, "/tokens", token: env.member, body: #"{"role": "admin"}"#).status == .forbidden)
            #expect(try await client.call(.delete, "/tokens/\(id)", token: env.member).status == .forbidden)
            // Another tenant's admin cannot revoke it.
            #expect(try await client.call(.delete, "/tokens/\(id)", token: env.otherAdmin).status == .notFound)

            let revoked = try await client.call(.delete, "/tokens/\(id)", token: env.admin)
            #expect(revoked.status == .noContent)
            #expect(try await client.call(.get, "/automated-actions", token: secret).status == .unauthorized)
            #expect(try await client.call(.delete, "/tokens/\(id)", token: env.admin).status == .notFound)
        }
    }

    @Test func badRequestsNameTheirField() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let past = try await client.call(.post, "/tokens", token: env.admin, body: #"{"role": "member", "expiresAt": "2025-01-01T00:00:00Z"}"#)
            #expect(past.status == .unprocessableContent && past.error["field"].string == "expiresAt", "\(past.text)")
            let role = try await client.call(.post, "/tokens", token: env.admin, body: #"{"role": "owner"}"#)
            #expect(role.status == .unprocessableContent, "\(role.text)")
            let id = try await client.call(.delete, "/tokens/not-a-uuid", token: env.admin)
            #expect(id.status == .badRequest && id.error["field"].string == "tokenId")
        }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let created = try await client.call(.post, "/tokens", token: env.admin, body: #"{"role": "member", "expiresAt": "2026-01-05T11:00:00Z"}"#)
            let secret = try #require(created.json["secret"].string)
            #expect(try await client.call(.get, "/automated-actions", token: secret).status == .ok)
            env.clock.advance(by: 3600)
            let expired = try await client.call(.get, "/automated-actions", token: secret)
            #expect(expired.status == .unauthorized)
        }
    }

    @Test func aViewerReadsAndTestsFiltersButChangesNothing() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("watched", token: env.admin)
            let created = try await client.call(.post, "/tokens", token: env.admin, body: #"{"role": "viewer"}"#)
            let viewer = try #require(created.json["secret"].string)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)", token: viewer).status == .ok)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/history", token: viewer).status == .ok)
            let test = try await client.call(
                .post, "/filters/test", token: viewer, body: #"{"filter": "$.a == 1", "events": [{"a": 1}]}"#)
            #expect(test.status == .ok, "\(test.text)")
            let writes: [(HTTPRequest.Method, String, String?)] = [
                (.put, "/automated-actions/by-id/\(id)", #"{"description": "x"}"#),
                (.post, "/automated-actions/by-id/\(id)/pause", nil),
                (.post, "/automated-actions/by-id/\(id)/trigger", nil),
                (.post, "/automated-actions/by-id/\(id)/schedules", Seed.dailySchedule),
                (.delete, "/automated-actions/by-id/\(id)", nil),
            ]
            for (method, path, body) in writes {
                let reply = try await client.call(method, path, token: viewer, body: body)
                #expect(reply.status == .forbidden && reply.error["message"].string?.contains("viewer") == true, "\(method) \(path): \(reply.text)")
            }
            let action = try await client.call(.get, "/automated-actions/by-id/\(id)", token: viewer)
            #expect(action.json["status"].string == "active" && action.json["description"].string != "x", "nothing changed")
        }
    }

    /// Each token has its own bucket: over its rate, 429 with `Retry-After`; other tokens go on.
    @Test func aTokenOverItsRateIsToldWhenToRetry() async throws {
        // One token per 100 s: a slow machine cannot refill the bucket between the calls.
        let env = try await TestAPI.make().replacing(tokenRateLimit: WebhookRateLimit(perSecond: 0.01, burst: 3))
        try await env.test { client in
            for _ in 0..<3 { #expect(try await client.call(.get, "/automated-actions", token: env.member).status == .ok) }
            let limited = try await client.call(.get, "/automated-actions", token: env.member)
            #expect(limited.status == .tooManyRequests && limited.error["code"].string == "rateLimited", "\(limited.text)")
            let retryAfter = limited.headers[.retryAfter].flatMap { Int($0) }
            #expect(retryAfter.map { (90...100).contains($0) } == true, "one token every 100 s: \(limited.headers)")
            #expect(try await client.call(.get, "/automated-actions", token: env.admin).status == .ok, "another token has its own bucket")
        }
    }
}
