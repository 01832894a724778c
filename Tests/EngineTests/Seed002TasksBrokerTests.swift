import AMQPClient
import Automation
import Definitions
import Foundation
import SignalboxTestSupport
import Testing

/// Seed 002's task list (Daptin), read from the seed file, applied through the service against
/// the real broker and a real SQLite file: the tasks become actions with one `app` item run as
/// `AsUserEmail`, the scheduler takes their schedules, and a task's schedule fires a command
/// carrying `runAs`.
@Suite("Seed 002 tasks against the broker")
struct Seed002TasksBrokerTests {
    @Test func theSeedsTasksApplyAndTheirSchedulesFireAsTheirUser() async throws {
        let tasks = try Seed002.tasks()
        let harness = try await PipelineHarness()

        // The seed's list as written: two tasks, @daily and @every 1h.
        let seed = DefinitionSet(entries: try DefinitionsLoader.load(text: tasks, file: "002.yaml"))
        let plan = try await harness.service.applyDefinitions(seed.request(namespace: "daptin"), as: harness.caller)
        #expect(plan.changes.map(\.change) == [.create, .create])
        #expect(plan.changes.map(\.name) == ["daily_report", "hourly_sync"])

        let report = try #require(try await harness.store.action(named: "daily_report", namespace: "daptin", tenant: .default))
        #expect(report.status == .active && report.description == "Generate Daily Report")
        #expect(report.actions.count == 1 && report.actions[0].name == "Generate Daily Report")
        #expect(report.actions[0].runAs == "admin@example.com")
        guard case .app(let app) = report.actions[0].config else {
            Issue.record("daily_report's item is not an app item: \(report.actions[0].config)")
            return
        }
        #expect(app.version == VersionReference(id: "generate_report", version: 1))
        #expect(app.inputs == [NameValuePair(name: "report_type", value: "daily"), NameValuePair(name: "format", value: "pdf")])
        #expect(app.additionalFields["entityName"] == AnyJSON(.string("report")))
        #expect(report.schedules.map(\.name) == ["schedule"] && report.schedules.map(\.cron) == ["@daily"])
        #expect(report.nextScheduledRunAt != nil)

        let sync = try #require(try await harness.store.action(named: "hourly_sync", namespace: "daptin", tenant: .default))
        #expect(sync.status == .active && sync.description == "Sync External Data")
        #expect(sync.actions[0].runAs == nil, "hourly_sync has no AsUserEmail")
        #expect(sync.schedules.map(\.cron) == ["@every 1h"])
        // `@every 1h` counts from the apply: its first run is an hour away.
        let firstSync = try #require(sync.schedules[0].nextOccurrence)
        #expect(firstSync.timeIntervalSinceNow > 3_000 && firstSync.timeIntervalSinceNow <= 3_600)
        #expect(await eventually { harness.scheduler.trackedSchedules == 2 }, "the scheduler took both schedules")

        // The seed's own text with daily_report's schedule made to fire within the test.
        let every = "Schedule: \"@every 1s\""
        let original = "Schedule: \"@daily\""
        #expect(tasks.components(separatedBy: original).count == 2, "the seed names @daily once, for daily_report")
        let fast = DefinitionSet(entries: try DefinitionsLoader.load(text: tasks.replacingOccurrences(of: original, with: every), file: "002.yaml"))
        let second = try await harness.service.applyDefinitions(fast.request(namespace: "daptin"), as: harness.caller)
        #expect(second.changes.map(\.change) == [.update, .unchanged])
        #expect(second.changes[0].fields == ["schedules"])
        let fastReport = try #require(try await harness.store.action(id: report.id, tenant: .default))
        #expect(fastReport.schedules.map(\.cron) == ["@every 1s"])
        #expect(fastReport.schedules[0].id == report.schedules[0].id, "a changed schedule keeps its id")
        #expect(fastReport.actions == report.actions)

        // It fires: a command on the commands exchange, run as the task's AsUserEmail.
        #expect(await eventually(timeout: .seconds(60)) { !harness.commands.all.isEmpty }, "no command from the @every 1s schedule")
        let command = try #require(harness.commands.all.first)
        #expect(command.routingKey == "process.start.app")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(command.body)) as? [String: Any])
        #expect(body["runAs"] as? String == "admin@example.com", "\(body)")
        #expect(body["namespace"] as? String == "daptin")
        let action = try #require(body["automatedAction"] as? [String: Any])
        #expect(action["id"] as? String == report.id.description && action["name"] as? String == "daily_report")
        let trigger = try #require(body["trigger"] as? [String: Any])
        #expect(trigger["type"] as? String == "Schedule" && trigger["id"] as? String == report.schedules[0].id.description)
        let config = try #require(body["config"] as? [String: Any])
        #expect(config["entityName"] as? String == "report", "EntityName is passed on in the command's config: \(config)")
        let version = try #require(config["version"] as? [String: Any])
        #expect(version["id"] as? String == "generate_report")
        let inputs = (config["inputs"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["value"] ?? "")" }
        #expect(inputs == ["report_type=daily", "format=pdf"])

        // Every command so far is daily_report's: hourly_sync's hour has not come.
        #expect(harness.commands.all.allSatisfy { command in
            ((try? JSONSerialization.jsonObject(with: Data(command.body))) as? [String: Any])
                .flatMap { $0["automatedAction"] as? [String: Any] }?["id"] as? String == report.id.description
        })
        let history = try await harness.history(fastReport)
        #expect(history.contains { $0.triggerType == .schedule && $0.triggerId == ExecutionSourceID(report.schedules[0].id) })
        #expect(harness.deadLetters.all.isEmpty)
        try await harness.shutDown()
    }
}

/// Seed 002's first task list, read from the seed file at test time (never copied into the
/// repository); fails loudly when the seed is missing.
enum Seed002 {
    static let fileName = "002_f8109855b91505e3.txt"

    static func tasks() throws -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fromEnvironment: String? = ProcessInfo.processInfo.environment["SIGNALBOX_SEEDS_DIR"].map { $0 + "/" + fileName }
        let candidates: [String] = (fromEnvironment.map { [$0] } ?? []) + [
            repository.deletingLastPathComponent().appendingPathComponent("shared/seeds/" + fileName).path,
            "/work/shared/seeds/" + fileName,
        ]
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw Missing(description: "seed 002 not found at \(candidates.joined(separator: ", "))")
        }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for block in text.components(separatedBy: "```yaml\n").dropFirst() {
            let yaml = block.components(separatedBy: "```").first ?? ""
            if yaml.hasPrefix("Tasks:") { return yaml }
        }
        throw Missing(description: "\(file) has no ```yaml block starting with Tasks:")
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }
}
