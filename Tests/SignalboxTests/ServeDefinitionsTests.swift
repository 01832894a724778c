import Foundation
import SignalboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `signalbox serve --definitions DIR` as a separate process against the real broker: the
/// directory's actions are file-managed (the API refuses to edit them, naming the file), a SIGHUP
/// applies the edited directory, and a directory that does not apply leaves the actions as they
/// were while serve keeps serving.
@Suite struct ServeDefinitionsTests {
    static let url = ProcessInfo.processInfo.environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"

    static func reports(description: String) -> String {
        """
        automatedActions:
          - name: nightly-export
            namespace: ops
            description: \(description)
            actions:
              - name: Export
                runAs: exports@example.com
                config: {$type: app, version: {id: export-app, version: 1}}
            schedules:
              - {name: nightly, cron: "0 2 * * *"}
            webhooks:
              - {name: from-ci}

        """
    }

    static let cleanup = """
        automatedActions:
          - name: weekly-cleanup
            namespace: ops
            actions:
              - name: Cleanup
                config: {$type: app, version: {id: cleanup-app, version: 1}}

        """

    /// Seed 002's format: no namespace anywhere.
    static let tasks = """
        Tasks:
          - Name: mail-digest
            Label: Mail digest
            Schedule: "@every 1h"
            ActionName: send-digest
            AsUserEmail: digest@example.com
            IsActive: true
        """

    /// A misspelt member on line 4: the loader refuses the whole directory.
    static let broken = "automatedActions:\n  - name: broken\n    namespace: ops\n    schedule: []\n    actions: []\n"

    @Test func definitionsDirectoryIsFileManagedAndReloadedOnSIGHUP() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-serve-defs-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String, _ name: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write(Self.reports(description: "first version"), "reports.yaml")
        // A seed 002 task list names no namespace: definitions.namespace gives it.
        try write(Self.tasks, "tasks.yaml")

