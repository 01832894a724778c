import Foundation
import JSONPath

/// A `webhook` item's request as planned for one run, its `$fromEvent` values read: what the store
/// keeps in its outbox until the request's history entry closes, and what the sender sends —
/// again, with the same ``deliveryId``, after a restart.
public struct OutboundHTTPRequest: Hashable, Sendable, Codable {
    /// `webhook-id` and `Idempotency-Key`: the history entry's id, the same on every attempt, so
    /// that receivers de-duplicate retries.
    public var deliveryId: ExecutionID
    /// The history entry's process id: the request's entry is closed by it.
    public var processId: ProcessID
    public var actionId: ActionID
    public var tenantId: TenantID
    public var url: String
    public var method: String
    /// In the item's order, values read; `content-type` among them when the body needs one.
    public var headers: [Header]
    /// The body's text (serialized JSON, or the item's string); nil: no body.
    public var body: String?
    public var timeoutSeconds: Double
    /// The status that counts as success; any 2xx when nil.
    public var expectStatus: Int?

    public struct Header: Hashable, Sendable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        deliveryId: ExecutionID, processId: ProcessID, actionId: ActionID, tenantId: TenantID, url: String, method: String,
        headers: [Header], body: String?, timeoutSeconds: Double, expectStatus: Int?
    ) {
        self.deliveryId = deliveryId
        self.processId = processId
        self.actionId = actionId
        self.tenantId = tenantId
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.expectStatus = expectStatus
    }

    /// Whether `status` ends the request well: ``expectStatus`` when set, else any 2xx.
    public func succeeds(withStatus status: Int) -> Bool {
        expectStatus.map { $0 == status } ?? (200...299).contains(status)
    }
}

extension CommandPlanner {
    /// The request of a `webhook` item whose `$fromEvent` values were read; fails when a header
    /// value read from the event is not text.
    static func httpRequest(
        _ config: HTTPRequestConfig, for entry: ExecutionHistoryEntry, tenant: TenantID, itemName: String
    ) -> Result<OutboundHTTPRequest, PlanningFailure> {
        var headers: [OutboundHTTPRequest.Header] = []
        if case .object(let object) = config.headers {
            for member in object.members {
                switch member.value {
                case .string(let text) where !HTTPRequestConfig.isHeaderValue(text):
                    return .failure(PlanningFailure(
                        message: "item \"\(itemName)\": config.headers.\(member.key) read from the event contains a line break or another control character; no request was sent"))
                case .string(let text):
                    headers.append(.init(name: member.key, value: text))
                case .int, .double, .bool:
                    headers.append(.init(name: member.key, value: member.value.jsonText))
                default:
                    return .failure(PlanningFailure(
                        message: "item \"\(itemName)\": config.headers.\(member.key) read from the event is a JSON \(member.value.typeName), not text; no request was sent"))
                }
            }
        }
        var body: String?
        switch config.body {
        case nil:
            break
        case .string(let text)?:
            body = text
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(.init(name: "content-type", value: "text/plain; charset=utf-8"))
            }
        case let value?:
            body = value.jsonText
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(.init(name: "content-type", value: "application/json"))
            }
        }
        return .success(OutboundHTTPRequest(
            deliveryId: entry.id, processId: entry.processId, actionId: entry.actionId, tenantId: tenant, url: config.url,
            method: config.method, headers: headers, body: body, timeoutSeconds: config.timeoutSeconds,
            expectStatus: config.expectStatus))
    }
}
