import Foundation
import Testing

@testable import Cron

/// Parses an RFC 3339 instant written in a test table; a typo fails the test that uses it.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Date {
    do {
        return try Date(text, strategy: .iso8601)
    } catch {
        Issue.record("bad instant in test table: \(text)", sourceLocation: sourceLocation)
        return Date(timeIntervalSince1970: 0)
    }
}

/// Formats an instant as RFC 3339 UTC, so table mismatches print readably.
func rfc3339(_ date: Date) -> String {
    date.formatted(.iso8601)
}

/// The first `count` occurrences after `from`, as RFC 3339 UTC strings.
func nextOccurrences(
    _ expression: String,
    zone: String = "UTC",
    from: String,
    count: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String] {
    let schedule = try CronSchedule(parsing: expression, timeZoneIdentifier: zone)
    return schedule.occurrences(after: instant(from, sourceLocation: sourceLocation)).prefix(count).map(rfc3339)
}

/// The first `count` occurrences before `before`, latest first, as RFC 3339 UTC strings.
func previousOccurrences(
    _ expression: String,
    zone: String = "UTC",
    before: String,
    count: Int
) throws
    -> [String]
{
    let schedule = try CronSchedule(parsing: expression, timeZoneIdentifier: zone)
    return schedule.occurrences(before: instant(before)).prefix(count).map(rfc3339)
}

/// A small seeded generator (SplitMix64) so property tests are reproducible from their seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
