import Foundation
import JSONPath

/// A notification about an action's outcome, published to the notifications exchange
/// (`signalbox.notifications`, topic) with routing key ``routingKey``: a CloudEvents 1.0 event in
/// structured mode (`content-type: application/cloudevents+json`), so any CloudEvents SDK
/// reads it unchanged. Written to the store's outbox in the transaction that closes the entry,
/// published (persistent, confirmed) from there: a crash in between sends it after the restart,
/// with the same ``id``.
public struct ActionNotification: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case succeeded, failed, paused
    }

    /// The CloudEvent's `id` and the message-id: UUIDv5 of the entry id and the kind, so a
    /// notification sent twice is recognisably one.
    public var id: String
    public var kind: Kind
    /// The CloudEvent, as JSON text.
    public var body: String

    public init(id: String, kind: Kind, body: String) {
        self.id = id
        self.kind = kind
        self.body = body
    }

    /// `action.succeeded`, `action.failed` or `action.paused`.
    public var routingKey: String { "action.\(kind.rawValue)" }
    /// The CloudEvent `type`: `io.signalbox.action.<kind>`.
    public static func type(_ kind: Kind) -> String { "io.signalbox.action.\(kind.rawValue)" }
    public static let contentType = "application/cloudevents+json"

    /// The action whose entry closed, as the close found it.
    public struct Action: Sendable {
        public var id: ActionID
        public var tenantId: TenantID
        public var namespace: NamespaceName
        public var name: String

        public init(id: ActionID, tenantId: TenantID, namespace: NamespaceName, name: String) {
            self.id = id
            self.tenantId = tenantId
            self.namespace = namespace
            self.name = name
        }
    }

    /// The notification of `kind` for `entry` of `action` at `time`; `pausedReason` for `paused`.
    /// The body is a CloudEvents 1.0 event (JSON format): `specversion`, `id`, `source`, `type`,
    /// `subject` (the entry), `time`, `datacontenttype` and `data`, whose members are always all
    /// there (`null` when empty).
    public static func make(
        _ kind: Kind, entry: ExecutionHistoryEntry, action: Action, counters: (total: Int, consecutiveFailures: Int),
        pausedReason: String? = nil, at time: Date
    ) -> ActionNotification {
        let id = UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "notification|\(entry.id)|\(kind.rawValue)")
            .uuidString.lowercased()
        let orNull = { (text: String?) in text.map(JSONValue.string) ?? .null }
        let data: JSONValue = [
            "tenantId": .string(action.tenantId.rawValue), "namespace": .string(action.namespace.rawValue),
            "actionId": .string(action.id.description), "actionName": .string(action.name),
            "executionId": .string(entry.id.description), "processId": .string(entry.processId.description),
            "processType": .string(entry.processType.rawValue), "sourceEventId": .string(entry.sourceEventId),
            "triggerType": .string(entry.triggerType.rawValue), "itemIndex": .int(entry.itemIndex),
            "outcome": .string(entry.outcome.rawValue), "errorMessage": orNull(entry.errorMessage), "attempt": .int(entry.attempt),
            "retryOf": orNull(entry.retryOf?.description), "totalExecutions": .int(counters.total),
            "consecutiveFailures": .int(counters.consecutiveFailures), "pausedReason": orNull(pausedReason),
        ]
        let event: JSONValue = [
            "specversion": "1.0", "id": .string(id),
            "source": .string("/tenants/\(action.tenantId.rawValue)/automated-actions/\(action.id)"), "type": .string(type(kind)),
            "subject": .string(entry.id.description),
            "time": .string(time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))),
            "datacontenttype": "application/json", "data": data,
        ]
        return ActionNotification(id: id, kind: kind, body: event.jsonText)
    }
}
