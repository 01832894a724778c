import Automation
import Foundation

/// Plain-text renderings of API answers for people: aligned columns, ISO 8601 times, `-` for
/// nothing.
enum ActionTables {
    /// Columns padded to their widest cell; every line ends in a newline.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func time(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? "-"
    }

    /// One action in detail: its fields, items, schedules and triggers (`action-get`,
    /// `action-create`, and the schedule and trigger verbs).
    static func action(_ action: AutomatedAction) -> String {
        var text = table(
            ["FIELD", "VALUE"],
            [
                ["id", action.id.description],
                ["name", action.name],
                ["namespace", action.namespace.rawValue],
                ["status", action.status.rawValue],
                ["description", action.description ?? "-"],
                ["execution", action.execution.rawValue],
                ["nextScheduledRunAt", time(action.nextScheduledRunAt)],
                ["totalExecutions", String(action.totalExecutions)],
                ["consecutiveFailures", String(action.consecutiveFailures)],
                ["dateCreated", time(action.dateCreated)],
                ["dateUpdated", time(action.dateUpdated)],
            ] + (action.managedBy.map { [["managedBy", "\($0.rawValue) (\(action.definedIn ?? "?"))"]] } ?? []) + policies(action))
        text += "\nActions (\(action.actions.count))\n"
        text += table(
            ["#", "NAME", "TYPE", "TARGET"],
            action.actions.enumerated().map { index, item in [String(index + 1), item.name, item.config.kind.rawValue, target(item.config)] })
        text += "\nSchedules (\(action.schedules.count))\n"
        if !action.schedules.isEmpty {
            text += table(
                ["ID", "NAME", "ENABLED", "CRON", "TIME ZONE", "NEXT"],
                action.schedules.map {
                    [
                        $0.id.description, $0.name, $0.isEnabled ? "yes" : "no", $0.expressionText, $0.timeZone,
                        $0.firedAt.map { "fired \(time($0))" } ?? time($0.nextOccurrence),
                    ]
                })
        }
        text += "\nMessage triggers (\(action.messageTriggers.count))\n"
        if !action.messageTriggers.isEmpty {
            text += table(
                ["ID", "NAME", "ENABLED", "TYPE", "FILTER"],
                action.messageTriggers.map { [$0.id.description, $0.name, $0.isEnabled ? "yes" : "no", $0.triggerType.rawValue, $0.eventFilter] })
        }
        text += "\nWebhooks (\(action.webhooks.count))\n"
        if !action.webhooks.isEmpty { text += webhooks(action.webhooks) }
        return text
    }

    /// Webhooks, without secrets (`action-webhook-list`, `action-get`).
    static func webhooks(_ webhooks: [WebhookTrigger]) -> String {
        table(
            ["ID", "NAME", "ENABLED", "URL", "RATE", "FILTER"],
            webhooks.map {
                [
                    $0.id.description, $0.name, $0.isEnabled ? "yes" : "no", $0.path,
                    "\($0.rateLimit.perSecond)/s burst \($0.rateLimit.burst)", $0.filter ?? "-",
                ]
            })
    }

    /// What an item starts, briefly.
    static func target(_ config: ActionConfig) -> String {
        switch config {
        case .app(let app): "\(app.version.id) v\(app.version.version)"
        case .interaction(let interaction): "\(interaction.version.id) v\(interaction.version.version)"
        case .interactionMessage(let message): "process \(message.interactionProcessIdFromEvent)"
        case .capsule(let capsule): "\(capsule.version.id) v\(capsule.version.version)"
        case .webhook(let request): "\(request.method) \(request.url)"
        }
    }

    /// `action-list`.
    static func list(_ actions: [AutomatedAction]) -> String {
        if actions.isEmpty { return "No actions.\n" }
        return table(
            ["NAMESPACE", "NAME", "STATUS", "SCHEDULES", "TRIGGERS", "WEBHOOKS", "NEXT RUN", "EXECUTIONS", "ID"],
            actions.map {
                [
                    $0.namespace.rawValue, $0.name, $0.status.rawValue, String($0.schedules.count), String($0.messageTriggers.count),
                    String($0.webhooks.count), time($0.nextScheduledRunAt),
                    String($0.totalExecutions), $0.id.description,
                ]
            })
    }

    /// `action-history`.
    static func history(_ entries: [ExecutionHistoryEntry]) -> String {
        if entries.isEmpty { return "No executions.\n" }
        return table(
            ["STARTED", "TRIGGER", "ATTEMPT", "OUTCOME", "COMPLETED", "PROCESS", "TYPE", "ERROR"],
            entries.map {
                [
                    time($0.dateStarted), $0.triggerType.rawValue, String($0.attempt), $0.outcome.rawValue, time($0.dateCompleted),
                    $0.processId.description, $0.processType.rawValue, $0.errorMessage ?? "",
                ]
            })
    }

    /// The rows of the failure settings an action has, and why it is paused.
    static func policies(_ action: AutomatedAction) -> [[String]] {
        var rows: [[String]] = []
        if let retry = action.policies.retryPolicy {
            rows.append([
                "retryPolicy",
                "\(retry.maxRetries) retries, \(retry.backoffSeconds) s × \(retry.multiplier)^n, at most \(retry.maxBackoffSeconds) s",
            ])
        }
        if let notification = action.policies.notification {
            let kinds = [(notification.onSuccess, "success"), (notification.onFailure, "failure"), (notification.onPause, "pause")]
            rows.append(["notification", kinds.filter(\.0).map(\.1).joined(separator: ", ").nonEmpty ?? "none"])
        }
        if let threshold = action.policies.pauseAfterConsecutiveFailures {
            rows.append(["pauseAfterConsecutiveFailures", String(threshold)])
        }
        if let pausedAt = action.pausedAt { rows.append(["pausedAt", time(pausedAt)]) }
        if let reason = action.pausedReason { rows.append(["pausedReason", reason]) }
        return rows
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
