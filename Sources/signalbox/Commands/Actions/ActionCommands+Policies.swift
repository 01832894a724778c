import ArgumentParser
import Automation
import Foundation

/// `action-pause` / `action-resume`: a caller stops and restarts an action's schedules, triggers,
/// webhooks and delayed runs (manual runs keep working).
struct ActionPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-pause", abstract: "Pause an automated action: its schedules, triggers and delayed runs stop running it.")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ActionStatusChange.apply("pause", action, server)
    }
}

struct ActionResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-resume", abstract: "Resume a paused automated action (also one that paused itself after failures).")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ActionStatusChange.apply("resume", action, server)
    }
}

/// `action-activate`: a draft (or a paused action) starts running by its schedules and triggers.
struct ActionActivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-activate", abstract: "Activate a draft automated action: its schedules, triggers and webhooks start running it.")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ActionStatusChange.apply("activate", action, server)
    }
}

/// `action-archive`: the action stops for good and becomes read-only; its history stays.
struct ActionArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-archive", abstract: "Archive an automated action: nothing runs it any more and it becomes read-only.")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ActionStatusChange.apply("archive", action, server)
    }
}

enum ActionStatusChange {
    static func apply(_ verb: String, _ action: ActionSelector, _ server: ServerOptions) async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("POST", "/automated-actions/by-id/\(id)/\(verb)")
            try server.output(data, as: AutomatedAction.self) { "Action \($0.name) is \($0.status.rawValue).\n\n" + ActionTables.action($0) }
        }
    }
}

/// `action-policies`: what an action does about failures (docs/retries-and-notifications.md).
struct ActionPoliciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-policies", abstract: "Set an action's retry policy, notifications and pause-after-failures threshold.",
        discussion: """
            Each option given replaces that setting; `none` removes it. For example:
              signalbox action-policies --name nightly-import --namespace production \\
                --retry-policy '{"maxRetries": 3, "backoffSeconds": 30}' \\
                --notification '{"onFailure": true}' --pause-after-failures 5
            """)

    @OptionGroup var action: ActionSelector

    @Option(help: ArgumentHelp(
        "{\"maxRetries\": 0-10, \"backoffSeconds\" (or \"backoffMs\"), \"multiplier\", \"maxBackoffSeconds\"}, or none.", valueName: "json"))
    var retryPolicy: String?

    @Option(help: ArgumentHelp("{\"onSuccess\", \"onFailure\", \"onPause\"} (booleans), or none.", valueName: "json"))
    var notification: String?

    @Option(help: ArgumentHelp("Pause the action when this many runs in a row failed (1-1000), or none.", valueName: "n"))
    var pauseAfterFailures: String?

    @OptionGroup var server: ServerOptions

    func validate() throws {
        if retryPolicy == nil && notification == nil && pauseAfterFailures == nil {
            throw ValidationError("give at least one of --retry-policy, --notification, --pause-after-failures")
        }
    }

    func run() async throws {
        let request = UpdateActionRequest(
            retryPolicy: try retryPolicy.map { try Self.decode(RetryPolicy.self, $0, option: "--retry-policy") },
            notification: try notification.map { try Self.decode(NotificationSettings.self, $0, option: "--notification") },
            pauseAfterConsecutiveFailures: try pauseAfterFailures.map { text -> Int? in
                if text == "none" { return nil }
                guard let count = Int(text) else { throw ValidationError("--pause-after-failures: expected a number or none, got '\(text)'") }
                return count
            })
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("PUT", "/automated-actions/by-id/\(id)", body: try requestBody(request))
            try server.output(data, as: AutomatedAction.self) { "Updated action \($0.name).\n\n" + ActionTables.action($0) }
        }
    }

    /// `none` → remove; otherwise the JSON, its errors named by the option and field.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, option: String) throws -> T? {
        if text == "none" { return nil }
        do {
            return try AutomationJSON.decoder().decode(T.self, from: Data(text.utf8))
        } catch {
            let problem = AutomationError(decoding: error)
            throw ValidationError("\(option)\(problem.field.map { " \($0)" } ?? ""): \(problem.message)")
        }
    }
}
