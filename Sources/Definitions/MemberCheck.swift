import Automation
import JSONPath

/// Refuses members the format does not have, at their position: decoding alone would ignore a
/// misspelt `schedule:` or `isEnabeld:`. The names mirror `docs/definitions.schema.json`.
enum MemberCheck {
    static let item: Set<String> = ["name", "runAs", "config"]
    static let schedule: Set<String> = [
        "name", "isEnabled", "second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek", "cron", "at", "timeZone", "missedRunPolicy",
    ]
    static let trigger: Set<String> = ["name", "isEnabled", "triggerType", "eventFilter", "delay", "cancels"]
    static let webhook: Set<String> = ["name", "isEnabled", "filter", "allowSecretParameter", "rateLimit", "delay", "cancels"]

    /// Checks a definition and the members of its items, schedules, triggers and webhooks.
    static func definition(_ value: JSONValue, _ source: SourceMap) throws(DefinitionsError) {
        try members(value, allowed: ActionDefinition.memberNames, path: "", source)
        guard case .object(let object) = value else { return }
        let lists: [(String, Set<String>)] = [("actions", item), ("schedules", schedule), ("messageTriggers", trigger), ("webhooks", webhook)]
        for (key, allowed) in lists {
            guard case .array(let elements)? = object[key] else { continue }
            for (index, element) in elements.enumerated() {
                try members(element, allowed: allowed, path: "\(key)[\(index)]", source)
            }
        }
    }

    /// Fails at the first member of `value` (an object) that `allowed` lacks.
    static func members(_ value: JSONValue, allowed: Set<String>, path: String, _ source: SourceMap) throws(DefinitionsError) {
        guard case .object(let object) = value else {
            throw source.error(at: path, "expected a mapping")
        }
        for key in object.keys where !allowed.contains(key) {
            let memberPath = path.isEmpty ? key : "\(path).\(key)"
            throw source.error(at: memberPath, "unknown member \(key.prefix(100)); expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
