import Foundation
import JSONPath

/// Body of `POST …/webhooks`.
public struct AddWebhookRequest: Hashable, Sendable, Codable {
    public var name: String
    public var isEnabled: Bool?
    /// A filter over the webhook event (see ``Event/webhook(_:of:id:messageID:receivedAt:payload:)``).
    public var filter: String?
    /// Accept `?secret=` as well as Standard Webhooks signatures (seed 001).
    public var allowSecretParameter: Bool?
    public var rateLimit: WebhookRateLimit?
    /// `{"seconds", "keyFromEvent"?}`: a call schedules a delayed run instead of running now.
    public var delay: TriggerDelay?
    /// `{"keyFromEvent"}`: a call cancels the action's scheduled runs with that key.
    public var cancels: TriggerCancellation?

    public init(
        name: String, isEnabled: Bool? = nil, filter: String? = nil, allowSecretParameter: Bool? = nil,
        rateLimit: WebhookRateLimit? = nil, delay: TriggerDelay? = nil, cancels: TriggerCancellation? = nil
    ) {
        self.delay = delay
        self.cancels = cancels
        self.name = name
        self.isEnabled = isEnabled
        self.filter = filter
        self.allowSecretParameter = allowSecretParameter
        self.rateLimit = rateLimit
    }
}

/// Body of `POST …/webhooks/{webhookId}/rotate-secret` (optional).
public struct RotateWebhookSecretRequest: Hashable, Sendable, Codable {
    /// How long the secret being replaced keeps working; default ``defaultGrace``.
    public var graceSeconds: Int?

    public static let defaultGrace = 86_400
    public static let maximumGrace = 7 * 86_400

    public init(graceSeconds: Int? = nil) { self.graceSeconds = graceSeconds }
}

/// A webhook with its secret, as created or rotated: the only answers that show the secret.
public struct WebhookWithSecret: Hashable, Sendable, Codable {
    public var webhook: WebhookTrigger
    public var secret: String
    /// After a rotation: until when the previous secret still works.
    public var previousSecretExpiresAt: Date?
    public var warnings: [ValidationWarning]

    public init(webhook: WebhookTrigger, secret: WebhookSecret, previousSecretExpiresAt: Date? = nil, warnings: [ValidationWarning] = []) {
        self.webhook = webhook
        self.secret = secret.text
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.warnings = warnings
    }

    /// The webhook's own members, then `secret` (and `previousSecretExpiresAt`, `warnings`).
    public func encode(to encoder: any Encoder) throws {
        try webhook.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(secret, forKey: .secret)
        try c.encodeIfPresent(previousSecretExpiresAt, forKey: .previousSecretExpiresAt)
        if !warnings.isEmpty { try c.encode(warnings, forKey: .warnings) }
    }

    public init(from decoder: any Decoder) throws {
        webhook = try WebhookTrigger(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        secret = try c.decode(String.self, forKey: .secret)
        previousSecretExpiresAt = try c.decodeIfPresent(Date.self, forKey: .previousSecretExpiresAt)
        warnings = try c.decodeIfPresent([ValidationWarning].self, forKey: .warnings) ?? []
    }

    enum CodingKeys: String, CodingKey { case secret, previousSecretExpiresAt, warnings }
}

/// A call to `/hooks/{id}` that passed authentication.
public struct WebhookCall: Sendable {
    /// The sender's message id — the `webhook-id` header, or `Idempotency-Key` on a `?secret=`
    /// call — when sent: a retry with it is answered with the first run.
    public var messageID: String?
    /// The body as received.
    public var body: [UInt8]
    /// The `Content-Type` header: a JSON type (or none) is parsed, any other is taken as text.
    public var contentType: String?
    /// The request's headers, lower-case names (credentials are left out when the event is made).
    public var headers: [(name: String, value: String)]

    public init(messageID: String?, body: [UInt8], contentType: String? = nil, headers: [(name: String, value: String)] = []) {
        self.messageID = messageID
        self.body = body
        self.contentType = contentType
        self.headers = headers
    }

    /// The longest `webhook-id` accepted.
    public static let maximumMessageIDLength = 256
    /// Headers copied into the event at most, and the longest value kept.
    public static let maximumEventHeaders = 64
    public static let maximumEventHeaderLength = 1024
    /// Headers never copied into the event: they authenticate, and events are stored and shown.
    public static let credentialHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization", "webhook-signature"]

    /// Whether the body is JSON by its `Content-Type` (`application/json`, `…+json`, or none).
    var isJSON: Bool {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
            !type.isEmpty
        else { return true }
        return type == "application/json" || type.hasSuffix("+json")
    }

    /// The headers the event shows, as a JSON object.
    var eventHeaders: [(String, JSONValue)] {
        headers.lazy.filter { !Self.credentialHeaders.contains($0.name) }.prefix(Self.maximumEventHeaders)
            .map { ($0.name, .string(String($0.value.prefix(Self.maximumEventHeaderLength)))) }
    }
}

/// What a webhook call did. `matched` and `runId` are the names: whether the filter held,
/// and the run's id (its event id) when there is a run.
public struct WebhookReceipt: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// The action ran: one process per item was started.
        case started
        /// An earlier call with the same `webhook-id` ran it: nothing new was published.
        case replayed
        /// The webhook's filter did not hold for this call: nothing ran.
        case filtered
        /// The action is paused: nothing ran.
        case paused
        /// The action is a draft or archived: nothing ran.
        case inactive
        /// The webhook delays: a delayed run was stored (`runId` names it, `scheduledFor` when).
        case scheduled
        /// The webhook cancels: the action's scheduled runs with the call's key were cancelled
        /// (`cancelledRuns`).
        case cancelled
    }

    public var outcome: Outcome
    public var matched: Bool
    public var runId: String?
    public var webhookId: WebhookID
    public var eventId: String
    public var processIds: [ProcessID]
    public var entries: [ExecutionHistoryEntry]
    /// For `scheduled`: when the delayed run is due.
    public var scheduledFor: Date?
    /// For `cancelled`: the runs cancelled.
    public var cancelledRuns: [DelayedRunID]?

    public init(
        outcome: Outcome, webhookId: WebhookID, eventId: String, processIds: [ProcessID] = [], entries: [ExecutionHistoryEntry] = [],
        delayedRun: DelayedRun? = nil, cancelledRuns: [DelayedRunID]? = nil
    ) {
        self.outcome = outcome
        self.matched = outcome != .filtered
        self.runId = outcome == .started || outcome == .replayed ? eventId : delayedRun?.id.description
        self.scheduledFor = delayedRun?.dueAt
        self.cancelledRuns = cancelledRuns
        self.webhookId = webhookId
        self.eventId = eventId
        self.processIds = processIds
        self.entries = entries
    }
}
