import ArgumentParser

/// The action verbs of seed 000 (`action-create`, `action-schedule-add`, …) plus `action-list`,
/// `action-schedule-remove` and `action-msg-trigger-remove`. They talk to a running server over
/// the REST API (docs/openapi.yaml), print tables, or the server's JSON with `--json`, and exit 1
/// with the server's error message when a call fails.
extension Signalbox {
    /// Register with `subcommands: [...] + Signalbox.actionCommands`.
    static let actionCommands: [any ParsableCommand.Type] = [
        ActionCreateCommand.self,
        ActionGetCommand.self,
        ActionListCommand.self,
        ActionDeleteCommand.self,
        ActionTriggerCommand.self,
        ActionHistoryCommand.self,
        ActionScheduleAddCommand.self,
        ActionScheduleEnableCommand.self,
        ActionScheduleDisableCommand.self,
        ActionScheduleRemoveCommand.self,
        ActionMessageTriggerAddCommand.self,
        ActionMessageTriggerEnableCommand.self,
        ActionMessageTriggerDisableCommand.self,
        ActionMessageTriggerRemoveCommand.self,
        ActionWebhookAddCommand.self,
        ActionWebhookListCommand.self,
        ActionWebhookEnableCommand.self,
        ActionWebhookDisableCommand.self,
        ActionWebhookRotateCommand.self,
        ActionWebhookRemoveCommand.self,
        ActionSigningSecretCommand.self,
        ActionRunLaterCommand.self,
        ActionRunsCommand.self,
        ActionRunCancelCommand.self,
        ActionPauseCommand.self,
        ActionResumeCommand.self,
        ActionActivateCommand.self,
        ActionArchiveCommand.self,
        ActionPoliciesCommand.self,
        ActionStatsCommand.self,
        HistoryCleanupCommand.self,
        ApplyCommand.self,
        ExportCommand.self,
    ]
}
