import ArgumentParser
import Automation
import Foundation

/// `action-stats [--window 24h|7d|30d]` for the tenant, or with `--name/--namespace` or `--id`
/// for one action.
struct ActionStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-stats", abstract: "Show run statistics of the tenant, or of one action.",
        discussion: "Without --name or --id: actions by status, runs by outcome, runs due in the next hour and the actions failing most.")

    @Option(help: "The action's name (with --namespace); without it and --id, the whole tenant.")
    var name: String?

    @Option(help: "The namespace of the action.")
    var namespace: String?

    @Option(help: "The action's id.")
    var id: String?

    @Option(help: ArgumentHelp("The window runs are counted in: 24h, 7d or 30d.", valueName: "window"))
    var window: StatisticsWindow = .day

    @OptionGroup var server: ServerOptions

    func validate() throws {
        if name != nil || id != nil {
            try ActionSelector.check(name: name, namespace: namespace, id: id, nameFlag: "--name", idFlag: "--id")
        }
    }

    func run() async throws {
        let query = [URLQueryItem(name: "window", value: window.rawValue)]
        try await server.run { client throws(APIClientError) in
            if name == nil && id == nil {
                let data = try await client.send("GET", "/automated-actions/stats", query: query)
                try server.output(data, as: TenantStatistics.self, table: Self.tenantTable)
            } else {
                let actionId = try await ActionSelector.resolve(name: name, namespace: namespace, id: id, client)
                let data = try await client.send("GET", "/automated-actions/by-id/\(actionId)/stats", query: query)
                try server.output(data, as: ActionStatistics.self, table: Self.actionTable)
            }
        }
    }

    static func rate(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    }

    static func seconds(_ value: Double?) -> String {
        value.map { String(format: "%.3f s", $0) } ?? "—"
    }

    static func runRows(_ runs: RunCounts) -> [[String]] {
        [
            ["runs", String(runs.runs)], ["succeeded", String(runs.succeeded)], ["failed", String(runs.failed)],
            ["skipped", String(runs.skipped)], ["pending", String(runs.pending)], ["running", String(runs.running)],
            ["success rate", rate(runs.successRate)],
        ]
    }

    static func tenantTable(_ stats: TenantStatistics) -> String {
        var rows: [[String]] = [
            ["actions", "\(stats.actions.total) (\(stats.actions.active) active, \(stats.actions.paused) paused, \(stats.actions.draft) draft, \(stats.actions.archived) archived)"],
        ]
        rows += runRows(stats.runs)
        rows.append(["due in the next hour", String(stats.dueSoon)])
        var text = "Since \(ActionTables.time(stats.since)) (\(stats.window.rawValue)):\n" + ActionTables.table(["", ""], rows)
        if !stats.topFailing.isEmpty {
            text += "\nFailing most:\n" + ActionTables.table(
                ["NAMESPACE", "NAME", "STATUS", "FAILURES", "IN A ROW", "ID"],
                stats.topFailing.map {
                    [$0.namespace.rawValue, $0.name, $0.status.rawValue, String($0.failures), String($0.consecutiveFailures), $0.actionId.description]
                })
        }
        return text
    }

    static func actionTable(_ stats: ActionStatistics) -> String {
        var rows = runRows(stats.runs)
        rows += [
            ["duration p50", seconds(stats.durationSeconds.p50)], ["duration p95", seconds(stats.durationSeconds.p95)],
            ["last run", stats.lastRunAt.map { "\(ActionTables.time($0)) (\(stats.lastOutcome?.rawValue ?? "?"))" } ?? "never"],
            ["run count (all time)", String(stats.runCount)], ["failures in a row", String(stats.consecutiveFailures)],
        ]
        return "Since \(ActionTables.time(stats.since)) (\(stats.window.rawValue)):\n" + ActionTables.table(["", ""], rows)
    }
}

extension StatisticsWindow: ExpressibleByArgument {}
