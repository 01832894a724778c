import Foundation

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
    public static func make(
        _ kind: Kind, entry: ExecutionHistoryEntry, action: Action, counters: (total: Int, consecutiveFailures: Int),
        pausedReason: String? = nil, at time: Date
    ) -> ActionNotification {
        let id = UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "notification|\(entry.id)|\(kind.rawValue)")
            .uuidString.lowercased()
        let data = NotificationData(
            tenantId: action.tenantId.rawValue, namespace: action.namespace.rawValue, actionId: action.id.description,
            actionName: action.name, executionId: entry.id.description, processId: entry.processId.description,
            processType: entry.processType.rawValue, sourceEventId: entry.sourceEventId, triggerType: entry.triggerType.rawValue,
            itemIndex: entry.itemIndex, outcome: entry.outcome.rawValue, errorMessage: entry.errorMessage, attempt: entry.attempt,
            retryOf: entry.retryOf?.description, totalExecutions: counters.total, consecutiveFailures: counters.consecutiveFailures,
            pausedReason: pausedReason)
        let event = CloudEvent(
            id: id, source: "/tenants/\(action.tenantId.rawValue)/automated-actions/\(action.id)", type: type(kind),
            subject: entry.id.description, time: time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)),
            data: data)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings, numbers and optionals: encoding cannot fail.
        let body = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ActionNotification(id: id, kind: kind, body: body)
    }

    /// CloudEvents 1.0 attributes (structured mode, JSON format).
    struct CloudEvent: Encodable {
        let specversion = "1.0"
        var id: String
        var source: String
        var type: String
        var subject: String
        var time: String
        let datacontenttype = "application/json"
        var data: NotificationData
    }

    /// `data` of every notification: nulls written, so every field is always there.
    struct NotificationData: Encodable {
        var tenantId, namespace, actionId, actionName, executionId, processId, processType, sourceEventId, triggerType: String
        var itemIndex: Int
        var outcome: String
        var errorMessage: String?
        var attempt: Int
        var retryOf: String?
        var totalExecutions, consecutiveFailures: Int
        var pausedReason: String?

        enum CodingKeys: String, CodingKey {
            case tenantId, namespace, actionId, actionName, executionId, processId, processType, sourceEventId, triggerType
            case itemIndex, outcome, errorMessage, attempt, retryOf, totalExecutions, consecutiveFailures, pausedReason
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(tenantId, forKey: .tenantId)
            try c.encode(namespace, forKey: .namespace)
            try c.encode(actionId, forKey: .actionId)
            try c.encode(actionName, forKey: .actionName)
            try c.encode(executionId, forKey: .executionId)
            try c.encode(processId, forKey: .processId)
            try c.encode(processType, forKey: .processType)
            try c.encode(sourceEventId, forKey: .sourceEventId)
            try c.encode(triggerType, forKey: .triggerType)
            try c.encode(itemIndex, forKey: .itemIndex)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(errorMessage, forKey: .errorMessage)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(retryOf, forKey: .retryOf)
            try c.encode(totalExecutions, forKey: .totalExecutions)
            try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
            try c.encode(pausedReason, forKey: .pausedReason)
        }
    }
}
