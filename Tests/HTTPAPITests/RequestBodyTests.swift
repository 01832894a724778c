import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Request bodies are parsed once, by `JSONParser`, and decoded from what it parsed.
@Suite struct RequestBodyTests {
    static let create = "/namespaces/production/automated-actions"

    /// Text the old syntax check let through and Foundation then refused came back with no
    /// position; one parser now decides, and says where.
    @Test func everySyntaxErrorHasItsPosition() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let surrogate = try await client.call(.post, Self.create, token: env.admin, body: #"{"name": "a\ud800", "actions": []}"#)
            #expect(surrogate.status == .badRequest)
            #expect(surrogate.error["field"].string == "body")
            #expect(surrogate.error["position"]["line"].int == 1)
            #expect(surrogate.error["position"]["column"].int == 12)
            #expect(surrogate.error["message"].string?.contains("invalid \\u escape (unpaired surrogate) at line 1, column 12") == true, "\(surrogate.text)")

            let huge = try await client.call(.post, Self.create, token: env.admin, body: "{\"name\": \"a\",\n \"actions\": 1e999}")
            #expect(huge.status == .badRequest)
            #expect(huge.error["field"].string == "body")
            #expect(huge.error["position"]["line"].int == 2)
            #expect(huge.error["position"]["column"].int == 13)
        }
    }

    /// Columns count characters, and the message quotes the one refused.
    @Test func syntaxErrorsQuoteTheCharacter() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let reply = try await client.call(.post, Self.create, token: env.admin, body: "{\"name\": \"é🙂\" ;}")
            #expect(reply.error["message"].string == "the body is not valid JSON: unexpected ';' at line 1, column 15", "\(reply.text)")
            #expect(reply.error["position"]["start"].int == 14)
            let empty = try await client.call(.post, Self.create, token: env.admin, body: " \n")
            #expect(empty.error["message"].string == "the body is not valid JSON: the body is empty; expected a JSON value at line 2, column 1")
        }
    }
}
