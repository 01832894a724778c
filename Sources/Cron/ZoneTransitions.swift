import Foundation

/// A time zone's UTC offset changes, read once from Foundation into sorted arrays.
///
/// Foundation answers `secondsFromGMT(for:)` in tens of nanoseconds but offers no "previous
/// transition" query, and the search needs the segment around an instant in both directions. So
/// each zone's transitions from 1800 to 2501 are listed once (well under a millisecond) and shared
/// by every schedule in that zone; lookups are binary searches. After 2500 the zone is assumed to
/// repeat its 2100-2500 rules every 400 years: DST rules are written as "last Sunday of March" and
/// the like, and the Gregorian calendar, weekdays included, repeats exactly every 400 years.
final class ZoneTransitions: Sendable {
    /// 1800-01-01T00:00Z: before it, the zone's 1800 offset is used.
    static let tableStart: Int64 = -5_364_662_400
    /// 2100-01-01T00:00Z: start of the 400-year window repeated after `periodEnd`.
    static let periodStart: Int64 = 4_102_444_800
    /// 400 Gregorian years in seconds.
    static let period: Int64 = 146_097 * 86_400
    static let periodEnd: Int64 = periodStart + period
    /// One year past `periodEnd`, so segments that straddle it are complete.
    static let tableEnd: Int64 = periodEnd + 366 * 86_400

    let identifier: String
    /// Instants at which the offset changes, ascending.
    let transitions: [Int64]
    /// `offsets[i]` holds before `transitions[i]`; the last one after the last transition.
    let offsets: [Int64]

    init(timeZone: TimeZone) {
        identifier = timeZone.identifier
        var transitions: [Int64] = []
        var offsets: [Int64] = [Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.tableStart))))]
        var cursor = Date(timeIntervalSince1970: Double(Self.tableStart))
        let end = Date(timeIntervalSince1970: Double(Self.tableEnd))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next < end, next > cursor {
            let offset = Int64(timeZone.secondsFromGMT(for: next))
            // Some transitions change only the zone's name or DST flag; they do not move the clock.
            if offset != offsets[offsets.count - 1] {
                transitions.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                offsets.append(offset)
            }
            cursor = next
        }
        self.transitions = transitions
        self.offsets = offsets
    }

    /// True for zones whose offset never changes after 1800 (UTC, fixed offsets).
    var isFixed: Bool { transitions.isEmpty }

    /// The segment of constant offset that contains `instant`.
    func segment(containing instant: Int64) -> ZoneSegment {
        if transitions.isEmpty {
            let offset = offsets[0]
            return ZoneSegment(
                start: -ZoneSegment.unbounded,
                end: ZoneSegment.unbounded,
                offset: offset,
                previousOffset: offset,
                nextOffset: offset
            )
        }
        var shift: Int64 = 0
        var probe = instant
        if probe >= Self.periodEnd {
            shift = (probe - Self.periodStart) / Self.period * Self.period
            probe -= shift
        }
        // Number of transitions at or before `probe`.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= probe { low = middle + 1 } else { high = middle }
        }
        let index = low
        let offset = offsets[index]
        let hasPrevious = index > 0
        let hasNext = index < transitions.count
        return ZoneSegment(
            start: hasPrevious ? transitions[index - 1] + shift : -ZoneSegment.unbounded,
            end: hasNext ? transitions[index] + shift : ZoneSegment.unbounded,
            offset: offset,
            previousOffset: hasPrevious ? offsets[index - 1] : offset,
            nextOffset: hasNext ? offsets[index + 1] : offset
        )
    }

    /// The segment right after `segment` (it must have an end).
    @inline(__always)
    func segment(after segment: ZoneSegment) -> ZoneSegment { self.segment(containing: segment.end) }

    /// The segment right before `segment` (it must have a start).
    @inline(__always)
    func segment(before segment: ZoneSegment) -> ZoneSegment { self.segment(containing: segment.start - 1) }

    /// The three segments around the real instants that can show `wall`, in time order.
    ///
    /// Offsets stay within a day and transitions lie months apart, so the instant showing a wall
    /// time is in the segment containing `wall - offset(wall)` or one of its two neighbours.
    private func candidates(forWall wall: Int64) -> (ZoneSegment, ZoneSegment, ZoneSegment) {
        let guess = segment(containing: wall - segment(containing: wall).offset)
        let before = guess.start > -ZoneSegment.unbounded ? segment(before: guess) : guess
        let after = guess.end < ZoneSegment.unbounded ? segment(after: guess) : guess
        return (before, guess, after)
    }

    /// The earliest instant at or after `notBefore` whose wall time is `wall`, or the gap that
    /// swallowed it.
    func locateEarliest(wall: Int64, notBefore: Int64 = -ZoneSegment.unbounded) -> WallLocation? {
        let (a, b, c) = candidates(forWall: wall)
        for segment in [a, b, c] {
            let instant = wall - segment.offset
            if segment.contains(instant) && instant >= notBefore { return .instant(instant) }
        }
        for (left, right) in [(a, b), (b, c)] where left.end == right.start && left.offset < right.offset {
            if wall >= right.start + left.offset && wall < right.start + right.offset, right.start >= notBefore {
                return .gap(transition: right.start)
            }
        }
        return nil
    }

    /// The latest instant at or before `notAfter` whose wall time is `wall`, or the gap that
    /// swallowed it.
    func locateLatest(wall: Int64, notAfter: Int64 = ZoneSegment.unbounded) -> WallLocation? {
        let (a, b, c) = candidates(forWall: wall)
        for segment in [c, b, a] {
            let instant = wall - segment.offset
            if segment.contains(instant) && instant <= notAfter { return .instant(instant) }
        }
        for (left, right) in [(b, c), (a, b)] where left.end == right.start && left.offset < right.offset {
            if wall >= right.start + left.offset && wall < right.start + right.offset, right.start - 1 <= notAfter {
                return .gap(transition: right.start)
            }
        }
        return nil
    }
}
