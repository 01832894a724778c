/// Field-by-field search for matching wall times.
///
/// Both directions work on a local wall clock counted in seconds since 1970-01-01T00:00. Each
/// step moves one field to its next (or previous) allowed value with a single bit scan and resets
/// the finer fields; when a field runs out, the coarser one advances. The work per call is bounded
/// by the calendar structure (a few steps per skipped year at worst, e.g. for 29 February), not by
/// the distance in seconds to the answer.
extension CronPattern {
    /// Searches stop beyond this year, which no schedule in service will reach.
    static let lastYear: Int64 = 9999
    /// Searches stop before this year.
    static let firstYear: Int64 = 1

    /// The lowest set bit at or above `from`, or nil.
    @inline(__always)
    static func nextBit(_ mask: UInt64, from: Int64) -> Int64? {
        guard from < 64 else { return nil }
        let rest = mask & (~0 << UInt64(max(from, 0)))
        return rest == 0 ? nil : Int64(rest.trailingZeroBitCount)
    }

    /// The highest set bit at or below `upTo`, or nil.
    @inline(__always)
    static func previousBit(_ mask: UInt64, upTo: Int64) -> Int64? {
        guard upTo >= 0 else { return nil }
        let rest = upTo >= 63 ? mask : mask & ((1 << UInt64(upTo + 1)) &- 1)
        return rest == 0 ? nil : Int64(63 - rest.leadingZeroBitCount)
    }

    /// The first matching wall time at or after `wall`, or nil past `lastYear`.
    func nextMatch(atOrAfter wall: Int64) -> Int64? {
        let (days, secondOfDay) = CivilDate.split(wall)
        var (year, month, day) = CivilDate.date(days: days)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60
        while year <= Self.lastYear {
            guard let nextMonth = Self.nextBit(months, from: month) else {
                year += 1
                (month, day, hour, minute, second) = (1, 1, 0, 0, 0)
                continue
            }
            if nextMonth != month {
                (month, day, hour, minute, second) = (nextMonth, 1, 0, 0, 0)
            }
            guard let nextDay = Self.nextBit(matchingDays(year: year, month: month), from: day) else {
                month += 1
                (day, hour, minute, second) = (1, 0, 0, 0)
                continue  // month 13 finds no bit and moves to the next year
            }
            if nextDay != day {
                (day, hour, minute, second) = (nextDay, 0, 0, 0)
            }
            guard let nextHour = Self.nextBit(hours, from: hour) else {
                day += 1
                (hour, minute, second) = (0, 0, 0)
                continue
            }
            if nextHour != hour {
                (hour, minute, second) = (nextHour, 0, 0)
            }
            guard let nextMinute = Self.nextBit(minutes, from: minute) else {
                hour += 1
                (minute, second) = (0, 0)
                continue
            }
            if nextMinute != minute {
                (minute, second) = (nextMinute, 0)
            }
            guard let nextSecond = Self.nextBit(seconds, from: second) else {
                minute += 1
                second = 0
                continue
            }
            let dayNumber = CivilDate.days(year: year, month: month, day: day)
            return dayNumber * CivilDate.secondsPerDay + hour * 3600 + minute * 60 + nextSecond
        }
        return nil
    }

    /// The last matching wall time at or before `wall`, or nil before `firstYear`.
    func previousMatch(atOrBefore wall: Int64) -> Int64? {
        let (days, secondOfDay) = CivilDate.split(wall)
        var (year, month, day) = CivilDate.date(days: days)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60
        while year >= Self.firstYear {
            guard let previousMonth = Self.previousBit(months, upTo: month) else {
                year -= 1
                (month, day, hour, minute, second) = (12, 31, 23, 59, 59)
                continue
            }
            if previousMonth != month {
                (month, day, hour, minute, second) = (previousMonth, 31, 23, 59, 59)
            }
            guard let previousDay = Self.previousBit(matchingDays(year: year, month: month), upTo: day)
            else {
                month -= 1
                (day, hour, minute, second) = (31, 23, 59, 59)
                continue  // month 0 finds no bit and moves to the previous year
            }
            if previousDay != day {
                (day, hour, minute, second) = (previousDay, 23, 59, 59)
            }
            guard let previousHour = Self.previousBit(hours, upTo: hour) else {
                day -= 1
                (hour, minute, second) = (23, 59, 59)
                continue
            }
            if previousHour != hour {
                (hour, minute, second) = (previousHour, 59, 59)
            }
            guard let previousMinute = Self.previousBit(minutes, upTo: minute) else {
                hour -= 1
                (minute, second) = (59, 59)
                continue
            }
            if previousMinute != minute {
                (minute, second) = (previousMinute, 59)
            }
            guard let previousSecond = Self.previousBit(seconds, upTo: second) else {
                minute -= 1
                second = 59
                continue
            }
            let dayNumber = CivilDate.days(year: year, month: month, day: day)
            return dayNumber * CivilDate.secondsPerDay + hour * 3600 + minute * 60 + previousSecond
        }
        return nil
    }
}
