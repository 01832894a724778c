/// The calendar part of a cron expression as one bitset per field.
///
/// Bit `n` of a mask is set when value `n` is allowed. Matching a wall time is a handful of bit
/// tests, and finding the next match jumps field by field to the next set bit
/// (`CronPattern+Search.swift`), so no minute or second is ever stepped through.
struct CronPattern: Hashable, Sendable {
    var seconds: UInt64
    var minutes: UInt64
    var hours: UInt64
    /// Bits 1-31.
    var daysOfMonth: UInt64
    /// Bits 1-12.
    var months: UInt64
    /// Bits 0-6, Sunday = 0 (a parsed 7 is folded onto 0).
    var daysOfWeek: UInt64
    /// The day-of-month field started with `*`: days must then match both day fields (CRON.md).
    var dayOfMonthStarred: Bool
    /// The day-of-week field started with `*`.
    var dayOfWeekStarred: Bool
    /// The minute or hour field started with `*`: the schedule fires at every real instant whose
    /// wall time matches, instead of once per matching wall time (the DST rules of CRON.md).
    var isWildcard: Bool

    /// Whether both day fields must match (either starts with `*`) rather than either one.
    var daysMustMatchBoth: Bool { dayOfMonthStarred || dayOfWeekStarred }

    /// The days of one month that match both day fields under the DOM/DOW rule, as bits 1-31.
    @inline(__always)
    func matchingDays(year: Int64, month: Int64) -> UInt64 {
        let length = CivilDate.daysInMonth(year: year, month: month)
        let valid: UInt64 = (1 << UInt64(length + 1)) &- 2
        let byDate = daysOfMonth & valid
        let first = UInt64(CivilDate.weekday(days: CivilDate.days(year: year, month: month, day: 1)))
        // Bit k of `rotated`: the weekday of day k+1 is allowed; repeated for the five weeks.
        let rotated = ((daysOfWeek >> first) | (daysOfWeek << (7 &- first))) & 0x7F
        let weeks = rotated | rotated << 7 | rotated << 14 | rotated << 21 | rotated << 28
        let byWeekday = (weeks << 1) & valid
        return daysMustMatchBoth ? byDate & byWeekday : byDate | byWeekday
    }

    /// Whether some date matches at all (``CronExpression/neverFires``).
    ///
    /// With the OR rule any allowed weekday occurs in every month. With the AND rule every
    /// calendar date falls on every weekday within a 400-year cycle (29 February included), so a
    /// day-of-month that exists in an allowed month is enough.
    var firesOnSomeDay: Bool {
        guard daysOfWeek != 0, daysOfMonth != 0, months != 0 else { return false }
        if !daysMustMatchBoth { return true }
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            let longest = CivilDate.daysInMonth(year: 2000, month: Int64(month))  // leap year
            if daysOfMonth & ((1 << UInt64(longest + 1)) &- 2) != 0 { return true }
        }
        return false
    }

    /// Whether a wall time (seconds since 1970-01-01T00:00 on the local clock) matches.
    func matches(wall: Int64) -> Bool {
        let (days, secondOfDay) = CivilDate.split(wall)
        let (year, month, day) = CivilDate.date(days: days)
        return seconds & (1 << UInt64(secondOfDay % 60)) != 0
            && minutes & (1 << UInt64(secondOfDay / 60 % 60)) != 0
            && hours & (1 << UInt64(secondOfDay / 3600)) != 0
            && months & (1 << UInt64(month)) != 0
            && matchingDays(year: year, month: month) & (1 << UInt64(day)) != 0
    }
}
