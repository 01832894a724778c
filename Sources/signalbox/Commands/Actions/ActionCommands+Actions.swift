import ArgumentParser
import Automation
import Foundation

/// `action-create NAME --namespace NS --description TEXT --actions JSON` (seed 000 step 1).
struct ActionCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-create", abstract: "Create an automated action.",
        discussion: "--actions is the JSON array of items, e.g. '[{\"name\": \"Run\", \"config\": {\"$type\": \"app\", ...}}]'.")

    @Argument(help: "The action's name, unique in its namespace.")
    var name: String

    @Option(help: "The namespace to create it in.")
    var namespace: String

    @Option(help: "What the action is for.")
    var description: String?

    @Option(help: ArgumentHelp("The items to run, as a JSON array.", valueName: "json"))
    var actions: String

    @Flag(help: "Create it paused.")
    var paused = false

    @Flag(help: "Create it as a draft: nothing starts it but a manual trigger (a test run) until action-activate.")
    var draft = false

    @Option(help: ArgumentHelp(
        "parallel (default: every item starts at once) or sequential (each item after the one before completed; see docs/sequences.md).",
        valueName: "mode"))
    var execution: ActionExecution?

    @OptionGroup var server: ServerOptions

    func validate() throws {
        if paused && draft { throw ValidationError("give --paused or --draft, not both") }
    }

    func run() async throws {
        let items: [ActionItem]
        do {
            items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(actions.utf8))
        } catch {
            let problem = AutomationError(decoding: error)
            let location = problem.field.map { "actions\($0.hasPrefix("[") ? "" : ".")\($0)" } ?? "--actions"
            throw ValidationError("\(location): \(problem.message)")
        }
        let request = CreateActionRequest(name: name, description: description, actions: items, status: draft ? .draft : paused ? .paused : nil, execution: execution)
        try await server.run { client throws(APIClientError) in
            let data = try await client.send(
                "POST", "/namespaces/\(APIClient.segment(namespace))/automated-actions", body: try requestBody(request))
            try server.output(data, as: AutomatedAction.self) { "Created action \($0.name) (\($0.id)).\n\n" + ActionTables.action($0) }
        }
    }
}

/// `action-get --name N --namespace NS` or `--id UUID`.
struct ActionGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-get", abstract: "Show an automated action.")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("GET", "/automated-actions/by-id/\(id)")
            try server.output(data, as: AutomatedAction.self, table: ActionTables.action)
        }
    }
}

/// `action-list [--namespace NS] [--status S] [--trigger KIND]`.
struct ActionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-list", abstract: "List the actions of the tenant, or of a namespace.",
        discussion: "Archived actions are listed only with --status archived.")

    @Option(help: "Only this namespace.")
    var namespace: String?

    @Option(help: ArgumentHelp("Only actions in this status: draft, active, paused or archived.", valueName: "status"))
    var status: ActionStatus?

    @Option(help: ArgumentHelp("Only actions with a trigger of this kind: schedule, message or webhook.", valueName: "kind"))
    var trigger: TriggerKind?

    @Option(help: "At most this many (1–1000).")
    var limit: Int = 1000

    @OptionGroup var server: ServerOptions

    func run() async throws {
        struct List: Decodable { var items: [AutomatedAction] }
        try await server.run { client throws(APIClientError) in
            var query = [URLQueryItem(name: "limit", value: String(limit))]
            if let namespace { query.append(URLQueryItem(name: "namespace", value: namespace)) }
            if let status { query.append(URLQueryItem(name: "status", value: status.rawValue)) }
            if let trigger { query.append(URLQueryItem(name: "trigger", value: trigger.rawValue)) }
            let data = try await client.send("GET", "/automated-actions", query: query)
            try server.output(data, as: List.self) { ActionTables.list($0.items) }
        }
    }
}

/// `action-delete --name N --namespace NS` or `--id UUID`. Needs an admin token.
struct ActionDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-delete", abstract: "Delete an automated action with its schedules, triggers and history (admin).")

    @OptionGroup var action: ActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            _ = try await client.send("DELETE", "/automated-actions/by-id/\(id)")
            if server.json {
                print(#"{"deleted":"\#(id)"}"#)
            } else {
                print("Deleted action \(action.name ?? id) (\(id)).")
            }
        }
    }
}

/// `action-trigger --name N --namespace NS` or `--id UUID`: run now.
struct ActionTriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-trigger", abstract: "Run an automated action now.")

    @OptionGroup var action: ActionSelector

    @Option(help: "Sent as the Idempotency-Key header: the same key on the same action within 24 h returns the first run and starts nothing.")
    var idempotencyKey: String?

    @OptionGroup var server: ServerOptions

    func run() async throws {
        struct Result: Decodable {
            var processIds: [String]
            var replayed: Bool?
        }
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send(
                "POST", "/automated-actions/by-id/\(id)/trigger", headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
            try server.output(data, as: Result.self) { result in
                (result.replayed == true
                    ? "Already triggered with this idempotency key; nothing new started. Its \(result.processIds.count) process(es):\n"
                    : "Triggered \(action.name ?? id); started \(result.processIds.count) process(es):\n")
                    + result.processIds.map { "  \($0)\n" }.joined()
            }
        }
    }
}

/// `action-history --name N --namespace NS [--limit 10]` or `--id UUID`.
struct ActionHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-history", abstract: "Show an automated action's execution history, newest first.")

    @OptionGroup var action: ActionSelector

    @Option(help: "At most this many entries (1–1000).")
    var limit: Int = 50

    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send(
                "GET", "/automated-actions/by-id/\(id)/history", query: [URLQueryItem(name: "limit", value: String(limit))])
            try server.output(data, as: [ExecutionHistoryEntry].self, table: ActionTables.history)
        }
    }
}
extension ActionStatus: ExpressibleByArgument {}
extension TriggerKind: ExpressibleByArgument {}
extension ActionExecution: ExpressibleByArgument {}
