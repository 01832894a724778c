import Automation
import Foundation
import HeapModule

/// The delayed runs waiting for their instant, earliest first, beside the schedules' queue. Holds
/// only what firing needs to find a run (id, action, tenant, instant): the payload stays in the
/// store until the run is claimed, so 100,000 pending runs cost a few MB.
struct DelayedRunQueue: Sendable {
    private struct Item: Comparable, Sendable {
        var run: DelayedRunDue
        static func < (lhs: Item, rhs: Item) -> Bool { lhs.run.dueAt < rhs.run.dueAt }
        static func == (lhs: Item, rhs: Item) -> Bool { lhs.run.dueAt == rhs.run.dueAt && lhs.run.id == rhs.run.id }
    }

    private var heap = Heap<Item>()

    var count: Int { heap.count }

    mutating func insert(_ run: DelayedRunDue) {
        heap.insert(Item(run: run))
    }

    mutating func insert(contentsOf runs: [DelayedRunDue]) {
        heap = Heap(heap.unordered + runs.map(Item.init))
    }

    var earliest: Date? { heap.min?.run.dueAt }

    /// Removes and returns the runs due at `now` or earlier.
    mutating func popDue(at now: Date) -> [DelayedRunDue] {
        var due: [DelayedRunDue] = []
        while let first = heap.min, first.run.dueAt <= now {
            heap.removeMin()
            due.append(first.run)
        }
        return due
    }
}
