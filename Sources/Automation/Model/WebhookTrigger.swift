import Foundation
import JSONPath

/// A trigger of an action called over HTTP: `POST /hooks/{id}`, authenticated the Standard
/// Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature` signed with the webhook's
/// ``WebhookSecret``), or, where ``allowSecretParameter`` is set, by `?secret=` (seed 001).
///
/// The secrets are not part of this value: they are shown once (create, rotate) and kept apart
/// by the store (``WebhookCredentials``), so an action's JSON never carries them.
/// JSON: `{"id", "name", "isEnabled", "filter", "allowSecretParameter", "rateLimit", "url",
/// "dateCreated"}`, plus `delay` or `cancels` as on message triggers.
public struct WebhookTrigger: Hashable, Sendable, Identifiable {
    public var id: WebhookID
    public var name: String
    public var isEnabled: Bool
    /// A filter over the webhook event (`$.payload.action == 'opened'`); nil runs every call.
    public var filter: String?
    /// Whether `?secret=<the secret>` authenticates a call too (seed 001's form, weaker: the
    /// secret travels in the URL and nothing binds it to the body or a time).
    public var allowSecretParameter: Bool
    public var rateLimit: WebhookRateLimit
    public var dateCreated: Date
    /// A call schedules a delayed run instead of running now.
    public var delay: TriggerDelay?
    /// A call cancels the action's scheduled runs with the key it reads instead of running.
    public var cancels: TriggerCancellation?

    public init(
        id: WebhookID = .random(), name: String, isEnabled: Bool = true, filter: String? = nil,
        allowSecretParameter: Bool = false, rateLimit: WebhookRateLimit = WebhookRateLimit(), dateCreated: Date,
        delay: TriggerDelay? = nil, cancels: TriggerCancellation? = nil
    ) {
        self.delay = delay
        self.cancels = cancels
        self.id = id
        self.name = name
        self.isEnabled = isEnabled
        self.filter = filter
        self.allowSecretParameter = allowSecretParameter
        self.rateLimit = rateLimit
        self.dateCreated = dateCreated
    }

    /// Where senders post, relative to the API's base URL.
    public var path: String { "/hooks/\(id)" }
}

extension WebhookTrigger: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, isEnabled, filter, allowSecretParameter, rateLimit, url, dateCreated, delay, cancels
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(WebhookID.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        isEnabled = try c.decodeIfPresent(Bool.self, forKey: .isEnabled) ?? true
        filter = try c.decodeIfPresent(String.self, forKey: .filter)
        allowSecretParameter = try c.decodeIfPresent(Bool.self, forKey: .allowSecretParameter) ?? false
        rateLimit = try c.decodeIfPresent(WebhookRateLimit.self, forKey: .rateLimit) ?? WebhookRateLimit()
        dateCreated = try c.decode(Date.self, forKey: .dateCreated)
        delay = try c.decodeIfPresent(TriggerDelay.self, forKey: .delay)
        cancels = try c.decodeIfPresent(TriggerCancellation.self, forKey: .cancels)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(isEnabled, forKey: .isEnabled)
        try c.encode(filter, forKey: .filter)
        try c.encode(allowSecretParameter, forKey: .allowSecretParameter)
        try c.encode(rateLimit, forKey: .rateLimit)
        try c.encode(path, forKey: .url)
        try c.encode(dateCreated, forKey: .dateCreated)
        try c.encodeIfPresent(delay, forKey: .delay)
        try c.encodeIfPresent(cancels, forKey: .cancels)
    }
}

/// How many calls a webhook takes: a token bucket refilled at `perSecond`, holding `burst`.
/// Calls beyond it are answered 429 with `Retry-After`.
public struct WebhookRateLimit: Hashable, Sendable, Codable {
    public var perSecond: Double
    public var burst: Int

    public static let maximumPerSecond = 10_000.0
    public static let maximumBurst = 100_000

