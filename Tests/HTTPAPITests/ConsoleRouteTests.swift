import Automation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SignalboxTestSupport
import Synchronization
import Testing

@testable import HTTPAPI

/// The web console's routes: its files and their security headers, who a token is, the actions
/// list's run summaries, a schedule's occurrences across a DST change, and the live history
/// stream (tenant-scoped, bounded). The pages themselves are driven in Chromium by
/// ConsoleBrowserTests (SignalboxTests).
@Suite struct ConsoleRouteTests {
    static let item = #"{"name": "Run", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": []}}"#

    static func create(_ client: any TestClientProtocol, token: String, _ name: String, extra: String = "") async throws -> String {
        let reply = try await client.call(
            .post, "/namespaces/console/automated-actions", token: token, body: #"{"name": "\#(name)", "actions": [\#(item)]\#(extra)}"#)
        try #require(reply.status == .created, "\(reply.text)")
        return try #require(reply.json["id"].string)
    }

    @Test func filesAreServedWithAStrictPolicyAndNothingFromElsewhere() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let page = try await client.call(.get, "/ui", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"))
            #expect(page.text.contains(#"src="/ui/app.js""#) && page.text.contains(#"href="/ui/app.css""#))
            for (name, type) in [("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8"), ("index.html", "text/html; charset=utf-8")] {
                let file = try await client.call(.get, "/ui/\(name)", token: nil)
                #expect(file.status == .ok && file.headers[.contentType] == type, "\(name)")
                #expect(file.headers[.xContentTypeOptions] == "nosniff")
                #expect(!file.text.contains("http://") && !file.text.contains("https://"), "\(name) must not load anything from elsewhere")
            }
            // The token never goes to localStorage, only to sessionStorage.
            let script = try await client.call(.get, "/ui/app.js", token: nil)
            #expect(script.text.contains("sessionStorage") && !script.text.contains("localStorage"))
            #expect(try await client.call(.get, "/ui/", token: nil).text == page.text, "with or without the slash")
            #expect(try await client.call(.get, "/ui/../Package.swift", token: nil).status == .notFound)
            #expect(try await client.call(.get, "/ui/secrets.json", token: nil).status == .notFound)
        }
    }

