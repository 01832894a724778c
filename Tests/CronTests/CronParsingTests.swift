import Foundation
import Testing

@testable import Cron

/// The grammar of CRON.md: what is accepted and exactly what each field allows.
@Suite("Parsing")
struct CronParsingTests {
    /// Each accepted expression with the allowed values it must produce, field by field.
    struct Accepted: CustomTestStringConvertible, Sendable {
        let text: String
        let seconds: [Int]?
        let minutes: [Int]?
        let hours: [Int]?
        let daysOfMonth: [Int]?
        let months: [Int]?
        let daysOfWeek: [Int]?
        var testDescription: String { text }

        init(
            _ text: String,
            s: [Int]? = nil,
            m: [Int]? = nil,
            h: [Int]? = nil,
            dom: [Int]? = nil,
            mon: [Int]? = nil,
            dow: [Int]? = nil
        ) {
            (self.text, seconds, minutes, hours, daysOfMonth, months, daysOfWeek) = (text, s, m, h, dom, mon, dow)
        }
    }

    static func bits(_ mask: UInt64) -> [Int] { (0..<64).filter { mask & (1 << UInt64($0)) != 0 } }

    static let accepted: [Accepted] = [
        Accepted("0 9 * * *", s: [0], m: [0], h: [9], dom: Array(1...31), mon: Array(1...12), dow: Array(0...6)),
        Accepted("*/15 * * * *", m: [0, 15, 30, 45]),
        Accepted("5-20/5 * * * *", m: [5, 10, 15, 20]),
        Accepted("1,2,3-5,59 * * * *", m: [1, 2, 3, 4, 5, 59]),
        Accepted("0 0-23/6 * * *", h: [0, 6, 12, 18]),
        Accepted("0 0 */10 * *", dom: [1, 11, 21, 31]),
        Accepted("0 0 1 jan-dec/3 *", mon: [1, 4, 7, 10]),
        Accepted("0 0 1 JAN,Mar,dec *", mon: [1, 3, 12]),
        Accepted("0 0 * * mon-FRI", dow: [1, 2, 3, 4, 5]),
        Accepted("0 0 * * 7", dow: [0]),
        Accepted("0 0 * * 5-7", dow: [0, 5, 6]),
        Accepted("0 0 * * */7", dow: [0]),
        Accepted("0 0 * * sun-sat/2", dow: [0, 2, 4, 6]),
        Accepted("*/20 * * * * *", s: [0, 20, 40], m: Array(0...59)),
        Accepted("59 59 23 31 12 6", s: [59], m: [59], h: [23], dom: [31], mon: [12], dow: [6]),
        Accepted("  0\t9  * *   *  ", m: [0], h: [9]),
        Accepted("00 09 * * *", m: [0], h: [9]),
        Accepted("@yearly", m: [0], h: [0], dom: [1], mon: [1]),
        Accepted("@annually", m: [0], h: [0], dom: [1], mon: [1]),
        Accepted("@monthly", m: [0], h: [0], dom: [1], mon: Array(1...12)),
        Accepted("@weekly", m: [0], h: [0], dom: Array(1...31), dow: [0]),
        Accepted("@daily", m: [0], h: [0]),
        Accepted("@midnight", m: [0], h: [0]),
        Accepted("@HOURLY", m: [0], h: Array(0...23)),
    ]