    public init(perSecond: Double = 10, burst: Int = 50) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// A Standard Webhooks signing secret: `whsec_` followed by the base64 of the key's bytes.
/// Its description hides the key, so a secret logged by mistake is not disclosed.
public struct WebhookSecret: Hashable, Sendable, CustomStringConvertible {
    public static let prefix = "whsec_"
    /// Bytes of a new key (the specification asks for 24 to 64).
    public static let generatedKeyLength = 32

    /// The secret as issued: `whsec_…`.
    public let text: String
    /// The HMAC key: the decoded base64 part.
    public let key: [UInt8]

    /// A new random secret, from the system's cryptographically secure generator.
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<generatedKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return WebhookSecret(key: key)
    }

    public init(key: [UInt8]) {
        self.key = key
        self.text = Self.prefix + Data(key).base64EncodedString()
    }

    /// Parses `whsec_<base64>` (the prefix and the padding are optional, as the reference
    /// libraries accept); nil when the rest is not base64 or decodes to nothing.
    public init?(_ text: String) {
        var encoded = text.hasPrefix(Self.prefix) ? String(text.dropFirst(Self.prefix.count)) : text
        encoded += String(repeating: "=", count: (4 - encoded.count % 4) % 4)
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else { return nil }
        self.key = [UInt8](key)
        self.text = Self.prefix + encoded
    }

    public var description: String { "whsec_…" }
}

/// What authenticates calls to a webhook, kept by the store apart from the definition: the
/// current secret and, for a grace period after a rotation, the one before it.
public struct WebhookCredentials: Hashable, Sendable {
    public var secret: WebhookSecret
    public var previousSecret: WebhookSecret?
    /// Until when ``previousSecret`` still authenticates.
    public var previousSecretExpiresAt: Date?
    public var rotatedAt: Date?

    public init(
        secret: WebhookSecret, previousSecret: WebhookSecret? = nil, previousSecretExpiresAt: Date? = nil, rotatedAt: Date? = nil
    ) {
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.rotatedAt = rotatedAt
    }

    /// The secrets a call may be authenticated with at `now`: the current one first.
    public func secrets(at now: Date) -> [WebhookSecret] {
        guard let previousSecret, let expiry = previousSecretExpiresAt, now < expiry else { return [secret] }
        return [secret, previousSecret]
    }

    /// These credentials after a rotation to `new` at `now`: the current secret keeps working
    /// for `grace`.
    public func rotated(to new: WebhookSecret, at now: Date, grace: TimeInterval) -> WebhookCredentials {
        WebhookCredentials(
            secret: new, previousSecret: grace > 0 ? secret : nil,
            previousSecretExpiresAt: grace > 0 ? now.addingTimeInterval(grace) : nil, rotatedAt: now)
    }
}

/// A webhook as a call to it needs it: its action (tenant, status, items), the webhook and what
/// authenticates calls.
public struct WebhookTarget: Sendable {
    public let action: AutomatedAction
    public let webhook: WebhookTrigger
    public let credentials: WebhookCredentials
    /// The webhook's filter, compiled once here rather than per call (targets are cached).
    private let filter: Result<TriggerFilter, AutomationError>?
    /// The `keyFromEvent` of its `delay` or `cancels`, compiled once here too.
    public let key: TriggerKey

    public init(action: AutomatedAction, webhook: WebhookTrigger, credentials: WebhookCredentials) {
        self.action = action
        self.webhook = webhook
        self.credentials = credentials
        key = TriggerKey(delay: webhook.delay, cancels: webhook.cancels)
        filter = webhook.filter.map { text in
            Result { () throws(AutomationError) in try AutomationValidator.compileFilter(text, field: "filter").0 }
        }
    }

    /// The compiled filter; nil when the webhook has none. A stored filter is valid (it was
    /// compiled when saved), so this throws only for data written around the service.
    public func compiledFilter() throws(AutomationError) -> TriggerFilter? {
        try filter?.get()
    }
}
