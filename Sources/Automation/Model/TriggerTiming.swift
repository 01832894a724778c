import Foundation
import JSONPath

/// `"delay"` of a trigger (issue 13's escalation pattern): a match schedules a delayed run
/// `seconds` later instead of running now, with the event as its payload and its key read from
/// the event by `keyFromEvent` (none when the query selects nothing).
public struct TriggerDelay: Hashable, Sendable, Codable {
    public var seconds: Int
    public var keyFromEvent: String?

    public init(seconds: Int, keyFromEvent: String? = nil) {
        self.seconds = seconds
        self.keyFromEvent = keyFromEvent
    }
}

/// `"cancels"` of a trigger: a match cancels the action's scheduled runs whose key
/// `keyFromEvent` reads from the event, instead of running the action.
public struct TriggerCancellation: Hashable, Sendable, Codable {
    public var keyFromEvent: String

    public init(keyFromEvent: String) {
        self.keyFromEvent = keyFromEvent
    }
}

/// The `keyFromEvent` query of a trigger's `delay` or `cancels`, compiled once with the trigger
/// (in the trigger index, in a cached webhook target), not per event.
public struct TriggerKey: Sendable {
    let query: JSONPathQuery?

    /// The key query of `delay` or `cancels`, whichever is set; a stored query is valid (it was
    /// checked when saved), so one that does not compile reads no key.
    public init(delay: TriggerDelay?, cancels: TriggerCancellation?) {
        query = (delay?.keyFromEvent ?? cancels?.keyFromEvent).flatMap { try? JSONPathQuery(parsing: $0) }
    }

    /// The key the query reads from `event`: a string of 1 to 255 bytes or a number; nil when it
    /// selects nothing or anything else (a longer string too: cut, two keys could become one).
    /// The query is singular (checked when saved), so it never comes near its work budget.
    public func read(in event: JSONValue) -> String? {
        guard let query, let selected = try? query.values(in: event) else { return nil }
        guard selected.count == 1 else { return nil }
        switch selected[0] {
        case .string(let text): return text.isEmpty || text.utf8.count > DelayedRun.maximumKeyLength ? nil : text
        case .int, .double: return selected[0].jsonText
        default: return nil
        }
    }
}
