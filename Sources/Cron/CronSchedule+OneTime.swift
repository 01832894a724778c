import Foundation

extension CronSchedule {
    /// What ``init(at:timeZoneIdentifier:)`` accepts, for error messages.
    static let oneTimeForms =
        "an RFC 3339 date-time with an offset (2026-12-24T09:00:00Z, 2026-12-24T09:00:00+01:00) or a local one read in timeZone (2026-12-24T09:00:00, seconds optional), whole seconds, years 1970-9999"

    /// A schedule with one occurrence. `text` is an RFC 3339 date-time with an offset
    /// (`2026-12-24T09:00:00Z`, `…+01:00`: that instant, whatever the zone), or a local date-time
    /// (`2026-12-24T09:00:00`, `2026-12-24T09:00`) read in the zone named `timeZoneIdentifier`,
    /// by the rule fixed-time cron schedules follow: a wall time that a DST change repeats is its
    /// first pass, one that it skips is the instant of the jump.
    public init(at text: String, timeZoneIdentifier: String) throws(CronError) {
        let zone = try Self.loadTimeZone(timeZoneIdentifier)
        let trimmed = text.trimmingWhitespace()
        guard let parsed = Self.parseDateTime(trimmed) else {
            throw CronError(.invalidValue, field: "at", value: text, allowed: Self.oneTimeForms)
        }
        let instant: Int64
        if let offset = parsed.offsetSeconds {
            instant = parsed.wallSeconds - offset
        } else {
            switch ZoneTransitions.shared(for: zone).locateEarliest(wall: parsed.wallSeconds) {
            case .instant(let found)?: instant = found
            case .gap(let transition)?: instant = transition
            case nil: throw CronError(.valueOutOfRange, field: "at", value: text, allowed: Self.oneTimeForms)
            }
        }
        guard instant >= 0, instant <= Self.latestInstant else {
            throw CronError(.valueOutOfRange, field: "at", value: text, allowed: Self.oneTimeForms)
        }
        try self.init(CronExpression(kind: .once(seconds: instant), source: trimmed), timeZone: zone)
    }

    /// `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` (`T`, `t` or a space between date and time): its wall
    /// time as seconds since 1970-01-01T00:00 and its offset, if given.
    static func parseDateTime(_ text: String) -> (wallSeconds: Int64, offsetSeconds: Int64?)? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ allowed: String) -> Bool {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2)
        else { return nil }
        var second: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let parsed = number(2) else { return nil }
            second = parsed
        }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var offset: Int64?
        if index < bytes.count {
            if expect("Zz") {
                offset = 0
            } else {
                let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                guard expect("+-"), let hours = number(2), expect(":"), let minutes = number(2), hours <= 23, minutes <= 59 else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
            }
        }
        guard index == bytes.count else { return nil }
        let wall = CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return (wall, offset)
    }
}
