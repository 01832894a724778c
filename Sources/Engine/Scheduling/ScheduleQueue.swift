import Automation
import Cron
import Foundation
import HeapModule

/// One enabled schedule as the scheduler tracks it.
struct ScheduledEntry: Sendable {
    struct Key: Hashable, Sendable {
        var actionId: ActionID
        var scheduleId: ScheduleID
    }

    var action: AutomatedAction
    var definition: CronScheduleDefinition
    var schedule: CronSchedule
    /// The first occurrence not handled yet (the stored `nextOccurrence`).
    var firstPending: Date?
    /// The last occurrence that fired.
    var lastFired: Date?
    /// An occurrence whose run was recorded but not confirmed: fired again before anything else.
    var retry: Date?
    /// Consecutive failed attempts, for the retry backoff.
    var failures = 0

    var key: Key { Key(actionId: action.id, scheduleId: definition.id) }

    /// What the store keeps of this entry: its next occurrence, and its last fired one when
    /// `fired` (it just fired).
    func progress(fired: Bool) -> ScheduleProgress {
        ScheduleProgress(
            actionId: action.id, scheduleId: definition.id, lastFired: fired ? lastFired : nil, nextOccurrence: firstPending)
    }
}

/// The enabled schedules by the instant they are next due to be looked at, earliest first: a
/// heap with lazy deletion (a replaced or removed entry's old heap item is skipped when popped,
/// recognised by its generation).
struct ScheduleQueue: Sendable {
    private struct Item: Comparable, Sendable {
        var due: Date
        var key: ScheduledEntry.Key
        var generation: Int

        static func < (lhs: Item, rhs: Item) -> Bool { lhs.due < rhs.due }
        static func == (lhs: Item, rhs: Item) -> Bool { lhs.due == rhs.due && lhs.generation == rhs.generation }
    }

    private var heap = Heap<Item>()
    private var entries: [ScheduledEntry.Key: (entry: ScheduledEntry, generation: Int)] = [:]
    /// Popped entries being fired: not in the heap until ``finish(_:due:)``.
    private var firing: Set<ScheduledEntry.Key> = []
    private var generations = 0

    /// Schedules tracked (queued or firing).
    var count: Int { entries.count }

    /// Adds or replaces `entry`, due at `due` (nil: tracked but never due). An entry being fired
    /// is replaced when its firing finishes.
    mutating func put(_ entry: ScheduledEntry, due: Date?) {
        generations += 1
        entries[entry.key] = (entry, generations)
        if let due, !firing.contains(entry.key) {
            heap.insert(Item(due: due, key: entry.key, generation: generations))
        }
    }

    /// The tracked entry for `key`.
    func entry(_ key: ScheduledEntry.Key) -> ScheduledEntry? { entries[key]?.entry }

    /// The keys of `action`'s tracked schedules.
    func keys(of action: ActionID) -> [ScheduledEntry.Key] { entries.keys.filter { $0.actionId == action } }

    /// Stops tracking `key`.
    mutating func remove(_ key: ScheduledEntry.Key) {
        entries[key] = nil
    }

    /// When the earliest entry is due.
    mutating func earliest() -> Date? {
        dropStale()
        return heap.min?.due
    }

    /// Removes and returns the entries due at `now` or earlier, each with the instant it was due;
    /// they are firing until ``finish(_:due:)``.
    mutating func popDue(at now: Date) -> [(entry: ScheduledEntry, due: Date)] {
        var due: [(entry: ScheduledEntry, due: Date)] = []
        while true {
            dropStale()
            guard let first = heap.min, first.due <= now else { break }
            heap.removeMin()
            if let entry = entries[first.key]?.entry {
                firing.insert(first.key)
                due.append((entry, first.due))
            }
        }
        return due
    }

    /// A fired entry is back: stored as `entry` (unless it was replaced or removed meanwhile —
    /// then the replacement stands, with `entry`'s firing state carried over) and due at `due`.
    mutating func finish(_ entry: ScheduledEntry, due: Date?) {
        firing.remove(entry.key)
        guard var current = entries[entry.key]?.entry else { return }
        if current.definition == entry.definition {
            current = entry
        } else {
            current.lastFired = [current.lastFired, entry.lastFired].compactMap { $0 }.max()
            current.retry = entry.retry
        }
        put(current, due: current.definition == entry.definition ? due : (current.retry ?? current.firstPending))
    }

    private mutating func dropStale() {
        while let first = heap.min, entries[first.key]?.generation != first.generation || firing.contains(first.key) {
            heap.removeMin()
        }
    }
}
