import Foundation
import Testing

@testable import Cron

/// Occurrences in UTC: the grammar's meaning, leap years, month ends and the day-field rule.
@Suite("Occurrences")
struct CronScheduleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let expression: String
        let from: String
        let expected: [String]
        var testDescription: String { "\(expression) after \(from)" }
    }

    static let table: [Case] = [
        Case(
            expression: "0 9 * * *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-03T09:00:00Z"]
        ),
        Case(
            expression: "0 9 * * *",
            from: "2026-01-01T09:00:00Z",
            expected: ["2026-01-02T09:00:00Z"]
        ),
        Case(
            expression: "0 9 * * *",
            from: "2026-01-01T08:59:59.5Z",
            expected: ["2026-01-01T09:00:00Z"]
        ),
        Case(
            expression: "*/15 * * * *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"]
        ),
        Case(
            expression: "30 */6 * * *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-01T00:30:00Z", "2026-01-01T06:30:00Z", "2026-01-01T12:30:00Z"]
        ),
        Case(
            expression: "*/20 * * * * *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"]
        ),
        Case(
            expression: "59 59 23 31 12 *",
            from: "2026-06-01T00:00:00Z",
            expected: ["2026-12-31T23:59:59Z", "2027-12-31T23:59:59Z"]
        ),
        Case(
            expression: "0 0 1 jan-dec/3 *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"]
        ),
        Case(
            expression: "0 12 * * mon-fri",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "2026-01-05T12:00:00Z"]
        ),
        Case(
            expression: "0 0 * * 7",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]
        ),
        Case(expression: "@yearly", from: "2026-01-01T00:00:00Z", expected: ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
        Case(expression: "@monthly", from: "2026-01-15T00:00:00Z", expected: ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
        Case(expression: "@weekly", from: "2026-01-01T00:00:00Z", expected: ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
        Case(expression: "@daily", from: "2026-01-01T00:00:00Z", expected: ["2026-01-02T00:00:00Z"]),
        Case(expression: "@hourly", from: "2026-01-01T00:30:00Z", expected: ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
        // Leap years: 2100 is not one, 2000 was.
        Case(
            expression: "0 0 29 2 *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
        ),
        Case(expression: "0 0 29 2 *", from: "2096-03-01T00:00:00Z", expected: ["2104-02-29T00:00:00Z"]),
        Case(expression: "0 0 29 2 *", from: "1999-01-01T00:00:00Z", expected: ["2000-02-29T00:00:00Z", "2004-02-29T00:00:00Z"]),
        Case(
            expression: "0 0 28-31 2 *",
            from: "2027-02-01T00:00:00Z",
            expected: ["2027-02-28T00:00:00Z", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z"]
        ),
        // Month ends: day 31 skips short months, day 30 skips February.
        Case(
            expression: "0 0 31 * *",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"]
        ),
        Case(expression: "0 0 30 * *", from: "2026-01-30T12:00:00Z", expected: ["2026-03-30T00:00:00Z"]),
        Case(expression: "0 0 31 4-12 *", from: "2026-01-01T00:00:00Z", expected: ["2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"]),
        // Day-of-month and day-of-week (CRON.md examples, January 2026: Fridays 2, 9, 16, 23, 30).
        Case(
            expression: "0 0 1,15 * 5",
            from: "2026-01-01T00:00:00Z",
            expected: [
                "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z", "2026-01-23T00:00:00Z",
                "2026-01-30T00:00:00Z", "2026-02-01T00:00:00Z",
            ]
        ),
        Case(
            expression: "0 0 */2 * 1",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-23T00:00:00Z"]
        ),
        Case(
            expression: "0 0 1-7 * */7",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-01-04T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-05T00:00:00Z"]
        ),
        Case(
            expression: "0 0 * 2 */7",
            from: "2026-01-01T00:00:00Z",
            expected: ["2026-02-01T00:00:00Z", "2026-02-08T00:00:00Z"]
        ),
        // 29 February on a Sunday (both fields must match): 2032, then 2060.
        Case(expression: "0 0 29 2 */7", from: "2017-01-01T00:00:00Z", expected: ["2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z"]),
        // Far from the start: no stepping, the answer comes directly.
        Case(expression: "0 0 1 1 *", from: "9000-06-01T00:00:00Z", expected: ["9001-01-01T00:00:00Z"]),
        Case(expression: "0 0 1 1 *", from: "1900-06-01T00:00:00Z", expected: ["1901-01-01T00:00:00Z"]),
    ]

    @Test("next occurrences", arguments: table)
    func next(_ case: Case) throws {
        #expect(try nextOccurrences(`case`.expression, from: `case`.from, count: `case`.expected.count) == `case`.expected)
    }

    @Test("previous occurrences mirror next", arguments: table)
    func previous(_ case: Case) throws {
        let schedule = try CronSchedule(parsing: `case`.expression)
        let found = `case`.expected.map { instant($0) }
        // Walking back from the last expected occurrence finds the earlier ones, then something
        // at or before the start.
        let back = schedule.occurrences(before: found[found.count - 1]).prefix(found.count).map { $0 }
        #expect(Array(back.prefix(found.count - 1)) == Array(found.dropLast().reversed()))
        if let beyond = back.last, back.count == found.count {
            #expect(beyond <= instant(`case`.from))
        }
    }

    @Test("the search gives up after year 9999 rather than looping")
    func endOfTime() throws {
        let schedule = try CronSchedule(parsing: "0 0 1 1 *")
        #expect(schedule.next(after: instant("9999-06-01T00:00:00Z")) == nil)
        #expect(schedule.next(after: .distantFuture) != nil)  // 4001
        #expect(schedule.next(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(schedule.previous(before: Date(timeIntervalSince1970: -.infinity)) == nil)
        // Proleptic Gregorian 0001-01-01T00:00:00Z (Foundation's formatter would read it as Julian).
        let yearOne = Date(timeIntervalSince1970: -62_135_596_800)
        #expect(schedule.previous(before: yearOne) == nil)
        #expect(schedule.previous(before: yearOne.addingTimeInterval(86_400 * 100)) == yearOne)
    }

    @Test("occurrences are lazy and strictly increasing")
    func lazySequence() throws {
        let schedule = try CronSchedule(parsing: "*/7 * * * * *")
        var previous = instant("2026-05-01T00:00:00Z")
        var count = 0
        for date in schedule.occurrences(after: previous) {
            #expect(date > previous)
            previous = date
            count += 1
            if count == 1_000 { break }
        }
        #expect(count == 1_000)
        #expect(schedule.isOccurrence(instant("2026-05-01T00:00:07Z")))
        #expect(!schedule.isOccurrence(instant("2026-05-01T00:00:08Z")))
    }

    @Test("@every runs at anchor + k·interval in real time, whatever the zone")
    func every() throws {
        let anchor = instant("2026-03-29T00:20:00Z")
        let schedule = try CronSchedule(parsing: "@every 1h30m", timeZoneIdentifier: "Europe/Berlin", anchor: anchor)
        #expect(
            schedule.occurrences(after: anchor).prefix(3).map(rfc3339)
                == ["2026-03-29T01:50:00Z", "2026-03-29T03:20:00Z", "2026-03-29T04:50:00Z"]
        )
        #expect(schedule.next(after: instant("2026-03-29T01:50:00Z")) == instant("2026-03-29T03:20:00Z"))
        #expect(schedule.next(after: instant("2026-03-29T01:49:59Z")) == instant("2026-03-29T01:50:00Z"))
        // Before the anchor the first run is still anchor + interval.
        #expect(schedule.next(after: instant("2020-01-01T00:00:00Z")) == instant("2026-03-29T01:50:00Z"))
        #expect(schedule.previous(before: instant("2026-03-29T03:20:00Z")) == instant("2026-03-29T01:50:00Z"))
        #expect(schedule.previous(before: instant("2026-03-29T01:50:00Z")) == nil)
        // Far ahead: one division, not a walk.
        let hourly = try CronSchedule(parsing: "@every 1h", anchor: anchor)
        #expect(hourly.next(after: anchor.addingTimeInterval(87_600 * 3600 + 1)) == anchor.addingTimeInterval(87_601 * 3600))
        let fractional = try CronSchedule(parsing: "@every 30s", anchor: Date(timeIntervalSince1970: 100.25))
        #expect(fractional.next(after: Date(timeIntervalSince1970: 130.25)) == Date(timeIntervalSince1970: 160.25))
        #expect(fractional.previous(before: Date(timeIntervalSince1970: 160.25)) == Date(timeIntervalSince1970: 130.25))
    }

    @Test("@every needs an anchor")
    func everyNeedsAnchor() {
        #expect {
            _ = try CronSchedule(parsing: "@every 5m")
        } throws: { error in
            (error as? CronError)?.code == .missingAnchor
        }
    }
}
