import Cron
import Foundation

extension AutomationValidator {
    /// Builds a schedule from a request: checks the name, that exactly one form (fields, `cron`
    /// or `at`) is used, the expression, the time zone, and that it fires at all; computes its
    /// `nextOccurrence` strictly after `now` (nil when disabled).
    ///
    /// A one-time schedule's instant may lie up to `pastGrace` (the scheduler's missed-run grace)
    /// before `now`: it then fires at once. Further back it is refused as `limitExceeded` (422).
    ///
    /// Cron errors name the field (`hour`, `cron`, `at`, `timeZone`, with `prefix` prepended) and
    /// the position of the offending term in that field's text.
    public static func makeSchedule(
        _ request: AddScheduleRequest,
        id: ScheduleID = .random(),
        now: Date,
        pastGrace: TimeInterval = 0,
        prefix: String = ""
    ) throws(AutomationError) -> CronScheduleDefinition {
        try validateName(request.name, field: prefix + "name")
        let forms = [request.cron != nil, request.hasFields, request.at != nil].filter { $0 }.count
        if forms > 1 {
            throw .invalidValue(
                "give one of cron, at, or the fields second…dayOfWeek", field: prefix + (request.at != nil ? "at" : "cron"))
        }
        let timeZone = request.timeZone ?? "UTC"
        var definition = CronScheduleDefinition(
            id: id,
            name: request.name,
            isEnabled: request.isEnabled ?? true,
            second: request.second,
            minute: request.minute,
            hour: request.hour,
            dayOfMonth: request.dayOfMonth,
            month: request.month,
            dayOfWeek: request.dayOfWeek,
            cron: request.cron,
            at: request.at,
            timeZone: timeZone,
            missedRunPolicy: request.missedRunPolicy ?? .fireOnce,
            dateCreated: now
        )
        if forms == 0 {
            throw .invalidValue(
                "a schedule needs a cron expression, an at instant, or at least one of second, minute, hour, dayOfMonth, month, dayOfWeek",
                field: prefix + "minute")
        }
        let schedule = try evaluable(definition, prefix: prefix)
        if let instant = schedule.expression.onlyInstant {
            guard instant >= now.addingTimeInterval(-oneTimePastAllowance(pastGrace)) else {
                throw .limitExceeded(
                    "the instant \(instant.formatted(.iso8601)) is in the past (now \(now.formatted(.iso8601))); "
                        + "a one-time schedule may lie at most \(Int(oneTimePastAllowance(pastGrace))) s back (the missed-run grace, less a margin)",
                    field: prefix + "at")
            }
            definition.nextOccurrence = definition.isEnabled ? instant : nil
            return definition
        }
        // Valid cron that never fires (30 February) is refused here, not by the Cron module (CRON.md).
        guard let next = schedule.next(after: now) else {
            throw .invalidValue(
                "the schedule \"\(definition.expressionText.prefix(100))\" never fires", field: prefix + (request.cron == nil ? "dayOfMonth" : "cron"),
                hint: schedule.expression.neverFires
                    ? "use a day-of-month that one of the months has: February has at most 29 days; April, June, September and November 30"
                    : nil)
        }
        definition.nextOccurrence = definition.isEnabled ? next : nil
        return definition
    }

    /// How far back a new one-time schedule's instant may lie: the missed-run grace less a
    /// margin (5 s, at most half of it), so that the scheduler, deciding a moment later, still
    /// finds it late rather than missed.
    public static func oneTimePastAllowance(_ grace: TimeInterval) -> TimeInterval {
        max(0, grace - min(5, grace / 2))
    }

    /// The definition's `CronSchedule`, with cron errors turned into field errors.
    static func evaluable(_ definition: CronScheduleDefinition, prefix: String) throws(AutomationError) -> CronSchedule {
        do {
            return try definition.makeSchedule()
        } catch {
            throw cronError(error, definition: definition, prefix: prefix)
        }
    }

