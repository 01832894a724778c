import Foundation
import Testing

@testable import Cron

/// CRON.md's DST rules in three zones: a one-hour shift on either side of the Atlantic and
/// Lord Howe Island's 30-minute shift.
///
/// 2026 transitions: Europe/Berlin 29 Mar 01:00Z (02:00 → 03:00) and 25 Oct 01:00Z (03:00 → 02:00);
/// America/New_York 8 Mar 07:00Z (02:00 → 03:00) and 1 Nov 06:00Z (02:00 → 01:00);
/// Australia/Lord_Howe 4 Apr 15:00Z (02:00 → 01:30) and 3 Oct 15:30Z (02:00 → 02:30).
@Suite("Daylight saving time")
struct CronDaylightSavingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let expression: String
        let zone: String
        let from: String
        let expected: [String]
        let rule: String
        var testDescription: String { "\(zone) \(expression): \(rule)" }
    }

    static let table: [Case] = [
        // Europe/Berlin, spring forward: 02:00-02:59 do not exist on 29 March.
        Case(
            expression: "30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T00:00:00Z",
            expected: ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
            rule: "fixed time in the gap fires at the jump"
        ),
        Case(
            expression: "0,30 2 * * *",
            zone: "America/New_York",
            from: "2026-03-07T12:00:00Z",
            expected: ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:30:00Z"],
            rule: "several skipped times collapse into one run"
        ),
        Case(
            expression: "@hourly",
            zone: "America/New_York",
            from: "2026-11-01T04:30:00Z",
            expected: ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"],
            rule: "@hourly fires at 01:00 twice"
        ),
        Case(
            expression: "0,30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T12:00:00Z",
            expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"],
            rule: "several skipped times collapse into one run"
        ),
        Case(
            expression: "0 2,3 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T12:00:00Z",
            expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T01:00:00Z"],
            rule: "a skipped time and the time after the jump are one run"
        ),
        Case(
            expression: "*/20 30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T12:00:00Z",
            expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
            rule: "the seconds field does not make a schedule wildcard"
        ),
        Case(
            expression: "*/30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T00:00:00Z",
            expected: ["2026-03-28T01:00:00Z", "2026-03-28T01:30:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"],
            rule: "wildcard schedule does not fire in the gap"
        ),
        Case(
            expression: "15 * * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T23:30:00Z",
            expected: ["2026-03-29T00:15:00Z", "2026-03-29T01:15:00Z", "2026-03-29T02:15:00Z"],
            rule: "hourly wildcard skips 02:15"
        ),
        Case(
            expression: "@hourly",
            zone: "Europe/Berlin",
            from: "2026-03-28T23:30:00Z",
            expected: ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"],
            rule: "@hourly is wildcard"
        ),
        // Europe/Berlin, fall back: 02:00-02:59 happen twice on 25 October.
        Case(
            expression: "30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-24T00:00:00Z",
            expected: ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
            rule: "fixed time in the overlap fires at the first pass only"
        ),
        Case(
            expression: "30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-25T00:30:00Z",
            expected: ["2026-10-26T01:30:00Z"],
            rule: "asking from the first pass skips the second"
        ),
        Case(
            expression: "30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-25T01:10:00Z",
            expected: ["2026-10-26T01:30:00Z"],
            rule: "asking from inside the second pass does not fire it"
        ),
        Case(
            expression: "*/20 30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-24T12:00:00Z",
            expected: ["2026-10-25T00:30:00Z", "2026-10-25T00:30:20Z", "2026-10-25T00:30:40Z", "2026-10-26T01:30:00Z"],
            rule: "fixed time with seconds: first pass only"
        ),
        Case(
            expression: "*/30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-24T12:00:00Z",
            expected: ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:00:00Z"],
            rule: "wildcard schedule fires four times in the overlap"
        ),
        Case(
            expression: "*/30 2 * * *",
            zone: "Europe/Berlin",
            from: "2026-10-25T00:50:00Z",
            expected: ["2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"],
            rule: "wildcard second pass found from the end of the first"
        ),
        Case(
            expression: "@hourly",
            zone: "Europe/Berlin",
            from: "2026-10-24T23:30:00Z",
            expected: ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"],
            rule: "@hourly fires at 02:00 twice"
        ),
        Case(
            expression: "0 9 * * *",
            zone: "Europe/Berlin",
            from: "2026-03-28T12:00:00Z",
            expected: ["2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"],
            rule: "times away from the change follow the new offset"
        ),
        // America/New_York.
        Case(
            expression: "30 2 * * *",
            zone: "America/New_York",
            from: "2026-03-07T00:00:00Z",
            expected: ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"],
            rule: "fixed time in the gap fires at the jump"
        ),
        Case(
            expression: "*/30 2 * * *",
            zone: "America/New_York",
            from: "2026-03-07T12:00:00Z",
            expected: ["2026-03-09T06:00:00Z", "2026-03-09T06:30:00Z"],
            rule: "wildcard schedule does not fire in the gap"
        ),
        Case(
            expression: "30 1 * * *",
            zone: "America/New_York",
            from: "2026-10-31T00:00:00Z",
            expected: ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
            rule: "fixed time in the overlap fires at the first pass only"
        ),
        Case(
            expression: "*/30 1 * * *",
            zone: "America/New_York",
            from: "2026-10-31T12:00:00Z",
            expected: ["2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:00:00Z"],
            rule: "wildcard schedule fires in both passes"
        ),
        Case(
            expression: "0 0 * * *",
            zone: "America/New_York",
            from: "2026-03-07T12:00:00Z",
            expected: ["2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"],
            rule: "midnight moves with the offset"
        ),
        // Australia/Lord_Howe: 30-minute shifts.
        Case(
            expression: "15 2 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-10-02T00:00:00Z",
            expected: ["2026-10-02T15:45:00Z", "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"],
            rule: "fixed time in the 30-minute gap fires at the jump"
        ),
        Case(
            expression: "0,15,20 2 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-10-03T12:00:00Z",
            expected: ["2026-10-03T15:30:00Z", "2026-10-04T15:00:00Z"],
            rule: "three skipped times collapse into one run at the jump"
        ),
        Case(
            expression: "*/15 2 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-10-03T12:00:00Z",
            expected: ["2026-10-03T15:30:00Z", "2026-10-03T15:45:00Z", "2026-10-04T15:00:00Z"],
            rule: "wildcard skips 02:00 and 02:15 only"
        ),
        Case(
            expression: "45 1 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-04-04T00:00:00Z",
            expected: ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"],
            rule: "fixed time in the 30-minute overlap fires at the first pass only"
        ),
        Case(
            expression: "*/15 1 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-04-04T12:00:00Z",
            expected: [
                "2026-04-04T14:00:00Z", "2026-04-04T14:15:00Z", "2026-04-04T14:30:00Z", "2026-04-04T14:45:00Z", "2026-04-04T15:00:00Z",
                "2026-04-04T15:15:00Z", "2026-04-05T14:30:00Z",
            ],
            rule: "wildcard repeats 01:30 and 01:45"
        ),
        Case(
            expression: "15 1 * * *",
            zone: "Australia/Lord_Howe",
            from: "2026-04-04T00:00:00Z",
            expected: ["2026-04-04T14:15:00Z", "2026-04-05T14:45:00Z"],
            rule: "a time before the overlap is not repeated"
        ),
    ]

    @Test("next occurrences around DST changes", arguments: table)
    func next(_ case: Case) throws {
        let found = try nextOccurrences(`case`.expression, zone: `case`.zone, from: `case`.from, count: `case`.expected.count)
        #expect(found == `case`.expected)
    }

    @Test("previous(before:) walks the same occurrences back", arguments: table)
    func previous(_ case: Case) throws {
        let schedule = try CronSchedule(parsing: `case`.expression, timeZoneIdentifier: `case`.zone)
        let expected = `case`.expected.map { instant($0) }
        let back = schedule.occurrences(before: expected[expected.count - 1]).prefix(expected.count - 1).map { $0 }
        #expect(back.map(rfc3339) == expected.dropLast().reversed().map(rfc3339))
    }

    @Test("CRON.md's worked example")
    func specExample() throws {
        #expect(
            try nextOccurrences("30 2 * * *", zone: "Europe/Berlin", from: "2026-03-29T00:00:00Z", count: 1)
                == ["2026-03-29T01:00:00Z"]
        )
        #expect(
            try nextOccurrences("30 2 * * *", zone: "Europe/Berlin", from: "2026-10-25T00:00:00Z", count: 2)
                == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
        )
        let october = try nextOccurrences("*/30 2 * * *", zone: "Europe/Berlin", from: "2026-10-24T22:00:00Z", count: 5)
        #expect(october.filter { $0.hasPrefix("2026-10-25") }.count == 4)
        let march = try nextOccurrences("*/30 2 * * *", zone: "Europe/Berlin", from: "2026-03-28T22:00:00Z", count: 1)
        #expect(march == ["2026-03-30T00:00:00Z"])
    }

    @Test("previous(before:) from inside a gap or an overlap")
    func previousAtTransitions() throws {
        // Just after the jump: the collapsed run is the jump itself.
        #expect(
            try previousOccurrences("30 2 * * *", zone: "Europe/Berlin", before: "2026-03-29T01:00:01Z", count: 1)
                == ["2026-03-29T01:00:00Z"]
        )
        #expect(
            try previousOccurrences("30 2 * * *", zone: "Europe/Berlin", before: "2026-03-29T01:00:00Z", count: 1)
                == ["2026-03-28T01:30:00Z"]
        )
        // From inside the second pass, a fixed time goes back to its first pass.
        #expect(
            try previousOccurrences("30 2 * * *", zone: "Europe/Berlin", before: "2026-10-25T01:45:00Z", count: 1)
                == ["2026-10-25T00:30:00Z"]
        )
        // A wildcard from the start of the second pass finds the end of the first.
        #expect(
            try previousOccurrences("30 * * * *", zone: "Europe/Berlin", before: "2026-10-25T01:00:30Z", count: 2)
                == ["2026-10-25T00:30:00Z", "2026-10-24T23:30:00Z"]
        )
        #expect(
            try previousOccurrences("*/30 2 * * *", zone: "Europe/Berlin", before: "2026-03-30T00:00:00Z", count: 2)
                == ["2026-03-28T01:30:00Z", "2026-03-28T01:00:00Z"]
        )
    }

    @Test("fixed-offset zones have no gaps or overlaps")
    func fixedOffsets() throws {
        let kolkata = try #require(TimeZone(secondsFromGMT: 19_800))
        let schedule = try CronSchedule(parsing: "30 2 * * *", timeZone: kolkata)
        #expect(schedule.occurrences(after: instant("2026-03-28T00:00:00Z")).prefix(2).map(rfc3339)
            == ["2026-03-28T21:00:00Z", "2026-03-29T21:00:00Z"])
        #expect(schedule.previous(before: instant("2026-03-28T21:00:00Z")) == instant("2026-03-27T21:00:00Z"))
    }

    @Test("years after the zone table's explicit range keep their DST rules")
    func farFuture() throws {
        // 2626-03-29 is the last Sunday of March (400 years after 2226, itself after 2026 + 200).
        let schedule = try CronSchedule(parsing: "30 2 * * *", timeZoneIdentifier: "Europe/Berlin")
        for year in [2226, 2626, 3026] {
            let days = CivilDate.days(year: Int64(year), month: 3, day: 31)
            let lastSunday = days - CivilDate.weekday(days: days)
            let (_, _, day) = CivilDate.date(days: lastSunday)
            let jump = instant(String(format: "%04d-03-%02dT01:00:00Z", year, Int(day)))
            #expect(schedule.next(after: jump.addingTimeInterval(-3600)) == jump, "\(year)")
            #expect(schedule.previous(before: jump.addingTimeInterval(1)) == jump, "\(year)")
        }
    }
}
