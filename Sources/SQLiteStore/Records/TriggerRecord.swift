import Foundation
import Automation
import GRDB

/// A row of `messageTrigger`. `position` keeps the action's order of triggers.
struct TriggerRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "messageTrigger"

    var actionId: ActionID
    var position: Int
    var trigger: MessageTrigger

    init(_ trigger: MessageTrigger, actionId: ActionID, position: Int) {
        self.actionId = actionId
        self.position = position
        self.trigger = trigger
    }

    init(row: Row) throws {
        let table = Self.databaseTableName
        actionId = try row.identifier(ActionID.self, "actionId", table: table)
        position = try row.decode(forColumn: "position")
        var trigger = MessageTrigger(
            id: try row.identifier(TriggerID.self, "id", table: table),
            name: try row.decode(forColumn: "name"),
            isEnabled: try row.decode(forColumn: "isEnabled"),
            triggerType: try row.enumeration(TriggerType.self, "triggerType", table: table),
            eventFilter: try row.decode(forColumn: "eventFilter")
        )
        try Self.applyTiming(try row.decode(forColumn: "timing"), to: &trigger)
        self.trigger = trigger
    }

    /// A trigger from `id, name, isEnabled, triggerType, eventFilter, timing` at positions from `first`.
    static func trigger(_ row: Row, from first: Int) throws -> MessageTrigger {
        let table = databaseTableName
        let type: String = try row.decode(atIndex: first + 3)
        guard let triggerType = TriggerType(rawValue: type) else {
            throw SQLiteStoreError.corruptValue(table: table, column: "triggerType", reason: "unknown value")
        }
        var trigger = MessageTrigger(
            id: try row.identifier(TriggerID.self, atIndex: first, column: "id", table: table),
            name: try row.decode(atIndex: first + 1),
            isEnabled: try row.decode(atIndex: first + 2),
            triggerType: triggerType,
            eventFilter: try row.decode(atIndex: first + 4)
        )
        try applyTiming(try row.decode(atIndex: first + 5), to: &trigger)
        return trigger
    }

    static func applyTiming(_ text: String?, to trigger: inout MessageTrigger) throws {
        (trigger.delay, trigger.cancels) = try TimingColumn.read(text, table: databaseTableName)
    }

    func encode(to container: inout PersistenceContainer) {
        container["actionId"] = actionId.description
        container["id"] = trigger.id.description
        container["position"] = position
        container["name"] = trigger.name
        container["isEnabled"] = trigger.isEnabled
        container["triggerType"] = trigger.triggerType.rawValue
        container["eventFilter"] = trigger.eventFilter
        container["timing"] = TimingColumn.text(delay: trigger.delay, cancels: trigger.cancels)
    }
}
