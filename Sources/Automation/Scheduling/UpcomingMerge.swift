import Cron
import Foundation

/// The next `limit` occurrences across many schedules, in order, by a k-way merge: each
/// schedule's next occurrence sits in a min-heap; taking the earliest advances only that
/// schedule. Work is O(S log S + limit log S) for S schedules, and never more than `limit` rows
/// exist — not schedules × limit rows sorted afterwards.
struct UpcomingMerge {
    struct Source {
        var run: UpcomingRun
        var occurrences: CronOccurrences.Iterator
    }

    private var heap: [Source] = []

    /// Adds a schedule whose occurrences after the start are `occurrences`; `template` is its
    /// row with any date.
    mutating func add(_ template: UpcomingRun, _ occurrences: CronOccurrences) {
        var iterator = occurrences.makeIterator()
        guard let first = iterator.next() else { return }
        var run = template
        run.scheduledAt = first
        heap.append(Source(run: run, occurrences: iterator))
        siftUp(heap.count - 1)
    }

    /// The first `limit` occurrences, none after `until`.
    mutating func take(_ limit: Int, until: Date?) -> [UpcomingRun] {
        var runs: [UpcomingRun] = []
        while runs.count < limit, var top = heap.first {
            if let until, top.run.scheduledAt > until { break }
            runs.append(top.run)
            if let next = top.occurrences.next() {
                top.run.scheduledAt = next
                heap[0] = top
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
        return runs
    }

    /// Earlier first; at the same instant by action name, then schedule name (the list's order).
    private static func precedes(_ a: UpcomingRun, _ b: UpcomingRun) -> Bool {
        (a.scheduledAt, a.actionName, a.scheduleName) < (b.scheduledAt, b.actionName, b.scheduleName)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child].run, heap[parent].run) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var first = parent
            for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count && Self.precedes(heap[child].run, heap[first].run) {
                first = child
            }
            guard first != parent else { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
