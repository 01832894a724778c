import Foundation
import Synchronization

/// The webhooks that calls addressed lately, so that a busy webhook costs no database read per
/// call. The service forgets an action's entries when it changes the action (its webhooks,
/// credentials, status, items); `lifetime` bounds how long a change made by another process
/// (another replica) takes to be seen.
public final class WebhookTargetCache: Sendable {
    private struct Entry {
        var target: WebhookTarget
        var fetched: Date
    }

    private let lifetime: TimeInterval
    private let capacity: Int
    private let entries = Mutex<[WebhookID: Entry]>([:])

    public init(lifetime: TimeInterval = 1, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The target of `id` if fetched within the lifetime before `now`.
    func target(_ id: WebhookID, at now: Date) -> WebhookTarget? {
        entries.withLock { entries in
            guard let entry = entries[id], now.timeIntervalSince(entry.fetched) < lifetime, entry.fetched <= now else { return nil }
            return entry.target
        }
    }

    func keep(_ target: WebhookTarget, at now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[target.webhook.id] = Entry(target: target, fetched: now)
        }
    }

    /// Forgets the webhooks of `action` (it changed).
    func forget(action: ActionID) {
        entries.withLock { entries in entries = entries.filter { $0.value.target.action.id != action } }
    }
}