    @Test("accepted expressions", arguments: accepted)
    func acceptsGrammar(_ case: Accepted) throws {
        let expression = try CronExpression(parsing: `case`.text)
        guard case .calendar(let pattern) = expression.kind else {
            Issue.record("\(`case`.text) parsed as an interval")
            return
        }
        if let expected = `case`.seconds { #expect(Self.bits(pattern.seconds) == expected) }
        if let expected = `case`.minutes { #expect(Self.bits(pattern.minutes) == expected) }
        if let expected = `case`.hours { #expect(Self.bits(pattern.hours) == expected) }
        if let expected = `case`.daysOfMonth { #expect(Self.bits(pattern.daysOfMonth) == expected) }
        if let expected = `case`.months { #expect(Self.bits(pattern.months) == expected) }
        if let expected = `case`.daysOfWeek { #expect(Self.bits(pattern.daysOfWeek) == expected) }
    }

    /// A rejected expression with the code, field and value the error must carry, and a piece of
    /// the allowed range its message must show.
    struct Rejected: CustomTestStringConvertible, Sendable {
        let text: String
        let code: CronError.Code
        let field: String
        let value: String
        let allowed: String
        var testDescription: String { text }
    }

    static let rejected: [Rejected] = [
        Rejected(text: "* * * *", code: .wrongFieldCount, field: "expression", value: "* * * *", allowed: "5 fields"),
        Rejected(text: "* * * * * * *", code: .wrongFieldCount, field: "expression", value: "* * * * * * *", allowed: "6"),
        Rejected(text: "", code: .wrongFieldCount, field: "expression", value: "", allowed: "5 fields"),
        Rejected(text: "75 * * * *", code: .valueOutOfRange, field: "minute", value: "75", allowed: "0-59"),
        Rejected(text: "60 * * * * *", code: .valueOutOfRange, field: "second", value: "60", allowed: "0-59"),
        Rejected(text: "0 24 * * *", code: .valueOutOfRange, field: "hour", value: "24", allowed: "0-23"),
        Rejected(text: "0 0 0 * *", code: .valueOutOfRange, field: "day-of-month", value: "0", allowed: "1-31"),
        Rejected(text: "0 0 32 * *", code: .valueOutOfRange, field: "day-of-month", value: "32", allowed: "1-31"),
        Rejected(text: "0 0 * 13 *", code: .valueOutOfRange, field: "month", value: "13", allowed: "1-12"),
        Rejected(text: "0 0 * 0 *", code: .valueOutOfRange, field: "month", value: "0", allowed: "1-12"),
        Rejected(text: "0 0 * * 8", code: .valueOutOfRange, field: "day-of-week", value: "8", allowed: "0-7"),
        Rejected(text: "1-70 * * * *", code: .valueOutOfRange, field: "minute", value: "70", allowed: "0-59"),
        Rejected(text: "99999999999999999999 * * * *", code: .valueOutOfRange, field: "minute", value: "99999999999999999999", allowed: "0-59"),
        Rejected(text: "*/0 * * * *", code: .invalidStep, field: "minute", value: "*/0", allowed: "1-59"),
        Rejected(text: "*/ * * * *", code: .invalidStep, field: "minute", value: "*/", allowed: "1-59"),
        Rejected(text: "*/x * * * *", code: .invalidStep, field: "minute", value: "*/x", allowed: "1-59"),
        Rejected(text: "0 */24 * * *", code: .invalidStep, field: "hour", value: "*/24", allowed: "1-23"),
        Rejected(text: "5/10 * * * *", code: .invalidStep, field: "minute", value: "5/10", allowed: "a step only after"),
        Rejected(text: "*/2/3 * * * *", code: .invalidStep, field: "minute", value: "*/2/3", allowed: "one step"),
        Rejected(text: "5-1 * * * *", code: .reversedRange, field: "minute", value: "5-1", allowed: "0-59"),
        Rejected(text: "0 0 * * fri-mon", code: .reversedRange, field: "day-of-week", value: "fri-mon", allowed: "SUN-SAT"),
        Rejected(text: "1,,2 * * * *", code: .emptyElement, field: "minute", value: "1,,2", allowed: "0-59"),
        Rejected(text: "1, * * * *", code: .emptyElement, field: "minute", value: "1,", allowed: "0-59"),
        Rejected(text: "0 0 * foo *", code: .unknownName, field: "month", value: "foo", allowed: "JAN-DEC"),
        Rejected(text: "0 0 * mon *", code: .unknownName, field: "month", value: "mon", allowed: "JAN-DEC"),
        Rejected(text: "0 0 * * january", code: .unknownName, field: "day-of-week", value: "january", allowed: "SUN-SAT"),
        Rejected(text: "0 mon * * *", code: .unknownName, field: "hour", value: "mon", allowed: "0-23"),
        Rejected(text: "1.5 * * * *", code: .invalidValue, field: "minute", value: "1.5", allowed: "0-59"),
        Rejected(text: "-5 * * * *", code: .invalidValue, field: "minute", value: "-5", allowed: "0-59"),
        Rejected(text: "0 0 L * *", code: .unsupportedExtension, field: "day-of-month", value: "L", allowed: "1-31"),
        Rejected(text: "0 0 15W * *", code: .unsupportedExtension, field: "day-of-month", value: "15W", allowed: "1-31"),
        Rejected(text: "0 0 LW * *", code: .unsupportedExtension, field: "day-of-month", value: "LW", allowed: "1-31"),
        Rejected(text: "0 0 * * 5L", code: .unsupportedExtension, field: "day-of-week", value: "5L", allowed: "0-7"),
        Rejected(text: "0 0 * * 5#2", code: .unsupportedExtension, field: "day-of-week", value: "5#2", allowed: "0-7"),
        Rejected(text: "0 0 ? * 1", code: .unsupportedExtension, field: "day-of-month", value: "?", allowed: "1-31"),
        Rejected(text: "H * * * *", code: .unsupportedExtension, field: "minute", value: "H", allowed: "0-59"),
        Rejected(text: "H(0-29) * * * *", code: .unsupportedExtension, field: "minute", value: "H(0-29)", allowed: "0-59"),
        Rejected(text: "0~30 * * * *", code: .unsupportedExtension, field: "minute", value: "0~30", allowed: "0-59"),
        Rejected(text: "@reboot", code: .unknownDescriptor, field: "expression", value: "@reboot", allowed: "@daily"),
        Rejected(text: "@fortnightly", code: .unknownDescriptor, field: "expression", value: "@fortnightly", allowed: "@every"),
        Rejected(text: "@daily 5", code: .wrongFieldCount, field: "expression", value: "@daily 5", allowed: "descriptor alone"),
        Rejected(text: "@every 0s", code: .invalidInterval, field: "@every", value: "0s", allowed: "above zero"),
        Rejected(text: "@every -5m", code: .invalidInterval, field: "@every", value: "-5m", allowed: "units h, m, s"),
        Rejected(text: "@every 5x", code: .invalidInterval, field: "@every", value: "5x", allowed: "units h, m, s"),
        Rejected(text: "@every 5", code: .invalidInterval, field: "@every", value: "5", allowed: "units h, m, s"),
        Rejected(text: "@every", code: .invalidInterval, field: "@every", value: "", allowed: "1h30m"),
        Rejected(text: "@every 30m1h", code: .invalidInterval, field: "@every", value: "30m1h", allowed: "in that order"),
        Rejected(text: "@every 1.5h", code: .invalidInterval, field: "@every", value: "1.5h", allowed: "whole numbers"),
    ]

    @Test(
        "valid expressions that never fire parse, and have no occurrences in either direction (CRON.md)",
        arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30-31 feb *", "0 0 30,31 2 */2", "*/5 * 31 2,4 *", "0 0 0 30 2 *"])
    func neverFiring(_ text: String) throws {
        let expression = try CronExpression(parsing: text)
        #expect(expression.neverFires)
        let from = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        for zone in ["UTC", "Europe/Berlin", "Australia/Lord_Howe"] {
            let schedule = try CronSchedule(parsing: text, timeZoneIdentifier: zone)
            #expect(schedule.next(after: from) == nil)
            #expect(schedule.previous(before: from) == nil)
            #expect(Array(schedule.occurrences(after: from).prefix(3)).isEmpty)
        }
        let fields = try CronExpression(fields: CronFields(minute: "0", hour: "0", dayOfMonth: "31", month: "2"))
        #expect(fields.neverFires)
    }

    @Test("expressions that fire, even rarely, are not reported as never firing")
    func rareButFiring() throws {
        // 29 February (leap years), 31st only in long months, the OR rule with a weekday, intervals.
        for text in ["0 0 29 2 *", "0 0 31 * *", "0 0 30 2 5", "0 0 30 4 *", "@every 5m", "@yearly", "* * * * *"] {
            #expect(!(try CronExpression(parsing: text)).neverFires, "\(text)")
        }
        let leap = try CronSchedule(parsing: "0 0 29 2 *")
        #expect(leap.next(after: Date(timeIntervalSince1970: 1_767_225_600)) == Date(timeIntervalSince1970: 1_835_395_200))  // 2028-02-29
    }

    @Test("rejected expressions name the field, the value and the allowed range", arguments: rejected)
    func rejects(_ case: Rejected) {
        #expect {
            _ = try CronExpression(parsing: `case`.text)
        } throws: { error in
            guard let error = error as? CronError else { return false }
            #expect(error.code == `case`.code)
            #expect(error.field == `case`.field)
            #expect(error.value == `case`.value)
            #expect(error.allowed.contains(`case`.allowed), "allowed: \(error.allowed)")
            let message = error.description
            #expect(message.contains(`case`.field) && message.contains("\"\(`case`.value)\"") && message.contains(error.allowed))
            return error.code == `case`.code && error.field == `case`.field
        }
    }

    @Test("OR rule: a day matches either field when neither starts with *")
    func dayFieldCombination() throws {
        let either = try CronExpression(parsing: "0 0 1,15 * 5")
        let both = try CronExpression(parsing: "0 0 */2 * 1")
        guard case .calendar(let orPattern) = either.kind, case .calendar(let andPattern) = both.kind else {
            Issue.record("not calendar expressions")
            return
        }
        #expect(!orPattern.daysMustMatchBoth)
        #expect(andPattern.daysMustMatchBoth)
        // 2026-01: Fridays 2, 9, 16, 23, 30; Mondays 5, 12, 19, 26.
        #expect(Self.bits(orPattern.matchingDays(year: 2026, month: 1)) == [1, 2, 9, 15, 16, 23, 30])
        #expect(Self.bits(andPattern.matchingDays(year: 2026, month: 1)) == [5, 19])
    }

    @Test("fixed-time versus wildcard classification follows the minute and hour fields")
    func classification() throws {
        let table: [(String, Bool)] = [
            ("30 2 * * *", true), ("0 0-23 * * *", true), ("*/20 30 2 * * *", true), ("@daily", true),
            ("@weekly", true), ("*/15 * * * *", false), ("30 * * * *", false), ("0 */2 * * *", false),
            ("@hourly", false), ("0 30 * * * *", false), ("@every 5m", false),
        ]
        for (text, fixed) in table {
            #expect(try CronExpression(parsing: text).isFixedTime == fixed, "\(text)")
        }
    }

    @Test(
        "@every durations",
        arguments: [
            ("@every 30s", 30), ("@every 5m", 300), ("@every 1h30m", 5400), ("@every 1h30m15s", 5415),
            ("@every 2h", 7200), ("@EVERY 90S", 90), ("@every 0h1s", 1),
        ]
    )
    func everyDurations(_ text: String, _ seconds: Int) throws {
        #expect(try CronExpression(parsing: text).interval == .seconds(seconds))
    }

    @Test("per-field form: missing fields are *, a missing second is 0")
    func perFieldForm() throws {
        let fields = CronFields(minute: "0", hour: "9", dayOfMonth: "*", month: "*", dayOfWeek: "*")
        let expression = try CronExpression(fields: fields)
        #expect(expression.source == "0 0 9 * * *")
        #expect(expression == (try CronExpression(parsing: "0 9 * * *")).withSource("0 0 9 * * *"))
        let sparse = try CronExpression(fields: CronFields(second: "*/30", hour: "9,12,15,18"))
        #expect(sparse.source == "*/30 * 9,12,15,18 * * *")
        #expect(!sparse.isFixedTime)
        let decoded = try JSONDecoder().decode(
            CronFields.self,
            from: Data(#"{"minute":"0","hour":"9","dayOfMonth":"*","month":"*","dayOfWeek":"1-5","timeZone":"Europe/Berlin"}"#.utf8)
        )
        let schedule = try CronSchedule(fields: decoded)
        #expect(schedule.timeZone.identifier == "Europe/Berlin")
        // Friday 2026-01-02 09:00 CET, then Monday 2026-01-05.
        #expect(
            schedule.occurrences(after: instant("2026-01-01T12:00:00Z")).prefix(2).map(rfc3339)
                == ["2026-01-02T08:00:00Z", "2026-01-05T08:00:00Z"]
        )
    }

    @Test("per-field form rejections name the field")
    func perFieldRejections() {
        let table: [(CronFields, CronError.Code, String)] = [
            (CronFields(minute: "75"), .valueOutOfRange, "minute"),
            (CronFields(dayOfWeek: "MON#2"), .unsupportedExtension, "day-of-week"),
            (CronFields(hour: ""), .emptyElement, "hour"),
            (CronFields(month: "1 2"), .invalidValue, "month"),
            (CronFields(minute: "0", timeZone: "Mars/Olympus_Mons"), .unknownTimeZone, "timeZone"),
        ]
        for (fields, code, field) in table {
            #expect {
                _ = try CronSchedule(fields: fields)
            } throws: { error in
                (error as? CronError)?.code == code && (error as? CronError)?.field == field
            }
        }
    }

    @Test("unknown time zones fail loudly")
    func unknownZone() {
        for name in ["Mars/Olympus_Mons", "", "Europe/Berlinn"] {
            #expect {
                _ = try CronSchedule(parsing: "0 9 * * *", timeZoneIdentifier: name)
            } throws: { error in
                guard let error = error as? CronError else { return false }
                return error.code == .unknownTimeZone && error.field == "timeZone" && error.value == name
                    && error.description.contains("IANA")
            }
        }
    }

    @Test("long values are cut in messages")
    func longValuesCut() {
        let long = String(repeating: "9", count: 500)
        #expect {
            _ = try CronExpression(parsing: "\(long) * * * *")
        } throws: { error in
            guard let error = error as? CronError else { return false }
            return error.value.count <= CronError.maximumQuotedLength + 1 && error.description.count < 300
        }
    }
}

extension CronExpression {
    /// The same expression under another display text, to compare parsed contents.
    func withSource(_ source: String) -> CronExpression { CronExpression(kind: kind, source: source) }
}
