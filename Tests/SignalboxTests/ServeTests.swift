import AMQPClient
import Foundation
import Logging
import SignalboxTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `signalbox serve` as a separate process against the real broker.
@Suite struct ServeTests {
    @Test func declaresTopologyRunsThePipelineAndStopsOnSIGTERM() async throws {
        let url = ProcessInfo.processInfo.environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
        let prefix = "test.serve.\(UUID().uuidString.prefix(8).lowercased())"
        let port = ServedPipeline.randomPort()
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: database) }
        let environment = [
            "SIGNALBOX_HTTP_PORT": "\(port)", "SIGNALBOX_DATABASE_PATH": database,
            "SIGNALBOX_AMQP_URL": url, "SIGNALBOX_AMQP_EVENTS_EXCHANGE": "\(prefix).events",
            "SIGNALBOX_AMQP_EVENTS_QUEUE": "\(prefix).events", "SIGNALBOX_AMQP_COMMANDS_EXCHANGE": "\(prefix).commands",
            "SIGNALBOX_AMQP_DEAD_LETTER_EXCHANGE": "\(prefix).dlx", "SIGNALBOX_AMQP_DEAD_LETTER_QUEUE": "\(prefix).dlq",
            "SIGNALBOX_AMQP_CONNECTION_NAME": prefix, "SIGNALBOX_AMQP_COMMANDS_QUEUE": "\(prefix).commands",
            "SIGNALBOX_REPLICA_NAME": "serve-test-1",
        ]
        let (process, output) = try SignalboxProcess.launchServe(environment: environment)
        defer { if !ChildProcess.hasExited(process) { process.terminate() } }

        // The API may come up just after the consumer: wait for both.
        try #require(await eventually {
            guard output.current.contains("consuming events") else { return false }
            return (try? await ServedPipeline.get("/health/live", port: port).status) == 200
        }, "serve did not start: \(output.current)")

        var logger = Logger(label: "serve-test")
        logger.logLevel = .error
        let client = try await AMQPConnection.connect(AMQPConfiguration.testBroker(url, name: "\(prefix).test"), logger: logger)
        for (index, type) in ["AppProcessUpdated", "InteractionProcessUpdated", "CapsuleProcessUpdated"].enumerated() {
            try await client.publish(
                Array(#"{"type":"\#(type)","id":"e-\#(index)","item":{"id":"p-\#(index)","status":"Finished"}}"#.utf8),
                exchange: "\(prefix).events", routingKey: type,
                properties: AMQPProperties(contentType: "application/json", messageID: "evt-\(index)"))
        }
        // No trigger matches them: the pipeline acks each without commands and dead-letters none.
        let drained = try await eventually { try await client.queueStatus("\(prefix).events").messageCount == 0 }
        #expect(drained, "every event was consumed")
        #expect(try await client.queueStatus("\(prefix).dlq").messageCount == 0, "the dead-letter queue exists")
        try await checkHealthAndMetrics(port: port)

        // As on a fresh install: serve declared the commands queue, so the tutorial's manual run lands there.
        let commands = "\(prefix).commands"
        try await walkSeedTutorialThroughTheCLI(port: port, database: database)
        #expect(try await client.queueStatus(commands).messageCount == 4, "two manual runs, a webhook call and a draft's test run, one command each")
        try await client.delete(queue: commands)

        let stopping = ContinuousClock.now
        process.terminate()  // SIGTERM
        #expect(await eventually { ChildProcess.hasExited(process) })
        // Not a timing: a stop that waits on some timeout instead of stopping takes 30 s or more.
        #expect(ContinuousClock.now - stopping < .seconds(29), "the group bounds a graceful stop at 30 s: only a stop that waited that out takes longer")
        #expect(ChildProcess.termination(of: process) == .exited(0))
        #expect(output.current.contains("msg=stopped"))
        // Unacked deliveries would be back in the queue once the consumer's connection closed.
        #expect(try await client.queueStatus("\(prefix).events").messageCount == 0, "every event was acked")
        #expect(try await client.queueStatus("\(prefix).dlq").messageCount == 0, "nothing was dead-lettered")
        #expect(output.current.contains("consumed=3"), "the pipeline counted the events: \(output.current)")

        for queue in ["\(prefix).events", "\(prefix).dlq"] { try await client.delete(queue: queue) }
        for exchange in ["\(prefix).events", "\(prefix).commands", "\(prefix).dlx"] { try await client.delete(exchange: exchange) }
        await client.close()
    }

    /// Readiness with every check passing (the scheduler's role: leader), and the pipeline's counters in the Prometheus text,
    /// without a token.
    private func checkHealthAndMetrics(port: Int) async throws {
        let ready = try await ServedPipeline.get("/health/ready", port: port)
        #expect(ready.status == 200, "\(ready.text)")
        let report = try #require(try JSONSerialization.jsonObject(with: ready.body) as? [String: Any])
        let checks = (report["checks"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["status"] ?? "")" }
        #expect(checks == ["broker=pass", "database=pass", "scheduler=pass"], "\(ready.text)")
        // One process owns the SQLite file: it leads the scheduler alone.
        let scheduler = (report["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "scheduler" }
        #expect(scheduler?["detail"] as? String == "leader", "\(ready.text)")

        var metrics = try await ServedPipeline.get("/metrics", port: port)
        // Every series carries the replica's name.
        _ = try await eventually {
            metrics = try await ServedPipeline.get("/metrics", port: port)
            return metrics.text.contains("\nsignalbox_events_acked_total{replica=\"serve-test-1\"} 3\n")
        }
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        for sample in [
            "signalbox_events_consumed_total{replica=\"serve-test-1\"} 3", "signalbox_events_acked_total{replica=\"serve-test-1\"} 3",
            "signalbox_trigger_matches_total{replica=\"serve-test-1\"} 0", "signalbox_scheduler_leader{replica=\"serve-test-1\"} 1.0",
        ] {
            #expect(metrics.text.contains("\n\(sample)\n"), "\(sample) in:\n\(metrics.text)")
        }
        #expect(metrics.text.contains("# TYPE signalbox_publish_confirm_seconds histogram"), "\(metrics.text)")
    }

    /// Seed 000's shell commands, verbatim but for `--server` and `--token`, against the server.
    private func walkSeedTutorialThroughTheCLI(port: Int, database: String) async throws {
        let created = try await SignalboxProcess.run(
            ["token", "create", "--tenant", "default", "--role", "admin"], environment: ["SIGNALBOX_DATABASE_PATH": database])
        #expect(created.status == 0, "token create failed: \(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("sbx_"))
        let client = ["SIGNALBOX_URL": "http://127.0.0.1:\(port)", "SIGNALBOX_TOKEN": token]

        let action = try await SignalboxProcess.run([
            "action-create", "daily-report", "--namespace", "production",
            "--description", "Generates daily summary reports", "--actions",
            #"[{"name":"Generate Report","config":{"$type":"app","version":{"id":"a1b2c3d4-5678-90ab-cdef-1234567890ab","version":1},"inputs":[{"name":"reportType","value":"daily-summary"},{"name":"format","value":"pdf"},{"name":"sendEmail","value":"true"}]}}]"#,
            "--json",
        ], environment: client)
        #expect(action.status == 0, "action-create failed: \(action.stderr)")
        #expect(action.stdout.contains(#""name" : "daily-report""#) || action.stdout.contains(#""name":"daily-report""#))

        let schedule = try await SignalboxProcess.run([
            "action-schedule-add", "--action-name", "daily-report", "--namespace", "production",
            "--schedule-name", "Daily 9am", "--minute", "0", "--hour", "9", "--day-of-month", "*", "--month", "*",
            "--day-of-week", "*",
        ], environment: client)
        #expect(schedule.status == 0, "action-schedule-add failed: \(schedule.stderr)")

        // Seed 000's "Every 15 minutes" gives the minute only: the server stores and returns the
        // other fields as "*", and no second (added disabled, so it never fires during the test).
        let quarter = try await SignalboxProcess.run([
            "action-schedule-add", "--action-name", "daily-report", "--namespace", "production",
            "--minute", "*/15", "--schedule-name", "Every 15 min", "--disabled", "--json",
        ], environment: client)
        #expect(quarter.status == 0, "action-schedule-add failed: \(quarter.stderr)")
        let added = try JSONSerialization.jsonObject(with: Data(quarter.stdout.utf8)) as? [String: Any]
        let quarterSchedule = try #require((added?["schedules"] as? [[String: Any]])?.last, "\(quarter.stdout)")
        #expect(quarterSchedule["minute"] as? String == "*/15")
        for field in ["hour", "dayOfMonth", "month", "dayOfWeek"] {
            #expect(quarterSchedule[field] as? String == "*", "\(field): \(quarter.stdout)")
        }
        #expect(quarterSchedule["second"] == nil && quarterSchedule["cron"] == nil)

        let trigger = try await SignalboxProcess.run([
            "action-msg-trigger-add", "--action-name", "daily-report", "--namespace", "production",
            "--trigger-name", "On Data Import Complete", "--type", "AppProcessUpdated",
            "--filter", "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'",
        ], environment: client)
        #expect(trigger.status == 0, "action-msg-trigger-add failed: \(trigger.stderr)")

        let badFilter = try await SignalboxProcess.run([
            "action-msg-trigger-add", "--action-name", "daily-report", "--namespace", "production",
            "--trigger-name", "Broken", "--type", "AppProcessUpdated", "--filter", "$.item.status = 'Finished'",
        ], environment: client)
        #expect(badFilter.status != 0)
        #expect(badFilter.stderr.contains("1:"), "the server's error with its position reaches the user: \(badFilter.stderr)")

        let manual = try await SignalboxProcess.run(["action-trigger", "--name", "daily-report", "--namespace", "production"], environment: client)
        #expect(manual.status == 0, "action-trigger failed: \(manual.stderr)")
        // The same idempotency key twice: one run, the second answer repeats the first.
        let keyed = ["action-trigger", "--name", "daily-report", "--namespace", "production", "--idempotency-key", "tutorial-1"]
        let first = try await SignalboxProcess.run(keyed, environment: client)
        let again = try await SignalboxProcess.run(keyed, environment: client)
        #expect(first.status == 0 && again.status == 0, "\(first.stderr) \(again.stderr)")
        #expect(first.stdout.hasPrefix("Triggered") && again.stdout.hasPrefix("Already triggered"), "\(first.stdout) \(again.stdout)")
        let processes = { (output: String) in output.split(separator: "\n").dropFirst().map(String.init) }
        #expect(processes(first.stdout) == processes(again.stdout) && processes(first.stdout).count == 1)
        let history = try await SignalboxProcess.run(
            ["action-history", "--name", "daily-report", "--namespace", "production", "--limit", "10", "--json"], environment: client)
        #expect(history.status == 0)
        #expect(history.stdout.contains("Manual") && history.stdout.contains("Pending"), "\(history.stdout)")

        try await callAWebhookThroughTheCLI(client)
        try await delayARunThroughTheCLI(client)
        try await walkTheLifecycleThroughTheCLI(client)

        let shown = try await SignalboxProcess.run(["action-get", "--name", "daily-report", "--namespace", "production"], environment: client)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("Daily 9am") && shown.stdout.contains("On Data Import Complete"))

        let deleted = try await SignalboxProcess.run(["action-delete", "--name", "daily-report", "--namespace", "production"], environment: client)
        #expect(deleted.status == 0, "action-delete failed: \(deleted.stderr)")
        let gone = try await SignalboxProcess.run(["action-get", "--name", "daily-report", "--namespace", "production"], environment: client)
        #expect(gone.status != 0)
    }

    /// A webhook added with the CLI and called with `signalbox webhook send`: the call runs the
    /// action (one command on the queue), the same message id again replays it.
    private func callAWebhookThroughTheCLI(_ client: [String: String]) async throws {
        let added = try await SignalboxProcess.run([
            "action-webhook-add", "--action-name", "daily-report", "--namespace", "production", "--webhook-name", "deploys",
            "--filter", "$.payload.ref == 'refs/heads/main'",
        ], environment: client)
        #expect(added.status == 0, "action-webhook-add failed: \(added.stderr)")
        let lines = added.stdout.split(separator: "\n").map(String.init)
        let url = try #require(lines.first { $0.hasPrefix("URL:") }?.split(separator: " ").last.map(String.init), "\(added.stdout)")
        let secret = try #require(lines.first { $0.hasPrefix("Secret:") }?.split(separator: " ").last.map(String.init), "\(added.stdout)")
        #expect(secret.hasPrefix("whsec_"))

        let payload = FileManager.default.temporaryDirectory.appendingPathComponent("push-\(UUID().uuidString).json")
        try Data(#"{"ref": "refs/heads/main"}"#.utf8).write(to: payload)
        defer { try? FileManager.default.removeItem(at: payload) }
        let send = ["webhook", "send", "--url", url, "--secret", secret, "--message-id", "msg_tutorial", payload.path]
        let first = try await SignalboxProcess.run(send, environment: client)
        #expect(first.status == 0 && first.stdout.hasPrefix("HTTP 202"), "\(first.stdout) \(first.stderr)")
        #expect(first.stdout.contains(#""outcome":"started""#), "\(first.stdout)")
        let again = try await SignalboxProcess.run(send, environment: client)
        #expect(again.stdout.contains(#""outcome":"replayed""#), "\(again.stdout)")
        let forged = try await SignalboxProcess.run(
            ["webhook", "send", "--url", url, "--secret", "whsec_" + Data(repeating: 7, count: 32).base64EncodedString(), payload.path],
            environment: client)
        #expect(forged.status == 1 && forged.stdout.hasPrefix("HTTP 401"), "\(forged.stdout)")

        let listed = try await SignalboxProcess.run(
            ["action-webhook-list", "--action-name", "daily-report", "--namespace", "production"], environment: client)
        #expect(listed.stdout.contains("deploys") && !listed.stdout.contains("whsec_"), "\(listed.stdout)")

        // The secret that signs the requests of webhook items, shown and rotated.
        let signing = ["action-signing-secret", "--action-name", "daily-report", "--namespace", "production"]
        let shown = try await SignalboxProcess.run(signing, environment: client)
        let signingSecret = try #require(shown.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }, "\(shown.stderr)")
        #expect(shown.status == 0 && signingSecret.hasPrefix("whsec_"), "\(shown.stdout) \(shown.stderr)")
        let rotated = try await SignalboxProcess.run(signing + ["--rotate", "--grace-seconds", "60"], environment: client)
        #expect(rotated.status == 0 && rotated.stdout.contains("Previous secret (also signs until "), "\(rotated.stdout) \(rotated.stderr)")
        #expect(rotated.stdout.hasSuffix(": \(signingSecret)\n") && !rotated.stdout.hasPrefix("Signing secret: \(signingSecret)"), "\(rotated.stdout)")
        let misused = try await SignalboxProcess.run(signing + ["--grace-seconds", "60"], environment: client)
        #expect(misused.status != 0 && misused.stderr.contains("--grace-seconds goes with --rotate"), "\(misused.stderr)")
    }

    /// A draft created, listed by status, test-run, activated and archived with the CLI; the
    /// archived one refuses an edit with the server's reason.
    private func walkTheLifecycleThroughTheCLI(_ client: [String: String]) async throws {
        let selector = ["--name", "sketch", "--namespace", "staging"]
        let created = try await SignalboxProcess.run([
            "action-create", "sketch", "--namespace", "staging", "--draft", "--actions",
            #"[{"name":"Try","config":{"$type":"app","version":{"id":"app-1","version":1},"inputs":[]}}]"#,
        ], environment: client)
        #expect(created.status == 0 && created.stdout.contains("draft"), "\(created.stdout) \(created.stderr)")
        let drafts = try await SignalboxProcess.run(["action-list", "--status", "draft"], environment: client)
        #expect(drafts.stdout.contains("sketch") && !drafts.stdout.contains("daily-report"), "\(drafts.stdout) \(drafts.stderr)")
        let scheduled = try await SignalboxProcess.run(["action-list", "--trigger", "schedule"], environment: client)
        #expect(scheduled.stdout.contains("daily-report") && !scheduled.stdout.contains("sketch"), "\(scheduled.stdout)")
        let testRun = try await SignalboxProcess.run(["action-trigger"] + selector, environment: client)
        #expect(testRun.status == 0, "a draft runs manually: \(testRun.stderr)")
        let activated = try await SignalboxProcess.run(["action-activate"] + selector, environment: client)
        #expect(activated.stdout.hasPrefix("Action sketch is active."), "\(activated.stdout) \(activated.stderr)")
        let archived = try await SignalboxProcess.run(["action-archive"] + selector, environment: client)
        #expect(archived.stdout.hasPrefix("Action sketch is archived."), "\(archived.stdout) \(archived.stderr)")
        let refused = try await SignalboxProcess.run(["action-pause"] + selector, environment: client)
        #expect(refused.status != 0 && refused.stderr.contains("archived actions are read-only"), "\(refused.stderr)")
        let listed = try await SignalboxProcess.run(["action-list", "--namespace", "staging"], environment: client)
        #expect(!listed.stdout.contains("sketch"), "archived actions are listed only when asked for: \(listed.stdout)")
        let badStatus = try await SignalboxProcess.run(["action-list", "--status", "retired"], environment: client)
        #expect(badStatus.status != 0 && badStatus.stderr.contains("retired"), "\(badStatus.stderr)")

        // Statistics: the tenant's (two actions: daily-report active, sketch archived) and one action's.
        let tenantStats = try await SignalboxProcess.run(["action-stats", "--window", "7d"], environment: client)
        #expect(tenantStats.status == 0 && tenantStats.stdout.contains("(7d)"), "\(tenantStats.stdout) \(tenantStats.stderr)")
        #expect(tenantStats.stdout.contains("2 (1 active, 0 paused, 0 draft, 1 archived)"), "\(tenantStats.stdout)")
        let actionStats = try await SignalboxProcess.run(["action-stats", "--name", "sketch", "--namespace", "staging", "--json"], environment: client)
        let stats = try JSONSerialization.jsonObject(with: Data(actionStats.stdout.utf8)) as? [String: Any]
        #expect((stats?["runs"] as? [String: Any])?["pending"] as? Int == 1, "the draft's test run: \(actionStats.stdout) \(actionStats.stderr)")
        let badWindow = try await SignalboxProcess.run(["action-stats", "--window", "1y"], environment: client)
        #expect(badWindow.status != 0 && badWindow.stderr.contains("24h"), "\(badWindow.stderr)")
    }

    /// A delayed run scheduled, listed and cancelled by key with the CLI.
    private func delayARunThroughTheCLI(_ client: [String: String]) async throws {
        let selector = ["--action-name", "daily-report", "--namespace", "production"]
        let later = try await SignalboxProcess.run(["action-run-later"] + selector + ["--delay-seconds", "3600", "--key", "escalate-7"], environment: client)
        #expect(later.status == 0 && later.stdout.hasPrefix("Scheduled run ") && later.stdout.contains("(key escalate-7)"), "\(later.stdout) \(later.stderr)")
        let listed = try await SignalboxProcess.run(["action-runs"] + selector + ["--status", "scheduled"], environment: client)
        #expect(listed.stdout.contains("scheduled") && listed.stdout.contains("escalate-7"), "\(listed.stdout) \(listed.stderr)")
        let tooLong = try await SignalboxProcess.run(["action-run-later"] + selector + ["--delay-seconds", "604801"], environment: client)
        #expect(tooLong.status != 0 && tooLong.stderr.contains("delaySeconds must be 1 to 604800"), "\(tooLong.stderr)")
        let cancelled = try await SignalboxProcess.run(["action-run-cancel"] + selector + ["--key", "escalate-7"], environment: client)
        #expect(cancelled.stdout == "Cancelled 1 run(s) with key escalate-7.\n", "\(cancelled.stdout) \(cancelled.stderr)")
        let none = try await SignalboxProcess.run(["action-runs"] + selector + ["--status", "scheduled"], environment: client)
        #expect(!none.stdout.contains("escalate-7"))
    }

    @Test func badConfigurationExitsTwoNamingTheKey() async throws {
        let result = try await SignalboxProcess.run(
            ["serve", "--config", "config/signalbox.yaml"], environment: ["SIGNALBOX_HTTP_PORT": "99999"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("SIGNALBOX_HTTP_PORT") && result.stderr.contains("http.port"))
    }

    @Test func userIdTenancyWithoutBrokerUsersExitsTwoNamingTheKey() async throws {
        let result = try await SignalboxProcess.run(
            ["serve", "--config", "config/signalbox.yaml"], environment: ["SIGNALBOX_EVENTS_TENANT_SOURCE": "userId"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("config/signalbox.yaml:") && result.stderr.contains("events.tenants"), "\(result.stderr)")
    }
}
