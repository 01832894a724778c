import Foundation
import Testing

@testable import Cron

/// One-time schedules (`at`): the forms accepted, the zone rule for local date-times, and the one
/// occurrence they have.
@Suite("One-time schedules")
struct CronOneTimeTests {
    @Test(
        "an instant with an offset is that instant; a local one is read in the zone",
        arguments: [
            ("2026-12-24T09:00:00Z", "UTC", "2026-12-24T09:00:00Z"),
            ("2026-12-24t09:00:00z", "Europe/Berlin", "2026-12-24T09:00:00Z"),
            ("2026-12-24T09:00:00+01:00", "America/New_York", "2026-12-24T08:00:00Z"),
            ("2026-12-24T09:00:00-05:30", "UTC", "2026-12-24T14:30:00Z"),
            ("2026-12-24T09:00:00", "Europe/Berlin", "2026-12-24T08:00:00Z"),
            ("2026-07-01 09:00", "Europe/Berlin", "2026-07-01T07:00:00Z"),
            ("2026-02-28T23:59:59", "UTC", "2026-02-28T23:59:59Z"),
            // Spring forward in Berlin (2026-03-29, 02:00 → 03:00): 02:30 does not exist and is the jump.
            ("2026-03-29T02:30:00", "Europe/Berlin", "2026-03-29T01:00:00Z"),
            // Fall back (2026-10-25, 03:00 → 02:00): 02:30 happens twice; the first pass counts.
            ("2026-10-25T02:30:00", "Europe/Berlin", "2026-10-25T00:30:00Z"),
        ])
    func forms(text: String, zone: String, expected: String) throws {
        let schedule = try CronSchedule(at: text, timeZoneIdentifier: zone)
        #expect(schedule.expression.onlyInstant.map(rfc3339) == expected)
        #expect(schedule.expression.source == text)
    }

    @Test func itsOnlyOccurrenceIsTheInstant() throws {
        let schedule = try CronSchedule(at: "2026-12-24T09:00:00Z", timeZoneIdentifier: "UTC")
        let at = instant("2026-12-24T09:00:00Z")
        #expect(schedule.next(after: at.addingTimeInterval(-0.5)) == at)
        #expect(schedule.next(after: at) == nil, "strictly after")
        #expect(schedule.previous(before: at.addingTimeInterval(3600)) == at)
        #expect(schedule.previous(before: at) == nil)
        #expect(Array(schedule.occurrences(after: instant("2020-01-01T00:00:00Z")).prefix(3)) == [at])
        #expect(!schedule.expression.neverFires && schedule.expression.interval == nil && !schedule.expression.isFixedTime)
    }

    @Test(
        "anything else is refused, naming at and the accepted forms",
        arguments: [
            "2026-12-24", "2026-12-24T09", "2026-13-01T09:00:00Z", "2026-02-30T09:00:00Z", "2026-12-24T24:00:00Z",
            "2026-12-24T09:00:00.5Z", "2026-12-24T09:00:00+1", "2026-12-24T09:00:00Z trailing", "tomorrow", "",
            "1969-12-31T23:59:59Z",
        ])
    func refused(text: String) {
        let error = #expect(throws: CronError.self) { try CronSchedule(at: text, timeZoneIdentifier: "UTC") }
        #expect(error?.field == "at")
        #expect(error?.allowed.contains("RFC 3339") == true)
    }

    @Test func anUnknownZoneIsRefusedAsForCron() {
        let error = #expect(throws: CronError.self) { try CronSchedule(at: "2026-12-24T09:00:00", timeZoneIdentifier: "Mars/Olympus") }
        #expect(error?.code == .unknownTimeZone && error?.field == "timeZone")
    }
}
