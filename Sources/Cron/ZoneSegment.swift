/// A span of real time during which a zone's UTC offset is constant.
///
/// `start` is the transition that began it and `end` the one that ends it (±`unbounded` when there
/// is none); the neighbouring offsets tell whether the walls at either edge form a gap (clocks
/// jumped forward) or an overlap (clocks went back).
struct ZoneSegment: Equatable, Sendable {
    static let unbounded: Int64 = 1 << 50

    var start: Int64
    var end: Int64
    var offset: Int64
    var previousOffset: Int64
    var nextOffset: Int64

    @inline(__always)
    func contains(_ instant: Int64) -> Bool { instant >= start && instant < end }

    /// The first wall time lived in this segment.
    var firstWall: Int64 { start + offset }
    /// The last wall time lived in this segment.
    var lastWall: Int64 { end + offset - 1 }
}

/// Where a wall time falls in real time.
enum WallLocation: Equatable {
    /// The wall time is lived at this instant.
    case instant(Int64)
    /// The wall time falls in a spring-forward gap; the clocks jumped over it at `transition`.
    case gap(transition: Int64)
}
