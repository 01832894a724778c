import Automation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `/health/live`, `/health/ready` and `/metrics`: no token, readiness from the injected checks,
/// metrics text from the injected source.
@Suite struct OperationsTests {
    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "attempt to write a readonly database" }
    }

    static let passing = ReadinessCheck(name: "broker") {}
    static let failing = ReadinessCheck(name: "database") { throw DiskFull() }

    @Test func liveAnswersWithoutAToken() async throws {
        let env = try await TestAPI.make()
        let reply = try await env.test { try await $0.call(.get, "/health/live", token: nil) }
        #expect(reply.status == .ok)
        #expect(reply.json["status"].string == "ok")
    }

    @Test func readyPassesWhenEveryCheckPasses() async throws {
        let env = try await TestAPI.make().replacing(readinessChecks: [Self.passing, ReadinessCheck(name: "database") {}])
        let reply = try await env.test { try await $0.call(.get, "/health/ready", token: nil) }
        #expect(reply.status == .ok)
        #expect(reply.json["status"].string == "pass")
        #expect(reply.json["checks"].array?.map { $0["name"].string } == ["broker", "database"])
        #expect(reply.json["checks"].array?.allSatisfy { $0["status"].string == "pass" && !$0["reason"].exists } == true)
    }

    @Test func readyIs503NamingTheFailingCheckAndWhy() async throws {
        let env = try await TestAPI.make().replacing(readinessChecks: [Self.passing, Self.failing])
        let reply = try await env.test { try await $0.call(.get, "/health/ready", token: nil) }
        #expect(reply.status == .serviceUnavailable)
        #expect(reply.json["status"].string == "fail")
        #expect(reply.json["checks"][0]["status"].string == "pass")
        #expect(reply.json["checks"][1]["name"].string == "database")
        #expect(reply.json["checks"][1]["status"].string == "fail")
        #expect(reply.json["checks"][1]["reason"].string == "attempt to write a readonly database")
    }

    @Test func aCheckThatDoesNotAnswerFailsAfterTheTimeout() async throws {
        let (release, hold) = AsyncStream<Void>.makeStream()
        let stuck = ReadinessCheck(name: "database") { for await _ in release {} }
        var env = try await TestAPI.make().replacing(readinessChecks: [Self.passing, stuck])
        env = env.replacing(readinessTimeout: .milliseconds(50))
        let reply = try await env.test { try await $0.call(.get, "/health/ready", token: nil) }
        hold.finish()
        #expect(reply.status == .serviceUnavailable)
        #expect(reply.json["checks"][1]["reason"].string?.hasPrefix("no answer within") == true, "\(reply.json)")
    }

    /// Probes need no token: a burst of them runs the checks (the database's is a write) once,
    /// and again only once the report is older than `readinessMaxAge`.
    @Test func aBurstOfProbesRunsTheChecksOnce() async throws {
        final class Runs: Sendable { let count = Atomic(0) }
        let runs = Runs()
        let counting = ReadinessCheck(name: "database") {
            runs.count.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(20))
        }
        var env = try await TestAPI.make().replacing(readinessChecks: [counting], readinessMaxAge: .seconds(3600))
        let statuses = try await env.test { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 { group.addTask { try await client.call(.get, "/health/ready", token: nil).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses.count == 50 && statuses.allSatisfy { $0 == .ok })
        #expect(runs.count.load(ordering: .relaxed) == 1, "50 concurrent probes, one run of the checks")

        env = env.replacing(readinessMaxAge: .zero)
        _ = try await env.test { client in
            for _ in 0..<3 { _ = try await client.call(.get, "/health/ready", token: nil) }
        }
        #expect(runs.count.load(ordering: .relaxed) == 4, "a stale report runs them again")
    }

    @Test func metricsServesTheInjectedTextAsPrometheusExposition() async throws {
        final class Scrapes: Sendable { let count = Atomic(0) }
        let scrapes = Scrapes()
        let env = try await TestAPI.make().replacing(metricsText: {
            let scrape = scrapes.count.add(1, ordering: .relaxed).newValue
            return "# TYPE signalbox_scrapes_total counter\nsignalbox_scrapes_total \(scrape)\n"
        })
        let (first, second) = try await env.test { client in
            (try await client.call(.get, "/metrics", token: nil), try await client.call(.get, "/metrics", token: "not-a-token"))
        }
        #expect(first.status == .ok && second.status == .ok)
        #expect(first.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(first.text == "# TYPE signalbox_scrapes_total counter\nsignalbox_scrapes_total 1\n")
        #expect(second.text.hasSuffix("signalbox_scrapes_total 2\n"), "rendered on each scrape")
    }

    @Test func otherRoutesStillNeedAToken() async throws {
        let env = try await TestAPI.make().replacing(readinessChecks: [Self.passing])
        let (anonymous, anonymousPost, member) = try await env.test { client in
            (
                try await client.call(.get, "/namespaces/production/automated-actions", token: nil),
                try await client.call(.post, "/filters/test", token: nil, body: #"{"filter": "$.a == 1", "events": []}"#),
                try await client.call(.get, "/namespaces/production/automated-actions", token: env.member)
            )
        }
        #expect(anonymous.status == .unauthorized && anonymousPost.status == .unauthorized)
        #expect(member.status == .ok)
    }
}

extension TestAPI {
    /// The same API and tokens with other operations settings.
    func replacing(
        readinessChecks: [ReadinessCheck]? = nil, readinessTimeout: Duration? = nil, readinessMaxAge: Duration? = nil,
        metricsText: (@Sendable () -> String)? = nil, tokenRateLimit: WebhookRateLimit? = nil
    ) -> TestAPI {
        var api = self.api
        if let tokenRateLimit { api.tokenRateLimit = tokenRateLimit }
        if let readinessChecks { api.readinessChecks = readinessChecks }
        if let readinessTimeout { api.readinessTimeout = readinessTimeout }
        if let readinessMaxAge { api.readinessMaxAge = readinessMaxAge }
        if let metricsText { api.metricsText = metricsText }
        return TestAPI(service: service, store: store, clock: clock, runner: runner, api: api, admin: admin, member: member, otherAdmin: otherAdmin)
    }
}