    /// Maps a `CronError` to the request field that holds the offending text, with the position
    /// of the offending value inside it.
    static func cronError(_ error: CronError, definition: CronScheduleDefinition, prefix: String) -> AutomationError {
        let hint = "allowed: \(error.allowed)"
        let message = "\(error.field) \"\(error.value)\" \(Self.phrase(error))"
        if error.field == "timeZone" {
            return .invalidValue(message, field: prefix + "timeZone", position: position(of: error.value, in: definition.timeZone), hint: hint)
        }
        if let at = definition.at {
            return .invalidValue(message, field: prefix + "at", position: position(of: error.value, in: at), hint: hint)
        }
        if let cron = definition.cron {
            return .invalidValue(message, field: prefix + "cron", position: cronPosition(error, in: cron), hint: hint)
        }
        let property: String
        let text: String?
        switch error.field {
        case "second": (property, text) = ("second", definition.second)
        case "minute": (property, text) = ("minute", definition.minute)
        case "hour": (property, text) = ("hour", definition.hour)
        case "day-of-month": (property, text) = ("dayOfMonth", definition.dayOfMonth)
        case "month": (property, text) = ("month", definition.month)
        case "day-of-week": (property, text) = ("dayOfWeek", definition.dayOfWeek)
        default:
            // `expression` (e.g. never fires): blame the day fields, where such problems live.
            (property, text) = ("dayOfMonth", definition.dayOfMonth)
        }
        return .invalidValue(message, field: prefix + property, position: text.flatMap { position(of: error.value, in: $0) }, hint: hint)
    }

    static func phrase(_ error: CronError) -> String {
        // CronError's description is "invalid cron schedule: FIELD "VALUE" PHRASE (allowed: …)";
        // keep the phrase, which is the only part not already held in separate properties.
        let text = error.description
        let marker = "\"\(error.value)\" "
        guard let start = text.range(of: marker)?.upperBound,
            let end = text.range(of: " (allowed:", options: .backwards)?.lowerBound, start <= end
        else { return "is invalid" }
        return String(text[start..<end])
    }

    /// Position of `value` in a whole cron expression: within the word of the failing field.
    static func cronPosition(_ error: CronError, in text: String) -> SourcePosition? {
        let scalars = Array(text.unicodeScalars)
        var words: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == " " || scalars[index] == "\t" {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, scalars[index] != " ", scalars[index] != "\t" { index += 1 }
            words.append(start..<index)
        }
        let order = ["minute", "hour", "day-of-month", "month", "day-of-week"]
        var word: Range<Int>?
        if let fieldIndex = order.firstIndex(of: error.field) {
            let offset = words.count == 6 ? 1 : 0
            if fieldIndex + offset < words.count { word = words[fieldIndex + offset] }
        } else if error.field == "second", words.count == 6 {
            word = words[0]
        } else if error.field == "@every", words.count >= 2 {
            word = words[1]
        }
        let searchRange = word ?? (words.first.map { $0.lowerBound..<(words.last?.upperBound ?? $0.upperBound) } ?? 0..<scalars.count)
        return locate(Array(error.value.unicodeScalars), in: scalars, within: searchRange)
    }

    /// Position of `value` inside `text` (the first occurrence, else the whole text).
    static func position(of value: String, in text: String) -> SourcePosition? {
        let scalars = Array(text.unicodeScalars)
        return locate(Array(value.unicodeScalars), in: scalars, within: 0..<scalars.count)
    }

    static func locate(_ needle: [Unicode.Scalar], in scalars: [Unicode.Scalar], within range: Range<Int>) -> SourcePosition? {
        var span = range
        if !needle.isEmpty, needle.count <= range.count {
            for start in range.lowerBound...(range.upperBound - needle.count)
            where Array(scalars[start..<(start + needle.count)]) == needle {
                span = start..<(start + needle.count)
                break
            }
        }
        var line = 1
        var column = 1
        for scalar in scalars[0..<min(span.lowerBound, scalars.count)] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourcePosition(line: line, column: column, span: span)
    }
}
