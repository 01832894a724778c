import Automation
import Foundation
import Synchronization

/// One token bucket per key (a webhook, an API token; rates as ``WebhookRateLimit``): a call
/// takes a token; an empty bucket refuses it and says when the next token comes. Only
/// authenticated calls take tokens, so forged calls cannot use up a sender's rate.
final class TokenBucketLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    /// Buckets kept at most; beyond it the full ones (idle webhooks) are forgotten.
    private let capacity: Int
    private let buckets = Mutex<[Key: Bucket]>([:])

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Nil when the call may go on; otherwise the seconds until a token is available.
    func take(_ key: Key, limit: WebhookRateLimit, at now: Date) -> TimeInterval? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(Double(limit.burst), bucket.tokens + elapsed * limit.perSecond)
            bucket.updated = now
            defer {
                if buckets[key] == nil && buckets.count >= capacity { forgetIdle(&buckets, at: now) }
                buckets[key] = bucket
            }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / limit.perSecond }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Drops the buckets untouched for a minute (a forgotten bucket comes back full, which only
    /// ever allows more calls); if every bucket is busy, all go: the map stays within `capacity`.
    private func forgetIdle(_ buckets: inout [Key: Bucket], at now: Date) {
        buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < 60 }
        if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
    }
}
