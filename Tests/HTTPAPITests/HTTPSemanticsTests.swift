import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What Schemathesis (`scripts/fuzz-api.sh`, `--checks all`) holds the API to: a known path asked
/// with another method answers 405 with `Allow`; a well-formed body whose value breaks a rule is a
/// 422, a malformed one a 400; a query parameter given empty is a 400 naming it.
@Suite struct HTTPSemanticsTests {
    @Test func wrongMethodOnAKnownPathIs405WithAllow() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("a", token: env.admin)
            let patch = try await client.call(.patch, "/automated-actions/by-id/\(id)", token: env.admin, body: "{}")
            #expect(patch.status == .methodNotAllowed, "\(patch.text)")
            #expect(patch.error["code"].string == "methodNotAllowed")
            #expect(patch.headers[.allow] == "GET, HEAD, PUT, DELETE")

            // Before authentication: the methods of a path are in the public document anyway.
            let post = try await client.call(.post, "/automated-actions/upcoming", token: nil)
            #expect(post.status == .methodNotAllowed, "\(post.text)")
            #expect(post.headers[.allow] == "GET, HEAD")
            let query = try await client.call(HTTPRequest.Method("QUERY")!, "/tokens/\(UUID())", token: env.admin)
            #expect(query.status == .methodNotAllowed)
            #expect(query.headers[.allow] == "DELETE")

            // HEAD wherever GET is; an unknown path stays 404.
            #expect(try await client.call(.head, "/health/live", token: nil).status == .ok)
            #expect(try await client.call(.head, "/automated-actions/by-id/\(id)", token: env.member).status == .ok)
            #expect(try await client.call(.put, "/no/such/path", token: env.admin).status == .notFound)
        }
    }

    @Test func wellFormedBodiesWithRefusedValuesAre422() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let create = "/namespaces/production/automated-actions"
            let item = #"[{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 1}}}]"#
            let emptyName = try await client.call(.post, create, token: env.admin, body: #"{"name": " ", "actions": \#(item)}"#)
            #expect(emptyName.status == .unprocessableContent, "\(emptyName.text)")
            #expect(emptyName.error["code"].string == "invalidValue")
            #expect(emptyName.error["field"].string == "name")

            let id = try await client.createAction("a", token: env.admin)
            let hour = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "s", "minute": "0", "hour": "25"}"#)
            #expect(hour.status == .unprocessableContent, "\(hour.text)")
            #expect(hour.error["field"].string == "hour")

            let unknownCase = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers", token: env.admin,
                body: #"{"name": "t", "triggerType": "Nope", "eventFilter": "$.a == 1"}"#)
            #expect(unknownCase.status == .unprocessableContent, "\(unknownCase.text)")
            #expect(unknownCase.error["field"].string == "triggerType")

            let negative = try await client.call(.post, "/maintenance/history-cleanup", token: env.admin, body: #"{"keepPerAction": -1}"#)
            #expect(negative.status == .unprocessableContent, "\(negative.text)")
            #expect(negative.error["field"].string == "keepPerAction")

            // Malformed stays 400: not JSON, a member missing, a member of the wrong type.
            let syntax = try await client.call(.post, create, token: env.admin, body: #"{"name": "#)
            #expect(syntax.status == .badRequest && syntax.error["code"].string == "invalidInput")
            let missing = try await client.call(.post, create, token: env.admin, body: #"{"name": "a"}"#)
            #expect(missing.status == .badRequest && missing.error["field"].string == "actions")
            let mistyped = try await client.call(.post, create, token: env.admin, body: #"{"name": 1, "actions": \#(item)}"#)
            #expect(mistyped.status == .badRequest && mistyped.error["field"].string == "name")
        }
    }

    @Test func emptyQueryValuesAre400NamingTheParameter() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("a", token: env.admin)
            let cases: [(String, String)] = [
                ("/automated-actions?limit=", "limit"),
                ("/automated-actions?cursor=", "cursor"),
                ("/automated-actions?status=", "status"),
                ("/automated-actions?namespace=", "namespace"),
                ("/namespaces/production/automated-actions?trigger=", "trigger"),
                ("/automated-actions/upcoming?until=", "until"),
                ("/automated-actions/by-id/\(id)/history?outcome=", "outcome"),
                ("/automated-actions/by-id/\(id)/runs?status=", "status"),
                ("/automated-actions/stats?window=", "window"),
                ("/definitions/export?namespace=", "namespace"),
            ]
            for (uri, parameter) in cases {
                let reply = try await client.call(.get, uri, token: env.admin)
                #expect(reply.status == .badRequest, "\(uri): \(reply.text)")
                #expect(reply.error["field"].string == parameter, "\(uri)")
                #expect(reply.error["message"].string?.contains("empty") == true, "\(uri)")
            }
            let cancel = try await client.call(.delete, "/automated-actions/by-id/\(id)/runs?key=", token: env.admin)
            #expect(cancel.status == .badRequest && cancel.error["field"].string == "key", "\(cancel.text)")
            // Absent is still the default.
            #expect(try await client.call(.get, "/automated-actions", token: env.admin).status == .ok)
        }
    }

    /// What the fuzzer found beyond the three kinds above.
    @Test func fuzzFindingsStayFixed() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            // An RFC 3339 offset beyond Foundation's ±18:00, six fractional digits.
            let upcoming = try await client.call(.get, "/automated-actions/upcoming?from=2026-01-05T10:00:00.123456-22:39", token: env.admin)
            #expect(upcoming.status == .ok, "\(upcoming.text)")
            // A cursor whose namespace begins with an emoji modifier, which joins the ':' into one character.
            let cursor = try await client.call(.get, "/automated-actions?cursor=n:%F0%9F%8F%BB/x", token: env.admin)
            #expect(cursor.status == .ok, "\(cursor.text)")
            // A date in a body that does not read is refused at its member.
            let id = try await client.createAction("a", token: env.admin)
            let runAt = try await client.call(.post, "/automated-actions/by-id/\(id)/runs", token: env.admin, body: #"{"runAt": "tomorrow"}"#)
            #expect(runAt.status == .unprocessableContent && runAt.error["field"].string == "runAt", "\(runAt.text)")
            // A namespace filter that could name no namespace.
            let namespace = try await client.call(.get, "/automated-actions/upcoming?namespace=a%20b", token: env.admin)
            #expect(namespace.status == .badRequest && namespace.error["field"].string == "namespace", "\(namespace.text)")
        }
    }
}