        let served = try await ServedPipeline(url: Self.url, label: "defs")
        served.extraArguments = ["--definitions", directory.path]
        served.extraEnvironment["SIGNALBOX_DEFINITIONS_NAMESPACE"] = "ops"
        do {
            try await served.start()
            try await check(served, write: write)
            #expect(try await served.stop() == 0, "serve stops cleanly after the reloads:\n\(served.log)")
        } catch {
            Issue.record("\(error)\n\(served.log)")
        }
        await served.cleanUp()
    }

    private func check(_ served: ServedPipeline, write: (String, String) throws -> Void) async throws {
        #expect(served.current?.output.current.contains("definitions applied") == true, "\(served.log)")

        // Applied at start, marked as the file's.
        let first = try #require(try await action(served, "nightly-export"), "the directory's action exists:\n\(served.log)")
        #expect(first["managedBy"] as? String == "file", "\(first)")
        #expect(first["definedIn"] as? String == "reports.yaml", "\(first)")
        #expect(first["description"] as? String == "first version")
        #expect(first["status"] as? String == "active")
        let items = try #require(first["actions"] as? [[String: Any]])
        #expect(items.first?["runAs"] as? String == "exports@example.com")
        let id = try #require(first["id"] as? String)
        let task = try #require(try await action(served, "mail-digest"), "the task list's action is in definitions.namespace:\n\(served.log)")
        #expect(task["managedBy"] as? String == "file" && task["definedIn"] as? String == "tasks.yaml", "\(task)")

        // Edits through the API answer 409 naming the file; the action stays as it was.
        let update = try await served.call("PUT", "/automated-actions/by-id/\(id)", body: Data(#"{"description":"from the API"}"#.utf8))
        #expect(update.status == 409 && update.text.contains("reports.yaml"), "PUT: \(update.status) \(update.text)")
        let pause = try await served.call("POST", "/automated-actions/by-id/\(id)/pause")
        #expect(pause.status == 409 && pause.text.contains("reports.yaml"), "pause: \(pause.status) \(pause.text)")
        let delete = try await served.call("DELETE", "/automated-actions/by-id/\(id)")
        #expect(delete.status == 409, "DELETE: \(delete.status)")
        // The directory's webhook got a secret no answer showed: rotating it (no definition
        // change) is how an operator gets one.
        let webhookId = try #require((first["webhooks"] as? [[String: Any]])?.first?["id"] as? String, "\(first)")
        let rotated = try await served.call("POST", "/automated-actions/by-id/\(id)/webhooks/\(webhookId)/rotate-secret")
        let secret = (try? JSONSerialization.jsonObject(with: rotated.body) as? [String: Any])?["secret"] as? String
        #expect(rotated.status == 200 && secret?.hasPrefix("whsec_") == true, "rotate: \(rotated.status) \(rotated.text)")
        let unchanged = try #require(try await action(served, "nightly-export"))
        #expect(unchanged["description"] as? String == "first version" && unchanged["status"] as? String == "active")

        // The file edited and a second file added, then SIGHUP: both become visible.
        try write(Self.reports(description: "second version"), "reports.yaml")
        try write(Self.cleanup, "cleanup.yaml")
        try served.send(SIGHUP)
        let reloaded = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let report = try await action(served, "nightly-export")
            let cleanup = try await action(served, "weekly-cleanup")
            return report?["description"] as? String == "second version" && cleanup != nil
        }
        #expect(reloaded, "the SIGHUP reload did not show within 30 s:\n\(served.log)")
        #expect(served.current?.output.current.contains("definitions reloaded") == true, "\(served.log)")
        let second = try #require(try await action(served, "nightly-export"))
        #expect(second["id"] as? String == id, "an update keeps the id")
        #expect(second["managedBy"] as? String == "file" && second["definedIn"] as? String == "reports.yaml")
        let cleanup = try #require(try await action(served, "weekly-cleanup"))
        #expect(cleanup["managedBy"] as? String == "file" && cleanup["definedIn"] as? String == "cleanup.yaml", "\(cleanup)")

        // An invalid file with another edit beside it, then SIGHUP: nothing of it applies.
        let logBefore = served.current?.output.current ?? ""
        let failuresBefore = logBefore.components(separatedBy: "definitions not applied").count
        try write(Self.reports(description: "third version"), "reports.yaml")
        try write(Self.broken, "broken.yaml")
        try served.send(SIGHUP)
        let refused = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            (served.current?.output.current ?? "").components(separatedBy: "definitions not applied").count > failuresBefore
        }
        #expect(refused, "no error logged for the invalid directory:\n\(served.log)")
        let log = served.current?.output.current ?? ""
        #expect(log.contains("broken.yaml:4:") && log.contains("schedule"), "the error names the file and line:\n\(log)")
        #expect(served.current.map { !ChildProcess.hasExited($0.process) } == true, "serve keeps running")
        let kept = try #require(try await action(served, "nightly-export"))
        #expect(kept["description"] as? String == "second version", "the previous definitions stay: \(kept)")
        #expect(try await action(served, "weekly-cleanup") != nil)
        #expect(try await action(served, "broken") == nil)
        let ready = try await served.get("/health/ready")
        #expect(ready.status == 200, "serve keeps serving: \(ready.body)")
        let list = try await served.call("GET", "/namespaces/ops/automated-actions")
        let page = try JSONSerialization.jsonObject(with: list.body) as? [String: Any]
        let names = (page?["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(list.status == 200 && names == ["mail-digest", "nightly-export", "weekly-cleanup"], "\(list.status) \(names)")
    }

    /// The action of `ops` named `name` as JSON, nil when there is none (404).
    private func action(_ served: ServedPipeline, _ name: String) async throws -> [String: Any]? {
        let answer = try await served.call("GET", "/namespaces/ops/automated-actions/\(name)")
        if answer.status == 404 { return nil }
        guard answer.status == 200 else { throw ServedPipeline.Failure("GET \(name) answered \(answer.status): \(answer.text)") }
        return try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
    }
}
