import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST …/trigger` with an `Idempotency-Key`: one run per key and action for 24 hours.
@Suite("Manual runs: Idempotency-Key")
struct ManualRunIdempotencyTests {
    static let key = HTTPFields.Element.Name("Idempotency-Key")!
    static let replayed = HTTPFields.Element.Name("Idempotent-Replayed")!

    @Test func theSameKeyAnswersWithTheFirstRunAndStartsNothing() async throws {
        let env = try await TestAPI.make()
        let runner = try #require(env.service.runner as? InMemoryActionRunner)
        try await env.test { client in
            let created = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: Seed.createDailyReport)
            let id = try #require(created.json["id"].string)
            let path = "/automated-actions/by-id/\(id)/trigger"

            let first = try await client.call(.post, path, token: env.admin, headers: [Self.key: "order-7"])
            #expect(first.status == .accepted, "\(first.text)")
            #expect(first.json["replayed"].bool == false && first.headers[Self.replayed] == nil)
            let again = try await client.call(.post, path, token: env.member, headers: [Self.key: "order-7"])
            #expect(again.status == .accepted, "\(again.text)")
            #expect(again.json["replayed"].bool == true && again.headers[Self.replayed] == "true")
            #expect(again.json["eventId"].string == first.json["eventId"].string)
            #expect(again.json["processIds"].array?.compactMap(\.string) == first.json["processIds"].array?.compactMap(\.string))
            #expect(runner.published.count == 1, "the second request published nothing")

            // Another key, or none, is another run.
            let other = try await client.call(.post, path, token: env.admin, headers: [Self.key: "order-8"])
            let plain = try await client.call(.post, path, token: env.admin)
            #expect(Set([first, other, plain].compactMap { $0.json["eventId"].string }).count == 3)
            #expect(runner.published.count == 3)

            // A day later the key is free again.
            env.clock.advance(by: ManualRunKey.lifetime + 1)
            let tomorrow = try await client.call(.post, path, token: env.admin, headers: [Self.key: "order-7"])
            #expect(tomorrow.json["replayed"].bool == false && tomorrow.json["eventId"].string != first.json["eventId"].string)
            #expect(runner.published.count == 4)
        }
    }

    @Test func aKeyIsVisibleASCIIOfAtMost255Characters() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let created = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: Seed.createDailyReport)
            let id = try #require(created.json["id"].string)
            for bad in [String(repeating: "k", count: 256), "two words"] {
                let reply = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: env.admin, headers: [Self.key: bad])
                #expect(reply.status == .badRequest, "\(reply.text)")
                #expect(reply.error["field"].string == "Idempotency-Key")
            }
            let longest = try await client.call(
                .post, "/automated-actions/by-id/\(id)/trigger", token: env.admin, headers: [Self.key: String(repeating: "k", count: 255)])
            #expect(longest.status == .accepted)
        }
    }
}
