import Automation
import Foundation
import HeapModule

/// The delayed runs waiting for their instant, earliest first, beside the schedules' queue. Holds
/// only what firing needs to find a run (id, action, tenant, instant): the payload stays in the
/// store until the run is claimed, so 100,000 pending runs cost a few MB.
///
/// A run is queued once: inserting it again replaces its instant, and a removed (cancelled) run's
/// heap item is skipped when it comes up; the heap is rebuilt when most of it is stale.
///
/// A run popped for firing is remembered for ``handedOutMemory``: announced again meanwhile (the
/// change feed's echo of this replica's own insert, a resynchronisation reading it while it is
/// claimed), it is not queued a second time, which would publish its command twice.
struct DelayedRunQueue: Sendable {
    private struct Item: Comparable, Sendable {
        var run: DelayedRunDue
        static func < (lhs: Item, rhs: Item) -> Bool { lhs.run.dueAt < rhs.run.dueAt }
        static func == (lhs: Item, rhs: Item) -> Bool { lhs.run.dueAt == rhs.run.dueAt && lhs.run.id == rhs.run.id }
    }

    private var heap = Heap<Item>()
    /// The instant each queued run is due at: a heap item with another instant, or of a run not
    /// here, is stale.
    private var due: [DelayedRunID: Date] = [:]
    /// Runs popped for firing, with when: an announcement of one of these is late, not new.
    private var handedOut: [DelayedRunID: Date] = [:]
    private var handedOutPruned = Date.distantPast
    /// How long a popped run is remembered: well past its confirm timeout and retries, after
    /// which it is no longer stored as scheduled.
    static let handedOutMemory: TimeInterval = 600

    var count: Int { due.count }

    mutating func insert(_ run: DelayedRunDue) {
        guard due[run.id] != run.dueAt else { return }
        due[run.id] = run.dueAt
        heap.insert(Item(run: run))
        compactIfMostlyStale()
    }

    /// Inserts a run announced by the store or its service, unless it was handed out for firing.
    mutating func insertAnnounced(_ run: DelayedRunDue) {
        guard handedOut[run.id] == nil else { return }
        insert(run)
    }

    mutating func insert(contentsOf runs: [DelayedRunDue]) {
        for run in runs { due[run.id] = run.dueAt }
        heap = Heap(heap.unordered + runs.map(Item.init))
        compactIfMostlyStale()
    }

    /// Forgets runs that will not fire (cancelled).
    mutating func remove(_ ids: [DelayedRunID]) {
        for id in ids { due[id] = nil }
        compactIfMostlyStale()
    }

    mutating func earliest() -> Date? {
        dropStale()
        return heap.min?.run.dueAt
    }

    /// Removes and returns the runs due at `now` or earlier, each once.
    mutating func popDue(at now: Date) -> [DelayedRunDue] {
        var popped: [DelayedRunDue] = []
        while true {
            dropStale()
            guard let first = heap.min, first.run.dueAt <= now else { break }
            heap.removeMin()
            due[first.run.id] = nil
            handedOut[first.run.id] = now
            popped.append(first.run)
        }
        if now.timeIntervalSince(handedOutPruned) > Self.handedOutMemory / 10 {
            handedOutPruned = now
            handedOut = handedOut.filter { now.timeIntervalSince($0.value) < Self.handedOutMemory }
        }
        return popped
    }

    private mutating func dropStale() {
        while let first = heap.min, due[first.run.id] != first.run.dueAt { heap.removeMin() }
    }

    private mutating func compactIfMostlyStale() {
        guard heap.count > 1024, heap.count > 2 * due.count else { return }
        heap = Heap(heap.unordered.filter { due[$0.run.id] == $0.run.dueAt })
    }
}
