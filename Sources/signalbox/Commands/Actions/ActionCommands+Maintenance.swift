import ArgumentParser
import Automation
import Foundation

/// `history-cleanup --older-than-days N --keep-per-action K`: the retention job, on demand, for
/// the token's tenant (admin).
struct HistoryCleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history-cleanup", abstract: "Delete your tenant's execution history by age and/or count (admin).")

    @Option(help: "Delete entries started more than this many days ago.")
    var olderThanDays: Int?

    @Option(help: "Keep only this many newest entries of each action.")
    var keepPerAction: Int?

    @OptionGroup var server: ServerOptions

    func validate() throws {
        if olderThanDays == nil && keepPerAction == nil { throw ValidationError("give --older-than-days, --keep-per-action or both") }
    }

    func run() async throws {
        let request = HistoryCleanupRequest(olderThanDays: olderThanDays, keepPerAction: keepPerAction)
        try await server.run { client throws(APIClientError) in
            let data = try await client.send("POST", "/maintenance/history-cleanup", body: try requestBody(request))
            try server.output(data, as: HistoryCleanupResult.self) { result in
                "Deleted \(result.deleted) history entr\(result.deleted == 1 ? "y" : "ies")"
                    + (result.startedBefore.map { " started before \(ActionTables.time($0))" } ?? "")
                    + (result.keepPerAction.map { result.startedBefore == nil ? " beyond the newest \($0) of each action" : " or beyond the newest \($0) of each action" } ?? "")
                    + ".\n"
            }
        }
    }
}
