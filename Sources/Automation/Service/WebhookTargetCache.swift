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
    /// The entries, and a count of ``forget(action:)`` calls: a read that began before one may
    /// have seen what it forgot, so it is not kept.
    private let state = Mutex<(entries: [WebhookID: Entry], generation: Int)>(([:], 0))

    public init(lifetime: TimeInterval = 1, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The target of `id` if fetched within the lifetime before `now`; else nil and the
    /// generation to hand to ``keep(_:at:readSince:)`` with what the store answers.
    func target(_ id: WebhookID, at now: Date) -> (target: WebhookTarget?, generation: Int) {
        state.withLock { state in
            guard let entry = state.entries[id], now.timeIntervalSince(entry.fetched) < lifetime, entry.fetched <= now else {
                return (nil, state.generation)
            }
            return (entry.target, state.generation)
        }
    }

    /// Keeps `target`, read from the store after ``target(_:at:)`` returned `generation`, unless
    /// something was forgotten since (the read may predate that change).
    func keep(_ target: WebhookTarget, at now: Date, readSince generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[target.webhook.id] = Entry(target: target, fetched: now)
        }
    }

    /// Forgets the webhooks of `action` (it changed).
    func forget(action: ActionID) {
        state.withLock { state in
            state.generation += 1
            state.entries = state.entries.filter { $0.value.target.action.id != action }
        }
    }
}
