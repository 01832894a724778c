import ArgumentParser

/// The `signalbox` executable: the service and the tools around it.
@main
struct Signalbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signalbox",
        abstract: "Event-triggered and scheduled automation: ProcessUpdated events in, process-start commands out.",
        subcommands: [ServeCommand.self, TokenCommand.self, JSONPathCommand.self, FilterCommand.self, CronCommand.self, WebhookCommand.self]
            + actionCommands)
}
