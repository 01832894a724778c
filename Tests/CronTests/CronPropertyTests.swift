import Foundation
import SignalboxTestSupport
import Testing

@testable import Cron

/// Seeded property tests: random expressions, zones and instants, checked against a brute-force
/// oracle that knows nothing of the module's search: it reads wall times with Foundation's
/// `Calendar` and tests each candidate instant one by one.
@Suite("Properties")
struct CronPropertyTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata",
        "America/Sao_Paulo", "Pacific/Chatham", "Europe/Moscow", "America/St_Johns",
    ]

    /// A random expression and, independently, the values each field allows.
    struct Generated: CustomStringConvertible {
        var fields: [String] = []
        var allowed: [Set<Int>] = []
        var text: String { fields.joined(separator: " ") }
        var description: String { text }
        var dayOfMonthStarred: Bool { fields[3].hasPrefix("*") }
        var dayOfWeekStarred: Bool { fields[5].hasPrefix("*") }
        var isWildcard: Bool { fields[1].hasPrefix("*") || fields[2].hasPrefix("*") }

        /// The oracle's reading of CRON.md for one wall time.
        func matches(_ c: DateComponents) -> Bool {
            guard let second = c.second, let minute = c.minute, let hour = c.hour, let day = c.day,
                let month = c.month, let weekday = c.weekday
            else { return false }
            let byDate = allowed[3].contains(day)
            let byWeekday = allowed[5].contains(weekday - 1) || (weekday == 1 && allowed[5].contains(7))
            let dayMatches = dayOfMonthStarred || dayOfWeekStarred ? byDate && byWeekday : byDate || byWeekday
            return allowed[0].contains(second) && allowed[1].contains(minute) && allowed[2].contains(hour)
                && allowed[4].contains(month) && dayMatches
        }
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func name(_ value: Int, _ index: Int, _ rng: inout SeededGenerator) -> String {
        guard Int.random(in: 0..<3, using: &rng) == 0 else { return String(value) }
        if index == 4 { return monthNames[value - 1] }
        if index == 5 && value < 7 { return dayNames[value] }
        return String(value)
    }

    /// One field: a list of `*`, `*/n`, `a`, `a-b`, `a-b/n`, biased toward small hours and
    /// open days so that occurrences fall inside short windows around DST changes.
    static func field(_ index: Int, _ rng: inout SeededGenerator, secondsFixed: Bool) -> (String, Set<Int>) {
        let bounds = [0...59, 0...59, 0...23, 1...31, 1...12, 0...7][index]
        if index == 0 && secondsFixed { return ("0", [0]) }
        let starChance = [3, 3, 4, 7, 8, 7][index]  // out of 10
        if Int.random(in: 0..<10, using: &rng) < starChance {
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let step = Int.random(in: 1...min(bounds.upperBound, 15), using: &rng)
                return ("*/\(step)", Set(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step)))
            }
            return ("*", Set(bounds))
        }
        var terms: [String] = []
        var values = Set<Int>()
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let low: Int
            if index == 2 && Bool.random(using: &rng) {
                low = Int.random(in: 0...4, using: &rng)  // the hours DST changes touch
            } else {
                low = Int.random(in: bounds, using: &rng)
            }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                terms.append(name(low, index, &rng))
                values.insert(low)
            case 1:
                let high = Int.random(in: low...bounds.upperBound, using: &rng)
                terms.append("\(name(low, index, &rng))-\(name(high, index, &rng))")
                values.formUnion(low...high)
            default:
                let high = Int.random(in: low...bounds.upperBound, using: &rng)
                let step = Int.random(in: 1...max(1, min(bounds.upperBound, 20)), using: &rng)
                terms.append("\(name(low, index, &rng))-\(name(high, index, &rng))/\(step)")
                values.formUnion(stride(from: low, through: high, by: step))
            }
        }
        return (terms.joined(separator: ","), values)
    }

    static func expression(_ rng: inout SeededGenerator, secondsFixed: Bool) -> Generated {
        var generated = Generated()
        for index in 0..<6 {
            let (text, values) = field(index, &rng, secondsFixed: secondsFixed)
            generated.fields.append(text)
            generated.allowed.append(values)
        }
        return generated
    }

    /// Brute-force reading of CRON.md for one zone.
    struct Oracle {
        let calendar: Calendar
        let utc: Calendar
        let timeZone: TimeZone
        let expression: Generated

        init(_ expression: Generated, zone: TimeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            (self.calendar, self.utc, self.timeZone, self.expression) = (calendar, utc, zone, expression)
        }

        static let units: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .second, .weekday]

        func offset(_ t: Int64) -> Int64 { Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t)))) }

        func wallMatches(_ t: Int64) -> Bool {
            expression.matches(calendar.dateComponents(Self.units, from: Date(timeIntervalSince1970: Double(t))))
        }

        /// A wall time given as seconds on a local clock, read without any zone.
        func wallValueMatches(_ wall: Int64) -> Bool {
            expression.matches(utc.dateComponents(Self.units, from: Date(timeIntervalSince1970: Double(wall))))
        }

        /// True when the wall time of `t` was already lived before (second pass of a fall-back).
        func isSecondPass(_ t: Int64) -> Bool {
            let now = offset(t)
            let before = offset(t - 86_400)
            guard before > now else { return false }
            return offset(t + now - before) == before
        }

        /// True when the clocks jumped forward at `t` and a skipped wall time matches.
        func swallowsMatch(at t: Int64, step: Int64) -> Bool {
            let before = offset(t - 1)
            let after = offset(t)
            guard after > before else { return false }
            var wall = t + before
            while wall < t + after {
                if wallValueMatches(wall) { return true }
                wall += step
            }
            return false
        }

        /// Whether the schedule fires at `t`. `step` is the resolution of the expression (60 when
        /// its seconds field is 0).
        func fires(at t: Int64, step: Int64) -> Bool {
            if expression.isWildcard { return wallMatches(t) }
            return (wallMatches(t) && !isSecondPass(t)) || swallowsMatch(at: t, step: step)
        }
    }

    /// Where two occurrence lists first part, in a short form that keeps failure output readable.
    static func firstDifference(_ found: [Int64], _ expected: [Int64]) -> String? {
        for index in 0..<max(found.count, expected.count) {
            let left = index < found.count ? rfc3339(Date(timeIntervalSince1970: Double(found[index]))) : "nothing"
            let right = index < expected.count ? rfc3339(Date(timeIntervalSince1970: Double(expected[index]))) : "nothing"
            if left != right { return "occurrence \(index): found \(left), brute force says \(right)" }
        }
        return nil
    }

    /// A random instant near a UTC offset change of `zone` (or anywhere, for zones without one).
    static func instantNearTransition(_ zone: TimeZone, _ rng: inout SeededGenerator) -> Int64 {
        let base = Date(timeIntervalSince1970: Double(Int64.random(in: 631_152_000...2_524_608_000, using: &rng)))
        let transition = zone.nextDaylightSavingTimeTransition(after: base) ?? base
        return Int64(transition.timeIntervalSince1970) + Int64.random(in: -30 * 3600...30 * 3600, using: &rng)
    }

    @Test("next and previous equal a brute-force scan around DST changes (minute resolution)")
    func bruteForceMinutes() throws {
        var rng = SeededGenerator(seed: 0xC0FF_EE42)
        var compared = 0
        var occurrencesSeen = 0
        for _ in 0..<160 {
            let generated = Self.expression(&rng, secondsFixed: true)
            let zoneName = Self.zones[Int.random(in: 0..<Self.zones.count, using: &rng)]
            guard let schedule = try? CronSchedule(parsing: generated.text, timeZoneIdentifier: zoneName) else {
                continue  // parsing is tested elsewhere
            }
            let oracle = Oracle(generated, zone: schedule.timeZone)
            let start = Self.instantNearTransition(schedule.timeZone, &rng) / 60 * 60
            let end = start + 2 * 86_400
            var expected: [Int64] = []
            var t = start + 60
            while t <= end {
                if oracle.fires(at: t, step: 60) { expected.append(t) }
                t += 60
            }
            let found = schedule.occurrences(after: Date(timeIntervalSince1970: Double(start)))
                .prefix { $0.timeIntervalSince1970 <= Double(end) }
                .map { Int64($0.timeIntervalSince1970) }
            #expect(Self.firstDifference(found, expected) == nil, "\(generated) in \(zoneName) after \(start)")
            let back = schedule.occurrences(before: Date(timeIntervalSince1970: Double(end) + 0.5))
                .prefix { $0.timeIntervalSince1970 > Double(start) }
                .map { Int64($0.timeIntervalSince1970) }
            #expect(Self.firstDifference(back, expected.reversed()) == nil, "previous: \(generated) in \(zoneName) before \(end)")
            compared += 1
            occurrencesSeen += expected.count
        }
        #expect(compared > 100)
        #expect(occurrencesSeen > 1_000)
    }

    @Test("next and previous equal a brute-force scan around DST changes (second resolution)")
    func bruteForceSeconds() throws {
        var rng = SeededGenerator(seed: 0x5EC0_4D5)
        var compared = 0
        for _ in 0..<40 {
            var generated = Self.expression(&rng, secondsFixed: false)
            // Keep the per-second scan short: an hour field that includes the change's hours.
            generated.fields[2] = "0-4"
            generated.allowed[2] = Set(0...4)
            let zoneName = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"][compared % 3]
            guard let schedule = try? CronSchedule(parsing: generated.text, timeZoneIdentifier: zoneName) else {
                continue
            }
            let oracle = Oracle(generated, zone: schedule.timeZone)
            let start = Self.instantNearTransition(schedule.timeZone, &rng) / 3600 * 3600 - 7200
            let end = start + 5 * 3600
            var expected: [Int64] = []
            for t in (start + 1)...end where oracle.fires(at: t, step: 1) { expected.append(t) }
            let found = schedule.occurrences(after: Date(timeIntervalSince1970: Double(start)))
                .prefix { $0.timeIntervalSince1970 <= Double(end) }
                .map { Int64($0.timeIntervalSince1970) }
            #expect(Self.firstDifference(found, expected) == nil, "\(generated) in \(zoneName) after \(start)")
            compared += 1
        }
        #expect(compared > 25)
    }

    @Test("random instants 1900-2400: increasing, matching, and previous consistent with next")
    func randomInstants() throws {
        var rng = SeededGenerator(seed: 2026)
        var checked = 0
        for _ in 0..<400 {
            let generated = Self.expression(&rng, secondsFixed: Bool.random(using: &rng))
            let zoneName = Self.zones[Int.random(in: 0..<Self.zones.count, using: &rng)]
            guard let schedule = try? CronSchedule(parsing: generated.text, timeZoneIdentifier: zoneName) else {
                continue
            }
            let oracle = Oracle(generated, zone: schedule.timeZone)
            // Fractional, so the start itself is never an occurrence.
            let start = Double(Int64.random(in: -2_208_988_800...13_569_465_600, using: &rng)) + 0.5
            let step: Int64 = generated.fields[0] == "0" ? 60 : 1
            var last = start
            for date in schedule.occurrences(after: Date(timeIntervalSince1970: start)).prefix(6) {
                let t = date.timeIntervalSince1970
                #expect(t > last, "\(generated) in \(zoneName): not increasing")
                #expect(t == t.rounded(), "whole seconds")
                #expect(oracle.fires(at: Int64(t), step: step), "\(generated) in \(zoneName): \(rfc3339(date))")
                last = t
            }
            let next = schedule.next(after: Date(timeIntervalSince1970: start))
            let previous = schedule.previous(before: Date(timeIntervalSince1970: start))
            if let next {
                #expect(schedule.previous(before: next) == previous, "\(generated) in \(zoneName) at \(start)")
            }
            if let previous {
                #expect(previous.timeIntervalSince1970 < start)
                #expect(oracle.fires(at: Int64(previous.timeIntervalSince1970), step: step))
                #expect(schedule.next(after: previous) == next, "\(generated) in \(zoneName) at \(start)")
            }
            checked += 1
        }
        #expect(checked > 300)
    }
}
