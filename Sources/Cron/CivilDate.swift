/// Proleptic Gregorian calendar arithmetic on plain integers.
///
/// `Foundation.Calendar` costs microseconds per call; the search for the next occurrence only
/// needs year/month/day ⇄ day number and the weekday, which Howard Hinnant's days-from-civil
/// algorithms give exactly in a few integer operations, for any year.
enum CivilDate {
    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of the given civil date (month 1-12, day 1-31).
    @inline(__always)
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (days since 1970-01-01).
    @inline(__always)
    static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    @inline(__always)
    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    @inline(__always)
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday.
    @inline(__always)
    static func weekday(days: Int64) -> Int64 {
        let w = (days + 4) % 7
        return w < 0 ? w + 7 : w
    }

    /// Splits seconds since 1970-01-01T00:00 (of some wall clock) into day number and second of day.
    @inline(__always)
    static func split(_ seconds: Int64) -> (days: Int64, secondOfDay: Int64) {
        var days = seconds / secondsPerDay
        var rest = seconds - days * secondsPerDay
        if rest < 0 {
            days -= 1
            rest += secondsPerDay
        }
        return (days, rest)
    }
}
