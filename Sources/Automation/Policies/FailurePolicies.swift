import Foundation

/// How a failed item is tried again (seed 001's `maxRetries`, `backoffMs`): after its entry
/// closes `Failed`, attempt n+1 is a delayed run of that item due ``delay(afterAttempt:)`` later.
///
/// JSON: `{"maxRetries": 3, "backoffSeconds": 1, "multiplier": 2, "maxBackoffSeconds": 3600}`;
/// `backoffMs` is accepted instead of `backoffSeconds` (and written back as `backoffSeconds`).
public struct RetryPolicy: Hashable, Sendable, Codable {
    /// Tries after the first; 0 to ``maximumRetries``.
    public var maxRetries: Int
    /// The pause after the first failure.
    public var backoffSeconds: Double
    /// Each further pause is this many times the one before; 1 to 10.
    public var multiplier: Double
    /// No pause is longer than this.
    public var maxBackoffSeconds: Double

    public static let maximumRetries = 10
    /// The shortest first pause (a retry is a delayed run on the scheduler's queue).
    public static let minimumBackoff: TimeInterval = 0.1

    public init(maxRetries: Int, backoffSeconds: Double = 1, multiplier: Double = 2, maxBackoffSeconds: Double? = nil) {
        self.maxRetries = maxRetries
        self.backoffSeconds = backoffSeconds
        self.multiplier = multiplier
        self.maxBackoffSeconds = maxBackoffSeconds ?? DelayedRun.maximumDelay
    }

    /// The pause before the try after failed attempt `attempt` (from 1):
    /// `backoffSeconds × multiplier^(attempt−1)`, capped at ``maxBackoffSeconds``.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let grown = backoffSeconds * pow(multiplier, Double(max(0, attempt - 1)))
        return min(grown.isFinite ? grown : maxBackoffSeconds, maxBackoffSeconds)
    }

    /// Whether a failed attempt `attempt` is tried again.
    public func retries(afterAttempt attempt: Int) -> Bool { attempt <= maxRetries }

    enum CodingKeys: String, CodingKey { case maxRetries, backoffSeconds, backoffMs, multiplier, maxBackoffSeconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxRetries = try c.decode(Int.self, forKey: .maxRetries)
        let seconds = try c.decodeIfPresent(Double.self, forKey: .backoffSeconds)
        let milliseconds = try c.decodeIfPresent(Double.self, forKey: .backoffMs)
        if seconds != nil && milliseconds != nil {
            throw DecodingError.dataCorruptedError(forKey: .backoffMs, in: c, debugDescription: "give backoffSeconds or backoffMs, not both")
        }
        backoffSeconds = seconds ?? milliseconds.map { $0 / 1000 } ?? 1
        multiplier = try c.decodeIfPresent(Double.self, forKey: .multiplier) ?? 2
        maxBackoffSeconds = try c.decodeIfPresent(Double.self, forKey: .maxBackoffSeconds) ?? DelayedRun.maximumDelay
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxRetries, forKey: .maxRetries)
        try c.encode(backoffSeconds, forKey: .backoffSeconds)
        try c.encode(multiplier, forKey: .multiplier)
        try c.encode(maxBackoffSeconds, forKey: .maxBackoffSeconds)
    }
}

/// Which outcomes of an action are published as CloudEvents on the notifications exchange
/// (``ActionNotification``). JSON: `{"onSuccess": false, "onFailure": true, "onPause": true}`;
/// absent fields are false, except `onPause`, true: an action that pauses itself is always news.
public struct NotificationSettings: Hashable, Sendable, Codable {
    public var onSuccess: Bool
    public var onFailure: Bool
    public var onPause: Bool

    public init(onSuccess: Bool = false, onFailure: Bool = false, onPause: Bool = true) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.onPause = onPause
    }

    enum CodingKeys: String, CodingKey { case onSuccess, onFailure, onPause }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        onSuccess = try c.decodeIfPresent(Bool.self, forKey: .onSuccess) ?? false
        onFailure = try c.decodeIfPresent(Bool.self, forKey: .onFailure) ?? false
        onPause = try c.decodeIfPresent(Bool.self, forKey: .onPause) ?? true
    }
}

/// What an action does about failures: retries, notifications, pausing itself. Closing an entry
/// consults it (``CompletionFollowUp``), and the planner (whether a run keeps its event).
public struct FailurePolicies: Hashable, Sendable, Codable {
    public var retryPolicy: RetryPolicy?
    public var notification: NotificationSettings?
    /// Pauses the action when `consecutiveFailures` reaches this (1 to 1000).
    public var pauseAfterConsecutiveFailures: Int?

    public static let maximumPauseThreshold = 1000

    public init(retryPolicy: RetryPolicy? = nil, notification: NotificationSettings? = nil, pauseAfterConsecutiveFailures: Int? = nil) {
        self.retryPolicy = retryPolicy
        self.notification = notification
        self.pauseAfterConsecutiveFailures = pauseAfterConsecutiveFailures
    }

    public var isEmpty: Bool { retryPolicy == nil && notification == nil && pauseAfterConsecutiveFailures == nil }

    /// Whether runs keep their event for retries: items that read it need it again.
    public func keepsEvents(for items: [ActionItem]) -> Bool {
        (retryPolicy?.maxRetries ?? 0) > 0 && items.contains(where: \.readsEvent)
    }
}

extension ActionItem {
    /// Whether planning the item reads the event (`$fromEvent`, `interactionProcessIdFromEvent`).
    public var readsEvent: Bool {
        if !eventValues.isEmpty { return true }
        if case .interactionMessage = config { return true }
        return false
    }
}
