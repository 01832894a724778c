/// One of the six calendar fields of a cron expression, with its bounds and names.
///
/// The bounds are those of Vixie cron (CRON.md): day-of-week runs 0-7 because both 0 and 7 mean
/// Sunday, which is why a day-of-week bit 7 is folded onto bit 0 after parsing.
enum CronField: Int, CaseIterable, Sendable {
    case second
    case minute
    case hour
    case dayOfMonth
    case month
    case dayOfWeek

    /// The name used in messages, spelled as in CRON.md.
    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    var bounds: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The largest step that still selects something beyond the first value.
    var maximumStep: Int { bounds.upperBound }

    /// What a value of this field may be, for messages.
    var allowedValues: String {
        switch self {
        case .month: "1-12 or JAN-DEC"
        case .dayOfWeek: "0-7 or SUN-SAT (0 and 7 are Sunday)"
        default: "\(bounds.lowerBound)-\(bounds.upperBound)"
        }
    }

    /// The three-letter names this field accepts, upper-cased.
    var names: [String: Int] {
        switch self {
        case .month:
            [
                "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
                "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
            ]
        case .dayOfWeek:
            ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
        default:
            [:]
        }
    }
}
