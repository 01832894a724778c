import ArgumentParser
import Automation
import Foundation

/// `action-schedule-add --action-name N --namespace NS --schedule-name S --minute 0 --hour 9 …`
/// (seed 000 step 2), or `--cron EXPR`, or `--at INSTANT` (one-time), with `--time-zone ZONE`.
struct ActionScheduleAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-schedule-add", abstract: "Add a cron or one-time schedule to an automated action (at most 5).",
        discussion: "Give the fields (missing ones are *, a missing --second is 0), one --cron expression such as '0 9 * * *', '@daily' or '@every 5m', or --at with one instant: '2026-12-24T09:00:00Z', or '2026-12-24T09:00' read in --time-zone.")

    @OptionGroup var action: ParentActionSelector

    @Option(help: "The schedule's name.")
    var scheduleName: String

    @Option(help: "Seconds field (6-field cron).") var second: String?
    @Option(help: "Minute field (0-59).") var minute: String?
    @Option(help: "Hour field (0-23).") var hour: String?
    @Option(help: "Day-of-month field (1-31).") var dayOfMonth: String?
    @Option(help: "Month field (1-12).") var month: String?
    @Option(help: "Day-of-week field (0-6, 0 = Sunday).") var dayOfWeek: String?

    @Option(help: ArgumentHelp("A whole cron expression instead of the fields.", valueName: "expr"))
    var cron: String?

    @Option(help: ArgumentHelp("One instant instead (a one-time schedule): RFC 3339, or a local date-time read in --time-zone.", valueName: "instant"))
    var at: String?

    @Option(help: ArgumentHelp("IANA time zone the schedule reads the clock in (default UTC).", valueName: "zone"))
    var timeZone: String?

    @Flag(help: "Add it disabled.")
    var disabled = false

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let request = AddScheduleRequest(
            name: scheduleName, isEnabled: !disabled, second: second, minute: minute, hour: hour, dayOfMonth: dayOfMonth,
            month: month, dayOfWeek: dayOfWeek, cron: cron, at: at, timeZone: timeZone)
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("POST", "/automated-actions/by-id/\(id)/schedules", body: try requestBody(request))
            try server.output(data, as: AutomatedAction.self) { action in
                let added = action.schedules.last { $0.name == scheduleName }
                return "Added schedule \(scheduleName)\(added.map { " (\($0.id)), next run \(ActionTables.time($0.nextOccurrence))" } ?? "").\n\n"
                    + ActionTables.action(action)
            }
        }
    }
}

/// The enable, disable and remove verbs of schedules and triggers: one call on a child of an
/// action, then the updated action.
struct ChildChange {
    var method: String
    var collection: String
    var verb: String?
    var childId: String
    var done: String

    func run(_ action: ParentActionSelector, _ server: ServerOptions) async throws {
        guard UUID(uuidString: childId) != nil else { throw ValidationError("\(childId) is not a UUID") }
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let path = "/automated-actions/by-id/\(id)/\(collection)/\(childId.lowercased())" + (verb.map { "/\($0)" } ?? "")
            let data = try await client.send(method, path)
            try server.output(data, as: AutomatedAction.self) { "\(done).\n\n" + ActionTables.action($0) }
        }
    }
}

/// `action-schedule-enable --action-name N --namespace NS --schedule-id ID`.
struct ActionScheduleEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-schedule-enable", abstract: "Enable a schedule.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The schedule's id.") var scheduleId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(method: "POST", collection: "schedules", verb: "enable", childId: scheduleId, done: "Enabled schedule \(scheduleId)")
            .run(action, server)
    }
}

/// `action-schedule-disable --action-name N --namespace NS --schedule-id ID`.
struct ActionScheduleDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-schedule-disable", abstract: "Disable a schedule.")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The schedule's id.") var scheduleId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(method: "POST", collection: "schedules", verb: "disable", childId: scheduleId, done: "Disabled schedule \(scheduleId)")
            .run(action, server)
    }
}

/// `action-schedule-remove --action-name N --namespace NS --schedule-id ID` (admin).
struct ActionScheduleRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-schedule-remove", abstract: "Remove a schedule (admin).")

    @OptionGroup var action: ParentActionSelector
    @Option(help: "The schedule's id.") var scheduleId: String
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await ChildChange(method: "DELETE", collection: "schedules", verb: nil, childId: scheduleId, done: "Removed schedule \(scheduleId)")
            .run(action, server)
    }
}
