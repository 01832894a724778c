import Automation
import Foundation
import PostgresStore
import PostgresTestSupport
import SignalboxTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `signalbox serve` with `database.url`: the store on PostgreSQL, as a separate process.
@Suite(.enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct ServePostgresTests {
    @Test func servesFromPostgreSQLAndNamesItInReadiness() async throws {
        try await TestDatabase.withDatabase { configuration in
            let served = try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: "serve-pg")
            let databaseURL: String = try #require(TestDatabase.url(of: configuration))
            served.extraEnvironment["SIGNALBOX_DATABASE_URL"] = databaseURL
            do {
                // The first start migrates the empty database; the CLI's token goes to it too.
                try await served.start()
                try await check(served, configuration)
                #expect(try await served.stop() == 0, "serve stops cleanly:\n\(served.log)")
            } catch {
                Issue.record("\(error)\n\(served.log)")
            }
            await served.cleanUp()
        }
    }

    @Test func twoReplicasHaveOneSchedulerLeaderAndTheOtherTakesOver() async throws {
        try await Self.withLeaderAndFollower(labels: ("replica-a", "replica-b")) { leader, follower in
            // Metrics say who leads, each under its replica's name.
            let leaderName = try #require(leader.extraEnvironment["SIGNALBOX_REPLICA_NAME"])
            let followerName = try #require(follower.extraEnvironment["SIGNALBOX_REPLICA_NAME"])
            #expect(try await leader.get("/metrics").body.contains("\nsignalbox_scheduler_leader{replica=\"\(leaderName)\"} 1.0\n"))
            #expect(try await follower.get("/metrics").body.contains("\nsignalbox_scheduler_leader{replica=\"\(followerName)\"} 0.0\n"))
            // The leader stops (giving its lock up); the follower takes over.
            #expect(try await leader.stop() == 0)
            let start = ContinuousClock.now
            let tookOver = await eventually(timeout: .seconds(60)) { (try? await Self.schedulerRole(follower)) == "leader" }
            #expect(tookOver, "the follower took the lead:\n\(follower.log)")
            print("[serve-pg] the follower led \(ContinuousClock.now - start) after the leader stopped")
            #expect(follower.log.contains("became scheduler leader"))
        }
    }

    /// Two `serve` processes on one fresh database (broker names of their own each), once both
    /// are ready and exactly one leads (the lock is taken within about a second).
    static func withLeaderAndFollower(
        labels: (String, String), _ body: (_ leader: ServedPipeline, _ follower: ServedPipeline) async throws -> Void
    ) async throws {
        try await TestDatabase.withDatabase { configuration in
            let databaseURL: String = try #require(TestDatabase.url(of: configuration))
            let replicas = [
                try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: labels.0),
                try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: labels.1),
            ]
            for (replica, name) in zip(replicas, [labels.0, labels.1]) {
                replica.extraEnvironment["SIGNALBOX_DATABASE_URL"] = databaseURL
                replica.extraEnvironment["SIGNALBOX_REPLICA_NAME"] = name
            }
            do {
                for replica in replicas { try await replica.start() }
                var roles: [String?] = []
                let settled = try await eventually(timeout: .seconds(60)) {
                    roles = [try await Self.schedulerRole(replicas[0]), try await Self.schedulerRole(replicas[1])]
                    return roles.contains("leader") && roles.contains("follower")
                }
                try #require(settled, "one leader and one follower, got \(roles)")
                let leader = roles[0] == "leader" ? 0 : 1
                try await body(replicas[leader], replicas[1 - leader])
            } catch {
                Issue.record("\(error)\n\(replicas.map(\.log).joined(separator: "\n---\n"))")
            }
            for replica in replicas { await replica.cleanUp() }
        }
    }

    /// A definition change and a delayed run made through the follower's API reach the leader
    /// (through the change feed): its trigger index is rebuilt, its scheduler fires the new
    /// schedule and the delayed run.
    @Test func changesMadeThroughTheFollowerReachTheLeader() async throws {
        try await Self.withLeaderAndFollower(labels: ("replica-c", "replica-d")) { leader, follower in
            let rebuiltBefore = leader.log.components(separatedBy: "trigger index rebuilt").count

            // Through the follower: an action with a message trigger and an every-second schedule.
            let body = #"""
                {"name":"made-on-the-follower","actions":[{"name":"Run","config":{"$type":"app","version":{"id":"a1","version":1}}}],
                 "messageTriggers":[{"name":"On finish","triggerType":"AppProcessUpdated","eventFilter":"$.item.status == 'Finished'"}],
                 "schedules":[{"name":"every second","cron":"* * * * * *"}]}
                """#
            let created = ContinuousClock.now
            let answer = try await follower.call("POST", "/namespaces/replicas/automated-actions", body: Data(body.utf8))
            try #require(answer.status == 201, "\(answer.text)")
            let object = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
            let action = try #require((object["id"] as? String).flatMap(ActionID.init))

            let rebuilt = await eventually(timeout: .seconds(60), every: .milliseconds(10)) {
                leader.log.components(separatedBy: "trigger index rebuilt").count > rebuiltBefore
            }
            #expect(rebuilt, "the leader's trigger index took the follower's trigger:\n\(leader.log.suffix(3_000))")
            print("[serve-pg] the leader's trigger index was rebuilt \(ContinuousClock.now - created) after the follower's change")
            let fired = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                try await Self.historyText(of: action, on: follower).contains(#""triggerType":"Schedule""#)
            }
            #expect(fired, "the leader fired the schedule made on the follower:\n\(leader.log.suffix(3_000))")
            print("[serve-pg] the schedule made on the follower first fired (history) \(ContinuousClock.now - created) after it was made")

            // A delayed run requested through the follower is fired by the leader.
            let run = try await follower.call(
                "POST", "/automated-actions/by-id/\(action)/runs", body: Data(#"{"delaySeconds":1,"payload":{"from":"follower"}}"#.utf8))
            #expect(run.status == 201 || run.status == 202, "\(run.text)")
            let delayed = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                try await Self.historyText(of: action, on: follower).contains(#""triggerType":"Delayed""#)
            }
            #expect(delayed, "the leader fired the delayed run requested on the follower:\n\(leader.log.suffix(3_000))")
        }
    }

    /// The first page of `action`'s history as JSON text.
    static func historyText(of action: ActionID, on served: ServedPipeline) async throws -> String {
        let history = try await served.call("GET", "/automated-actions/by-id/\(action)/history?limit=100")
        guard history.status == 200 else { throw ServedPipeline.Failure("history answered \(history.status)") }
        return history.text.replacingOccurrences(of: " ", with: "")
    }

    /// The `scheduler` check's detail in `/health/ready`: `leader` or `follower`.
    static func schedulerRole(_ served: ServedPipeline) async throws -> String? {
        try await schedulerRole(port: served.port)
    }

    /// ``schedulerRole(_:)`` of the serve listening on `port`, asked with a short timeout.
    static func schedulerRole(port: Int) async throws -> String? {
        let ready = try await ServedPipeline.get("/health/ready", port: port, timeout: .seconds(5))
        guard ready.status == 200, let report = try JSONSerialization.jsonObject(with: ready.body) as? [String: Any] else { return nil }
        let scheduler = (report["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "scheduler" }
        return scheduler?["detail"] as? String
    }

    private func check(_ served: ServedPipeline, _ configuration: PostgresStoreConfiguration) async throws {
        // Readiness names the store, without its password, and passes: reachable, schema current.
        let ready = try await ServedPipeline.get("/health/ready", port: served.port)
        #expect(ready.status == 200, "\(ready.text)")
        let report = try #require(try JSONSerialization.jsonObject(with: ready.body) as? [String: Any])
        let database = try #require((report["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "database" })
        #expect(database["status"] as? String == "pass")
        let detail = try #require(database["detail"] as? String)
        #expect(detail == "PostgreSQL at \(configuration)")
        if let password = configuration.password { #expect(!detail.contains(password)) }

        // An action made through the API lands in PostgreSQL, beside the CLI's token.
        let action = try await SignalboxProcess.run(
            [
                "action-create", "daily-report", "--namespace", "production", "--actions",
                #"[{"name":"Generate Report","config":{"$type":"app","version":{"id":"a1","version":1}}}]"#,
            ],
            environment: ["SIGNALBOX_URL": "http://127.0.0.1:\(served.port)", "SIGNALBOX_TOKEN": served.token])
        #expect(action.status == 0, "action-create failed: \(action.stderr)")
        let stored = try await TestDatabase.withClient(configuration) { client in
            (
                actions: try await TestDatabase.integer("SELECT count(*) FROM automated_action WHERE name = 'daily-report'", on: client),
                tokens: try await TestDatabase.integer("SELECT count(*) FROM api_token", on: client)
            )
        }
        #expect(stored.actions == 1 && stored.tokens == 1)
    }
}
