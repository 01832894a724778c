import Foundation

/// The DST-aware search, in whole seconds of real time (Unix time).
///
/// The pattern is matched on the zone's wall clock. Within a segment of constant offset, wall
/// time and real time move together, so one pattern search gives the answer; only at a transition
/// does the search need care:
///
/// - wildcard schedules fire at every instant whose wall time matches, so a search that runs past
///   the end of its segment continues in the next one: from that segment's first wall time when
///   the clocks went back (the repeated hour fires again), or past the gap when they jumped.
/// - fixed-time schedules fire once per matching wall time, at its first pass, or at the jump
///   instant when the wall time falls in a gap. That mapping from wall time to instant never goes
///   backwards, so the answer is the mapping of the first matching wall time past the walls that
///   already fired.
extension CronSchedule {
    /// Guards against a zone whose transitions keep swallowing every match.
    static let maximumSegmentHops = 1_000

    func nextInstant(from first: Int64) -> Int64? {
        guard case .calendar(let pattern) = expression.kind, !neverFires else { return nil }
        return pattern.isWildcard ? nextWildcard(pattern, from: first) : nextFixed(pattern, from: first)
    }

    func previousInstant(from last: Int64) -> Int64? {
        guard case .calendar(let pattern) = expression.kind, !neverFires else { return nil }
        return pattern.isWildcard ? previousWildcard(pattern, from: last) : previousFixed(pattern, from: last)
    }

    private func nextWildcard(_ pattern: CronPattern, from first: Int64) -> Int64? {
        var segment = zone.segment(containing: first)
        var fromWall = first + segment.offset
        for _ in 0..<Self.maximumSegmentHops {
            guard let wall = pattern.nextMatch(atOrAfter: fromWall) else { return nil }
            let instant = wall - segment.offset
            if instant < segment.end { return instant }
            let following = zone.segment(after: segment)
            if following.firstWall < fromWall {
                // The clocks went back at the end of this segment: the repeated walls below
                // `fromWall` have not been searched in their second pass yet.
                segment = following
                fromWall = following.firstWall
                continue
            }
            // Every later wall at or above `fromWall` up to `wall` is known not to match, so the
            // answer is the first real instant showing `wall`, unless a gap swallowed it.
            switch zone.locateEarliest(wall: wall, notBefore: segment.end) {
            case .instant(let found):
                return found
            case .gap(let transition):
                segment = zone.segment(containing: transition)
                fromWall = segment.firstWall
            case nil:
                return nil
            }
        }
        return nil
    }

    private func previousWildcard(_ pattern: CronPattern, from last: Int64) -> Int64? {
        var segment = zone.segment(containing: last)
        var toWall = last + segment.offset
        for _ in 0..<Self.maximumSegmentHops {
            guard let wall = pattern.previousMatch(atOrBefore: toWall) else { return nil }
            let instant = wall - segment.offset
            if instant >= segment.start { return instant }
            let preceding = zone.segment(before: segment)
            if preceding.lastWall > toWall {
                // The clocks went back at the start of this segment: the first pass lived walls
                // above `toWall` that have not been searched yet.
                segment = preceding
                toWall = preceding.lastWall
                continue
            }
            switch zone.locateLatest(wall: wall, notAfter: segment.start - 1) {
            case .instant(let found):
                return found
            case .gap(let transition):
                segment = zone.segment(containing: transition - 1)
                toWall = segment.lastWall
            case nil:
                return nil
            }
        }
        return nil
    }

    private func nextFixed(_ pattern: CronPattern, from first: Int64) -> Int64? {
        let segment = zone.segment(containing: first)
        var fromWall = first + segment.offset
        if segment.previousOffset > segment.offset {
            // After a fall-back the repeated walls already fired in their first pass.
            fromWall = max(fromWall, segment.start + segment.previousOffset)
        } else if segment.previousOffset < segment.offset && first == segment.start {
            // `first` is the jump itself: the walls the gap swallowed fire now.
            fromWall = segment.start + segment.previousOffset
        }
        guard let wall = pattern.nextMatch(atOrAfter: fromWall) else { return nil }
        let instant = wall - segment.offset
        if segment.contains(instant) { return instant }
        return firstPass(of: wall)
    }

    private func previousFixed(_ pattern: CronPattern, from last: Int64) -> Int64? {
        let segment = zone.segment(containing: last)
        var toWall = last + segment.offset
        if segment.previousOffset > segment.offset && toWall < segment.start + segment.previousOffset {
            // In the second pass of a repeated hour: its walls fired in the first pass, which
            // ended just before this segment started.
            toWall = segment.start + segment.previousOffset - 1
        }
        guard let wall = pattern.previousMatch(atOrBefore: toWall) else { return nil }
        return firstPass(of: wall)
    }

    /// When a fixed-time schedule fires for `wall`: its first pass, or the jump over its gap.
    private func firstPass(of wall: Int64) -> Int64? {
        switch zone.locateEarliest(wall: wall) {
        case .instant(let instant): instant
        case .gap(let transition): transition
        case nil: nil
        }
    }

    /// `anchor + k·seconds` for the smallest k ≥ 1 that lies strictly after `time`.
    static func nextInterval(after time: Double, anchor: Double, seconds: Int64) -> Date? {
        let step = Double(seconds)
        var k = max(1, ((time - anchor) / step).rounded(.down) + 1)
        while anchor + k * step <= time { k += 1 }
        while k > 1 && anchor + (k - 1) * step > time { k -= 1 }
        let result = anchor + k * step
        return result.isFinite ? Date(timeIntervalSince1970: result) : nil
    }

    /// `anchor + k·seconds` for the largest k ≥ 1 that lies strictly before `time`.
    static func previousInterval(before time: Double, anchor: Double, seconds: Int64) -> Date? {
        let step = Double(seconds)
        var k = ((time - anchor) / step).rounded(.up) - 1
        while k >= 1 && anchor + k * step >= time { k -= 1 }
        while anchor + (k + 1) * step < time { k += 1 }
        guard k >= 1 else { return nil }
        return Date(timeIntervalSince1970: anchor + k * step)
    }
}
