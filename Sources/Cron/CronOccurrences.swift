import Foundation

/// The occurrences of a schedule from some instant on, computed one at a time as they are read.
///
/// A schedule has no end, so the sequence is infinite for practical purposes (it stops after
/// the year 9999); take a prefix (`prefix(5)`) or stop at a bound (`prefix { $0 < end }`).
public struct CronOccurrences: Sequence, Sendable {
    enum Direction: Sendable {
        case forward
        case backward
    }

    let schedule: CronSchedule
    let start: Date
    let direction: Direction

    public struct Iterator: IteratorProtocol, Sendable {
        let schedule: CronSchedule
        let direction: Direction
        var cursor: Date?

        public mutating func next() -> Date? {
            guard let current = cursor else { return nil }
            let found =
                direction == .forward ? schedule.next(after: current) : schedule.previous(before: current)
            cursor = found
            return found
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(schedule: schedule, direction: direction, cursor: start)
    }
}
