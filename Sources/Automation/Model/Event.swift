import Foundation
import JSONPath

/// One input of the pipeline (DESIGN "Source"): a ProcessUpdated delivery from the events queue,
/// a due schedule occurrence, or a manual run, all carried the same way so a schedule and a
/// message trigger start an action identically.
///
/// The ``id`` is stable across redeliveries — the AMQP message-id, `scheduleId@occurrence`, or a
/// UUID chosen once for a manual run — because command ids and history keys derive from it.
public struct Event: Sendable {
    /// The AMQP message-id, ``scheduleEventID(_:occurrence:)``, or a manual run's UUID.
    public var id: String
    /// Whose triggers may match: an event never reaches another tenant's actions.
    public var tenantId: TenantID
    /// The namespace the event reports from, when it says (informational: triggers of every
    /// namespace of the tenant see the event).
    public var namespace: NamespaceName?
    /// The kind of ProcessUpdated event (its routing key); nil for schedule and manual events,
    /// which no message trigger matches.
    public var triggerType: TriggerType?
    /// Where the event came from.
    public var source: EventSource
    /// The parsed body; filters and `*FromEvent` queries run against it (`$` is this value).
    public var body: JSONValue
    /// For the next item of a sequence: the body of the event that reported the item before as
    /// finished, which `$fromPrevious` values read. Nil for every other run.
    public var previous: JSONValue?

    public init(
        id: String,
        tenantId: TenantID,
        namespace: NamespaceName? = nil,
        triggerType: TriggerType?,
        source: EventSource,
        body: JSONValue,
        previous: JSONValue? = nil
    ) {
        self.previous = previous
        self.id = id
        self.tenantId = tenantId
        self.namespace = namespace
        self.triggerType = triggerType
        self.source = source
        self.body = body
    }

    /// The id of the event for `schedule`'s occurrence at `occurrence`:
    /// `"<schedule id>@<ISO 8601 UTC instant>"`, e.g.
    /// `5b3c…@2026-01-05T09:00:00Z`. Fixed format: command ids derive from it, so a scheduler
    /// that fires the same occurrence twice (a restart, a second replica) yields the same commands.
    public static func scheduleEventID(_ schedule: ScheduleID, occurrence: Date) -> String {
        scheduleEventID(schedule, instant: occurrence.formatted(.iso8601))
    }

    /// The same, for an occurrence already formatted as ISO 8601.
    static func scheduleEventID(_ schedule: ScheduleID, instant: String) -> String {
        "\(schedule)@\(instant)"
    }
}

/// Where an ``Event`` came from.
public enum EventSource: Hashable, Sendable {
    /// A delivery from the events queue, with its routing key.
    case message(routingKey: String)
    /// A due occurrence of a schedule.
    case schedule(ScheduleID, occurrence: Date)
    /// A run asked for through the API or CLI.
    case manual
    /// A call of a webhook.
    case webhook(WebhookID)
    /// A delayed run came due.
    case delayed(DelayedRunID)

    /// How history records runs caused by this source.
    public var executionTriggerType: ExecutionTriggerType {
        switch self {
        case .message: .message
        case .schedule: .schedule
        case .manual: .manual
        case .webhook: .webhook
        case .delayed: .delayed
        }
    }
}
