import Foundation
import JSONPath

extension Event {
    /// The event for `schedule`'s occurrence at `occurrence` (DESIGN "Source"): id
    /// ``scheduleEventID(_:occurrence:)``, the action's tenant and namespace, and a small body
    /// describing the occurrence, so `*FromEvent` queries have something to read.
    public static func scheduled(_ schedule: ScheduleID, occurrence: Date, of action: AutomatedAction) -> Event {
        let instant = occurrence.formatted(.iso8601)  // once: the id and the body both carry it
        let id = scheduleEventID(schedule, instant: instant)
        return Event(
            id: id,
            tenantId: action.tenantId,
            namespace: action.namespace,
            triggerType: nil,
            source: .schedule(schedule, occurrence: occurrence),
            body: [
                "type": "Schedule",
                "id": .string(id),
                "tenantId": .string(action.tenantId.rawValue),
                "namespace": .string(action.namespace.rawValue),
                "automatedActionId": .string(action.id.description),
                "scheduleId": .string(schedule.description),
                "scheduledAt": .string(instant),
            ]
        )
    }

    /// The event for a manual run of `action`. `id` is chosen once by the caller (a new UUID)
    /// and kept for retries, so retrying the same request plans the same commands.
    public static func manual(id: String, of action: AutomatedAction) -> Event {
        Event(
            id: id,
            tenantId: action.tenantId,
            namespace: action.namespace,
            triggerType: nil,
            source: .manual,
            body: [
                "type": "Manual",
                "id": .string(id),
                "tenantId": .string(action.tenantId.rawValue),
                "namespace": .string(action.namespace.rawValue),
                "automatedActionId": .string(action.id.description),
            ]
        )
    }
}

extension Event {
    /// The event of a due delayed run of `action`: id `delayed:<runId>`; its body is the run's
    /// `payload` (a JSON object: the run's event, as `$fromEvent` values read it), or without one a
    /// small body naming the run (`type: Delayed`, `runId`, `key`, `scheduledFor`).
    public static func delayed(_ run: DelayedRun, of action: AutomatedAction) -> Event {
        let id = "delayed:\(run.id)"
        let body: JSONValue =
            run.payload ?? [
                "type": "Delayed",
                "id": .string(id),
                "tenantId": .string(action.tenantId.rawValue),
                "namespace": .string(action.namespace.rawValue),
                "automatedActionId": .string(action.id.description),
                "runId": .string(run.id.description),
                "key": run.key.map(JSONValue.string) ?? .null,
                "scheduledFor": .string(run.dueAt.formatted(.iso8601)),
            ]
        return Event(id: id, tenantId: action.tenantId, namespace: action.namespace, triggerType: nil, source: .delayed(run.id), body: body)
    }

    /// The event of the next item of a sequence: the run's own event id (``StepTarget/sourceEventId``)
    /// and event (the run's `payload`, as `$fromEvent` values read it; without one, the delayed
    /// run's small body), and the previous item's completion for `$fromPrevious`.
    public static func step(_ run: DelayedRun, _ step: StepTarget, of action: AutomatedAction) -> Event {
        var event = delayed(run, of: action)
        event.id = step.sourceEventId
        event.previous = step.previous
        return event
    }
}

extension Event {
    /// The id of the event of a call to `webhook` whose sender gave `messageID` (the Standard
    /// Webhooks `webhook-id` header): `webhook:<webhook id>:<message id>`. A sender's retry
    /// carries the same message id, so it plans the same commands and records no second row.
    public static func webhookEventID(_ webhook: WebhookID, messageID: String) -> String {
        "webhook:\(webhook):\(messageID)"
    }

    /// The event of a call to `webhook` of `action`: its body holds the call's JSON (or its text,
    /// for another content type) under `payload` and its headers (lower-case names, credentials
    /// left out) under `headers`, which filters and `$fromEvent` queries read (`$.payload.action`,
    /// `$.headers['x-github-event']`).
    public static func webhook(
        _ webhook: WebhookTrigger, of action: AutomatedAction, id: String, messageID: String?, receivedAt: Date,
        headers: [(String, JSONValue)] = [], payload: JSONValue
    ) -> Event {
        var members: [(String, JSONValue)] = [
            ("type", "Webhook"),
            ("id", .string(id)),
            ("tenantId", .string(action.tenantId.rawValue)),
            ("namespace", .string(action.namespace.rawValue)),
            ("automatedActionId", .string(action.id.description)),
            ("webhookId", .string(webhook.id.description)),
            ("webhookName", .string(webhook.name)),
            ("receivedAt", .string(receivedAt.formatted(.iso8601))),
        ]
        if let messageID { members.append(("messageId", .string(messageID))) }
        members.append(("headers", .object(JSONObject(headers))))
        members.append(("payload", payload))
        return Event(
            id: id, tenantId: action.tenantId, namespace: action.namespace, triggerType: nil, source: .webhook(webhook.id),
            body: .object(JSONObject(members)))
    }
}
