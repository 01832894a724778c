import Automation
import JSONPath

/// Seed 002's task list (Daptin) as definitions: each task becomes an action with one `app`
/// item and, when it has one, one schedule named `schedule`.
///
/// | task member   | becomes |
/// |---------------|---------|
/// | `Name`        | the action's `name` (required) |
/// | `Label`       | the action's `description` and the item's `name` (else `Name`) |
/// | `Schedule`    | `schedules[0]`: `{"name": "schedule", "cron": Schedule}` (`@daily`, `@every 1h`, five fields) |
/// | `ActionName`  | the item's `config.version.id`, version 1 (required) |
/// | `EntityName`  | the item's `config.entityName`, passed on in the command |
/// | `AsUserEmail` | the item's `runAs`, carried in the command as `runAs` |
/// | `Attributes`  | the item's `config.inputs`, one `{"name", "value"}` per member, in order |
/// | `IsActive`    | `status`: `false` → `paused`, `true` → `active`; absent leaves it (new: active) |
public enum TaskListMapping {
    public static let listKey = "Tasks"
    static let members: Set<String> = ["Name", "Label", "Schedule", "ActionName", "EntityName", "AsUserEmail", "Attributes", "IsActive"]
    /// The version a task's app starts: the task form names actions, not versions.
    public static let appVersion = 1

    /// The definition of one task; errors at the task's members.
    static func definition(_ value: JSONValue, source: inout SourceMap) throws(DefinitionsError) -> ActionDefinition {
        try MemberCheck.members(value, allowed: members, path: "", source)
        guard case .object(let task) = value else { throw source.error(at: "", "expected a mapping") }
        let name = try text(task, "Name", source, required: true) ?? ""
        let label = try text(task, "Label", source)
        let schedule = try text(task, "Schedule", source)
        let actionName = try text(task, "ActionName", source, required: true) ?? ""
        let entityName = try text(task, "EntityName", source)
        let runAs = try text(task, "AsUserEmail", source)
        var inputs: [NameValuePair] = []
        switch task["Attributes"] {
        case .object(let attributes)?:
            inputs = attributes.members.map { NameValuePair(name: $0.key, value: $0.value) }
        case nil, .null?:
            break
        default:
            throw source.error(at: "Attributes", "Attributes must be a mapping of name: value")
        }
        var status: ActionStatus?
        switch task["IsActive"] {
        case .bool(let active)?: status = active ? .active : .paused
        case nil, .null?: status = nil
        default: throw source.error(at: "IsActive", "IsActive must be true or false")
        }
        var additional: [String: AnyJSON] = [:]
        if let entityName { additional["entityName"] = AnyJSON(.string(entityName)) }
        let app = AppConfig(version: VersionReference(id: actionName, version: appVersion), inputs: inputs, additionalFields: additional)
        source.aliases = [
            "name": "Name", "description": "Label", "status": "IsActive", "schedules": "Schedule",
            "actions": "", "actions[0].name": label == nil ? "Name" : "Label", "actions[0].runAs": "AsUserEmail",
            "actions[0].config.version": "ActionName", "actions[0].config.inputs": "Attributes",
            "actions[0].config.entityName": "EntityName",
        ]
        return ActionDefinition(
            name: name, description: label, status: status,
            actions: [ActionItem(name: label ?? name, runAs: runAs, config: .app(app))],
            schedules: schedule.map { [AddScheduleRequest(name: "schedule", cron: $0)] })
    }

    /// A member written as text (a plain number is taken as its text too, as YAML users expect).
    private static func text(_ task: JSONObject, _ key: String, _ source: SourceMap, required: Bool = false) throws(DefinitionsError) -> String? {
        switch task[key] {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case nil, .null?:
            if required { throw source.error(at: "", "\(key) is missing") }
            return nil
        default:
            throw source.error(at: key, "\(key) must be text")
        }
    }
}