    @Test func whoAmINamesTheTokensTenantAndRole() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let member = try await client.call(.get, "/whoami", token: env.member)
            #expect(member.json["tenantId"].string == "acme" && member.json["role"].string == "member")
            let other = try await client.call(.get, "/whoami", token: env.otherAdmin)
            #expect(other.json["tenantId"].string == "globex" && other.json["role"].string == "admin")
            #expect(try await client.call(.get, "/whoami", token: "sbx_nope").status == .unauthorized)
            #expect(try await client.call(.get, "/whoami", token: nil).status == .unauthorized)
        }
    }

    @Test func summaryRowsCountRunsAndStayInTheTenant() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let busy = try await Self.create(client, token: env.admin, "busy")
            let idle = try await Self.create(
                client, token: env.admin, "idle", extra: #", "schedules": [{"name": "n", "cron": "0 9 * * *"}]"#)
            _ = try await Self.create(client, token: env.otherAdmin, "theirs")
            // Three manual runs of `busy`: one succeeds, one fails, the newest stays open.
            var processes: [String] = []
            for _ in 0..<3 {
                let run = try await client.call(.post, "/automated-actions/by-id/\(busy)/trigger", token: env.member)
                processes.append(try #require(run.json["processId"].string))
                env.clock.advance(by: 60)
            }
            _ = try await env.service.completeExecution(processId: try #require(ProcessID(processes[0])), outcome: .success)
            _ = try await env.service.completeExecution(processId: try #require(ProcessID(processes[1])), outcome: .failed, errorMessage: "boom")

            let page = try await client.call(.get, "/automated-actions/summary", token: env.member)
            let rows = try #require(page.json["items"].array)
            #expect(rows.map { $0["name"].string } == ["busy", "idle"], "by name, and not globex's")
            let busyRow = rows[0], idleRow = rows[1]
            #expect(busyRow["id"].string == busy && busyRow["successes"].int == 1 && busyRow["failures"].int == 1)
            #expect(busyRow["successRate"].double == 0.5)
            #expect(busyRow["lastOutcome"].string == "Pending", "the newest entry is the open one")
            #expect(busyRow["lastRunAt"].string == "2026-01-05T10:02:00Z")
            #expect(busyRow["triggerKinds"].array?.isEmpty == true)
            #expect(idleRow["id"].string == idle && idleRow["successRate"].isNull && idleRow["lastOutcome"].isNull)
            #expect(idleRow["triggerKinds"].array?.map(\.string) == ["schedule"])
            #expect(idleRow["nextRunAt"].string == "2026-01-06T09:00:00Z")

            let filtered = try await client.call(.get, "/automated-actions/summary?trigger=schedule&limit=1", token: env.member)
            #expect(filtered.json["items"].array?.map { $0["name"].string } == ["idle"])
            let theirs = try await client.call(.get, "/automated-actions/summary", token: env.otherAdmin)
            #expect(theirs.json["items"].array?.map { $0["name"].string } == ["theirs"])
        }
    }

    @Test func historyFiltersByOutcomeAndTriggerTypeBeforePaging() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await Self.create(client, token: env.admin, "runs")
            var processes: [String] = []
            for _ in 0..<4 {
                let run = try await client.call(.post, "/automated-actions/by-id/\(id)/trigger", token: env.member)
                processes.append(try #require(run.json["processId"].string))
                env.clock.advance(by: 1)
            }
            for process in processes.prefix(3) {
                _ = try await env.service.completeExecution(processId: try #require(ProcessID(process)), outcome: .failed, errorMessage: "no")
            }
            let failed = try await client.call(.get, "/automated-actions/by-id/\(id)/history?outcome=Failed&limit=2", token: env.member)
            #expect(failed.json.array?.count == 2 && failed.json.array?.allSatisfy { $0["outcome"].string == "Failed" } == true)
            let cursor = try #require(failed.headers[SignalboxAPI.nextCursorHeader])
            let rest = try await client.call(
                .get, "/automated-actions/by-id/\(id)/history?outcome=Failed&limit=2&cursor=\(cursor)", token: env.member)
            #expect(rest.json.array?.map { $0["processId"].string } == [processes[0]])
            let pending = try await client.call(.get, "/automated-actions/by-id/\(id)/history?outcome=Pending&triggerType=Manual", token: env.member)
            #expect(pending.json.array?.map { $0["processId"].string } == [processes[3]])
            let scheduled = try await client.call(.get, "/automated-actions/by-id/\(id)/history?triggerType=Schedule", token: env.member)
            #expect(scheduled.json.array?.isEmpty == true)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/history?outcome=Done", token: env.member).status == .badRequest)
        }
    }

    @Test func occurrencesAcrossTheBerlinSpringForward() async throws {
        let env = try await TestAPI.make()
        env.clock.set(try Date("2026-03-27T12:00:00Z", strategy: .iso8601))
        try await env.test { client in
            let created = try await client.call(
                .post, "/namespaces/console/automated-actions", token: env.admin,
                body: #"{"name": "night", "actions": [\#(Self.item)], "schedules": [{"name": "n", "cron": "30 2 * * *", "timeZone": "Europe/Berlin"}]}"#)
            let id = try #require(created.json["id"].string)
            let schedule = try #require(created.json["schedules"][0]["id"].string)
            let reply = try await client.call(.get, "/automated-actions/by-id/\(id)/schedules/\(schedule)/occurrences?count=3", token: env.member)
            #expect(reply.json["timeZone"].string == "Europe/Berlin")
            let pairs = try #require(reply.json["occurrences"].array).map { [$0["utc"].string ?? "", $0["local"].string ?? ""] }
            // CRON.md: on 29 March 2026 the 02:30 falls in the gap and fires at the jump, 03:00 CEST.
            #expect(pairs == [
                ["2026-03-28T01:30:00Z", "2026-03-28T02:30:00+01:00"],
                ["2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"],
                ["2026-03-30T00:30:00Z", "2026-03-30T02:30:00+02:00"],
            ])
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/schedules/\(schedule)/occurrences?count=0", token: env.member).status == .badRequest)
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/schedules/\(schedule)/occurrences", token: env.otherAdmin).status == .notFound)
            let other = UUID().uuidString.lowercased()
            #expect(try await client.call(.get, "/automated-actions/by-id/\(id)/schedules/\(other)/occurrences", token: env.member).status == .notFound)

            // The calendar asks for a later window with `from`.
            let upcoming = try await client.call(
                .get, "/automated-actions/upcoming?from=2026-03-29T00:00:00Z&until=2026-03-30T23:00:00Z&limit=10", token: env.member)
            #expect(upcoming.json.array?.map { $0["scheduledAt"].string } == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
        }
    }

    /// Collects what a stream writes, for the tests to read.
    struct CollectingWriter: ResponseBodyWriter {
        let frames: FrameLog

        mutating func write(_ buffer: ByteBuffer) async throws { frames.value.withLock { $0.append(String(buffer: buffer)) } }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws { frames.value.withLock { $0.append("<end>") } }
    }

    @Test func liveStreamCarriesOnlyTheCallersTenant() async throws {
        let env = try await TestAPI.make()
        let (ours, theirs) = try await env.test { client in
            (try await Self.create(client, token: env.admin, "ours"), try await Self.create(client, token: env.otherAdmin, "theirs"))
        }
        let feed = HistoryFeed()
        let subscription = try #require(feed.subscribe())
        let caller = try await env.service.authenticate(bearerToken: env.member)
        let frames = FrameLog()
        let reading = Task {
            var writer: any ResponseBodyWriter = CollectingWriter(frames: frames)
            try await HistoryStream(subscription: subscription, caller: caller, service: env.service).run(writer: &writer)
        }
        #expect(await eventually(timeout: .seconds(60)) { frames.value.withLock { $0.first?.hasPrefix("event: ready\n") == true } })
        func entry(_ action: String, _ event: String) throws -> ExecutionHistoryEntry {
            ExecutionHistoryEntry(
                triggerType: .manual, triggerId: nil, actionId: try #require(ActionID(action)), processId: .random(), processType: .app,
                dateStarted: TestAPI.start, sourceEventId: event, itemIndex: 0)
        }
        feed.publish([try entry(theirs, "theirs-1"), try entry(ours, "ours-1")])
        feed.publish([try entry(theirs, "theirs-2")])
        // As the run path tells it: a row recorded before is not news; a closed entry is.
        let again = try entry(ours, "ours-again")
        var closed = try entry(ours, "ours-2")
        closed.outcome = .failed
        var recorded = RecordedRun(history: [again], alreadyRecorded: [true])
        recorded.completions = [ExecutionCompletion(entry: closed, totalExecutions: 1, consecutiveFailures: 1), nil]
        feed.publish(recorded)
        #expect(await eventually(timeout: .seconds(60)) { frames.value.withLock { $0.joined().contains("ours-2") } })
        let text = frames.value.withLock { $0.joined() }
        #expect(text.contains(#""sourceEventId":"ours-1""#) && text.contains("event: history\ndata: {"))
        #expect(!text.contains("theirs"), "another tenant's entry reached the stream: \(text)")
        #expect(!text.contains("ours-again") && text.contains(#""outcome":"Failed""#))
        // A graceful shutdown closes the feed: the stream ends its body, and no new one starts.
        feed.close()
        try await reading.value
        #expect(frames.value.withLock { $0.last } == "<end>")
        #expect(feed.subscriberCount == 0)
        #expect(feed.subscribe() == nil)
    }

    /// A store that fails for a moment hides one entry, not the action's entries for the rest of
    /// the stream.
    @Test func aStoreFailureWhileCheckingAnEntryHidesOnlyThatEntry() async throws {
        let env = try await TestAPI.make()
        let ours = try await env.test { client in try await Self.create(client, token: env.admin, "ours") }
        let feed = HistoryFeed()
        let subscription = try #require(feed.subscribe())
        let caller = try await env.service.authenticate(bearerToken: env.member)
        let frames = FrameLog()
        let reading = Task {
            var writer: any ResponseBodyWriter = CollectingWriter(frames: frames)
            try await HistoryStream(subscription: subscription, caller: caller, service: env.service).run(writer: &writer)
        }
        #expect(await eventually(timeout: .seconds(60)) { frames.value.withLock { $0.first?.hasPrefix("event: ready\n") == true } })
        func entry(_ event: String) throws -> ExecutionHistoryEntry {
            ExecutionHistoryEntry(
                triggerType: .manual, triggerId: nil, actionId: try #require(ActionID(ours)), processId: .random(), processType: .app,
                dateStarted: TestAPI.start, sourceEventId: event, itemIndex: 0)
        }
        await env.store.failCalls(with: AutomationError.unavailable("database is locked"))
        let failedBefore = await env.store.failedCalls
        feed.publish([try entry("while-failing")])
        #expect(await eventually { await env.store.failedCalls > failedBefore }, "the stream asked the failing store about the entry")
        await env.store.failCalls(with: nil)
        feed.publish([try entry("after-recovery")])
        #expect(await eventually(timeout: .seconds(60)) { frames.value.withLock { $0.joined().contains("after-recovery") } })
        #expect(!frames.value.withLock { $0.joined() }.contains("while-failing"))
        feed.close()
        try await reading.value
    }

    /// An event from the bus of `tenant` with `body` (JSON text).
    static func event(_ id: String, tenant: TenantID, body: String) throws -> Event {
        let value = try AutomationJSON.decoder().decode(AnyJSON.self, from: Data(body.utf8)).value
        return Event(
            id: id, tenantId: tenant, namespace: "console", triggerType: .appProcessUpdated,
            source: .message(routingKey: "AppProcessUpdated"), body: value)
    }

    @Test func recentEventsAreTheTenantsNewestAndBounded() async throws {
        let env = try await TestAPI.make()
        let recent = env.api.recentEvents
        for index in 0..<(RecentEvents.perTenant + 5) {
            recent.record(try Self.event("acme-\(index)", tenant: "acme", body: #"{"n": \#(index)}"#), size: 10, at: TestAPI.start)
        }
        recent.record(try Self.event("globex-1", tenant: "globex", body: "{}"), size: 2, at: TestAPI.start)
        recent.record(try Self.event("too-big", tenant: "acme", body: "{}"), size: RecentEvents.maximumBytes + 1, at: TestAPI.start)
        try await env.test { client in
            let reply = try await client.call(.get, "/events/recent", token: env.member)
            let ids = try #require(reply.json.array).map { $0["id"].string ?? "" }
            #expect(ids == (5..<(RecentEvents.perTenant + 5)).reversed().map { "acme-\($0)" }, "newest first, oldest dropped, not globex's")
            #expect(reply.json[0]["body"]["n"].int == RecentEvents.perTenant + 4)
            #expect(reply.json[0]["triggerType"].string == "AppProcessUpdated" && reply.json[0]["namespace"].string == "console")
            let limited = try await client.call(.get, "/events/recent?limit=2", token: env.member)
            #expect(limited.json.array?.count == 2)
            let theirs = try await client.call(.get, "/events/recent", token: env.otherAdmin)
            #expect(theirs.json.array?.map { $0["id"].string } == ["globex-1"])
        }
        // Past the tenant limit, the tenant heard from least recently is forgotten.
        for index in 0..<RecentEvents.maximumTenants {
            recent.record(try Self.event("t\(index)", tenant: TenantID(rawValue: "t\(index)"), body: "{}"), size: 2, at: TestAPI.start)
        }
        #expect(recent.events(of: "acme").isEmpty && recent.events(of: "globex").isEmpty)
        #expect(recent.events(of: "t0").map(\.id) == ["t0"])
    }

    @Test func aSlowSubscriberCostsABoundedBuffer() throws {
        let feed = HistoryFeed()
        let stalled = try #require(feed.subscribe())
        let action = ActionID.random()
        let entries = (0..<1_000).map {
            ExecutionHistoryEntry(
                triggerType: .manual, triggerId: nil, actionId: action, processId: .random(), processType: .app,
                dateStarted: TestAPI.start, sourceEventId: "e\($0)", itemIndex: 0)
        }
        feed.publish(entries)
        #expect(stalled.takeDropped() == 1_000 - HistoryFeed.bufferPerSubscriber)
        #expect(stalled.takeDropped() == 0)
        let extra = (0..<HistoryFeed.maximumSubscribers - 1).compactMap { _ in feed.subscribe() }
        #expect(extra.count == HistoryFeed.maximumSubscribers - 1)
        #expect(feed.subscribe() == nil, "past the limit, no more streams")
        feed.unsubscribe(stalled)
        #expect(feed.subscribe() != nil)
    }
}

/// What a stream wrote, shared between the writer and the test.
final class FrameLog: Sendable {
    let value = Mutex<[String]>([])
}
