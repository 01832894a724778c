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
