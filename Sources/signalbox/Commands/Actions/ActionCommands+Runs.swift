import ArgumentParser
import Automation
import Foundation
import JSONPath

/// `action-run-later --action-name N --namespace NS --delay-seconds S | --run-at T [--payload FILE] [--key K]`:
/// a delayed run, stored before the answer.
struct ActionRunLaterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-run-later", abstract: "Run an automated action later: after a delay (1 s to 7 days) or at an instant.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: ArgumentHelp("Run this many seconds from now (1-604800).", valueName: "seconds")) var delaySeconds: Double?
    @Option(help: ArgumentHelp("Run at this RFC 3339 instant (1 s to 7 days ahead).", valueName: "instant")) var runAt: String?
    @Option(help: ArgumentHelp("A JSON object file (- for standard input): the run's event, which $fromEvent values read.", valueName: "file")) var payload: String?
    @Option(help: "A name to cancel the run by (action-run-cancel --key).") var key: String?
    @Option(help: "Retries with the same key answer with the first run.") var idempotencyKey: String?
    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard (delaySeconds == nil) != (runAt == nil) else { throw ValidationError("give one of --delay-seconds and --run-at") }
        if let runAt, (try? Date(runAt, strategy: .iso8601)) == nil {
            throw ValidationError("--run-at \"\(runAt)\" is not an RFC 3339 instant such as 2026-12-24T09:00:00Z")
        }
    }

    func run() async throws {
        var payloadValue: JSONValue?
        if let payload {
            let data = try JSONPathCommand.readInput(payload == "-" ? nil : payload)
            do {
                payloadValue = try JSONParser.parse(Array(data))
            } catch {
                throw ValidationError("--payload \(payload): \(error)")
            }
        }
        let request = ScheduleRunRequest(
            delaySeconds: delaySeconds, runAt: try runAt.map { try Date($0, strategy: .iso8601) }, payload: payloadValue, key: key)
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send(
                "POST", "/automated-actions/by-id/\(id)/runs", body: try requestBody(request),
                headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
            try server.output(data, as: ScheduledRun.self) { receipt in
                "Scheduled run \(receipt.runId) for \(ActionTables.time(receipt.scheduledFor))"
                    + (receipt.key.map { " (key \($0))" } ?? "") + ".\n"
            }
        }
    }

    struct ScheduledRun: Decodable {
        var runId: String
        var scheduledFor: Date
        var key: String?
    }
}

/// `action-runs --action-name N --namespace NS [--status scheduled|dispatched|cancelled]`.
struct ActionRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-runs", abstract: "List an automated action's delayed runs by due time.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "Only runs with this status: scheduled, dispatched or cancelled.") var status: String?
    @Option(help: "At most this many runs (1–1000).") var limit: Int = 50
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            var query = [URLQueryItem(name: "limit", value: String(limit))]
            if let status { query.append(URLQueryItem(name: "status", value: status)) }
            let data = try await client.send("GET", "/automated-actions/by-id/\(id)/runs", query: query)
            try server.output(data, as: Page<DelayedRun>.self) { page in
                ActionTables.table(
                    ["RUN", "STATUS", "SCHEDULED FOR", "KEY", "DISPATCHED", "CANCELLED", "RETRY"],
                    page.items.map {
                        [$0.id.description, $0.status.rawValue, ActionTables.time($0.dueAt), $0.key ?? "", ActionTables.time($0.dispatchedAt),
                         ActionTables.time($0.cancelledAt), $0.retry.map { "attempt \($0.attempt) of item \($0.itemIndex + 1)" } ?? "-"]
                    })
            }
        }
    }
}

/// `action-run-cancel --action-name N --namespace NS --run-id ID | --key K`.
struct ActionRunCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-run-cancel", abstract: "Cancel a scheduled delayed run, or every one with a key.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The run's id.") var runId: String?
    @Option(help: "Cancel every scheduled run with this key.") var key: String?
    @OptionGroup var server: ServerOptions

    func validate() throws {
        guard (runId == nil) != (key == nil) else { throw ValidationError("give one of --run-id and --key") }
        if let runId, DelayedRunID(runId) == nil { throw ValidationError("--run-id \"\(runId)\" is not a UUID") }
    }

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            if let runId {
                _ = try await client.send("DELETE", "/automated-actions/by-id/\(id)/runs/\(runId)")
                print("Cancelled run \(runId).")
            } else if let key {
                let data = try await client.send("DELETE", "/automated-actions/by-id/\(id)/runs", query: [URLQueryItem(name: "key", value: key)])
                try server.output(data, as: Cancelled.self) { "Cancelled \($0.cancelled.count) run(s) with key \(key).\n" }
            }
        }
    }

    struct Cancelled: Decodable {
        var cancelled: [DelayedRun]
    }
}
