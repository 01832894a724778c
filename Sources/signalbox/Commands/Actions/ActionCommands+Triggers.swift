import ArgumentParser
import Automation
import Foundation

/// `action-msg-trigger-add --action-name N --namespace NS --trigger-name T --type AppProcessUpdated
/// --filter "$.item.status == 'Finished'"` (seed 000 step 3).
struct ActionMessageTriggerAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-msg-trigger-add", abstract: "Add a message trigger to an automated action.",
        discussion: "Types: \(TriggerType.allCases.map(\.rawValue).joined(separator: ", ")). Check a filter first with `signalbox filter check`.")

    @OptionGroup var action: ParentActionSelector

    @Option(help: "The trigger's name.")
    var triggerName: String

    @Option(help: ArgumentHelp("The event type to listen to.", valueName: "type"))
    var type: String

    @Option(help: ArgumentHelp("JSONPath filter over the event.", valueName: "filter"))
    var filter: String

    @Flag(help: "Add it disabled.")
    var disabled = false

    @Option(help: ArgumentHelp("A match schedules a delayed run this many seconds later instead of running now.", valueName: "seconds"))
    var delaySeconds: Int?

    @Option(help: ArgumentHelp("With --delay-seconds: the run's key, read from the event (e.g. $.item.id).", valueName: "query"))
    var keyFromEvent: String?

    @Option(help: ArgumentHelp("A match cancels the action's scheduled runs with the key this query reads from the event.", valueName: "query"))
    var cancelsKeyFromEvent: String?

    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard TriggerType(rawValue: type) != nil else {
            throw ValidationError("--type must be one of \(TriggerType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if keyFromEvent != nil && delaySeconds == nil { throw ValidationError("--key-from-event goes with --delay-seconds") }
    }

    func run() async throws {
        guard let triggerType = TriggerType(rawValue: type) else { throw ValidationError("unknown --type \(type)") }
        let request = AddTriggerRequest(
            name: triggerName, isEnabled: !disabled, triggerType: triggerType, eventFilter: filter,
            delay: delaySeconds.map { TriggerDelay(seconds: $0, keyFromEvent: keyFromEvent) },
            cancels: cancelsKeyFromEvent.map { TriggerCancellation(keyFromEvent: $0) })
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("POST", "/automated-actions/by-id/\(id)/message-triggers", body: try requestBody(request))
            if !server.json, let change = try? AutomationJSON.decoder().decode(WarningsOnly.self, from: data) {
                for warning in change.warnings ?? [] {
                    FileHandle.standardError.write(Data("\(warning)\n".utf8))
                }
            }
            try server.output(data, as: AutomatedAction.self) { action in
                let added = action.messageTriggers.last { $0.name == triggerName }
                return "Added message trigger \(triggerName)\(added.map { " (\($0.id))" } ?? "").\n\n" + ActionTables.action(action)
            }
        }
    }

    private struct WarningsOnly: Decodable { var warnings: [ValidationWarning]? }
}

/// `action-msg-trigger-enable --action-name N --namespace NS --trigger-id ID`.
struct ActionMessageTriggerEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-msg-trigger-enable", abstract: "Enable a message trigger.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The trigger's id.") var triggerId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(
            method: "POST", collection: "message-triggers", verb: "enable", childId: triggerId, done: "Enabled message trigger \(triggerId)"
        ).run(action, server)
    }
}

/// `action-msg-trigger-disable --action-name N --namespace NS --trigger-id ID`.
struct ActionMessageTriggerDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-msg-trigger-disable", abstract: "Disable a message trigger.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The trigger's id.") var triggerId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(
            method: "POST", collection: "message-triggers", verb: "disable", childId: triggerId, done: "Disabled message trigger \(triggerId)"
        ).run(action, server)
    }
}

/// `action-msg-trigger-remove --action-name N --namespace NS --trigger-id ID` (admin).
struct ActionMessageTriggerRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-msg-trigger-remove", abstract: "Remove a message trigger (admin).")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The trigger's id.") var triggerId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(
            method: "DELETE", collection: "message-triggers", verb: nil, childId: triggerId, done: "Removed message trigger \(triggerId)"
        ).run(action, server)
    }
}
