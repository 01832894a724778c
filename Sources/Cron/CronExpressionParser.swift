/// Turns cron text into a `CronExpression`, rejecting anything CRON.md does not allow.
///
/// Kept apart from the expression type so that the grammar, and every message it can produce,
/// reads in one place.
enum CronExpressionParser {
    /// Descriptor name → the five fields it stands for.
    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    static let allowedDescriptors =
        "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>"
    static let allowedFieldCounts =
        "5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first"
    static let allowedInterval =
        "a duration of whole numbers with units h, m, s in that order, above zero (30s, 5m, 1h30m)"

    static func parse(_ text: String) throws(CronError) -> CronExpression {
        let trimmed = text.trimmingWhitespace()
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if let first = words.first, first.hasPrefix("@") {
            return try parseDescriptor(words, source: trimmed)
        }
        switch words.count {
        case 5:
            return try build(second: "0", Array(words), source: trimmed)
        case 6:
            return try build(second: words[0], Array(words.dropFirst()), source: trimmed)
        default:
            throw CronError(
                .wrongFieldCount,
                field: "expression",
                value: trimmed,
                allowed: allowedFieldCounts
            )
        }
    }

    static func parse(fields: CronFields) throws(CronError) -> CronExpression {
        func text(
            _ value: String?,
            _ field: CronField,
            default fallback: String
        ) throws(CronError)
            -> Substring
        {
            guard let value else { return Substring(fallback) }
            let trimmed = value.trimmingWhitespace()
            if trimmed.isEmpty {
                throw CronError(.emptyElement, field: field.name, value: value, allowed: field.allowedValues)
            }
            if trimmed.contains(where: { $0 == " " || $0 == "\t" }) {
                throw CronError(.invalidValue, field: field.name, value: value, allowed: field.allowedValues)
            }
            return Substring(trimmed)
        }
        let second = try text(fields.second, .second, default: "0")
        let rest = [
            try text(fields.minute, .minute, default: "*"),
            try text(fields.hour, .hour, default: "*"),
            try text(fields.dayOfMonth, .dayOfMonth, default: "*"),
            try text(fields.month, .month, default: "*"),
            try text(fields.dayOfWeek, .dayOfWeek, default: "*"),
        ]
        return try build(second: second, rest, source: ([second] + rest).joined(separator: " "))
    }

    /// Builds the calendar expression from the second plus the five classic fields.
    static func build(
        second: Substring,
        _ fields: [Substring],
        source: String
    ) throws(CronError)
        -> CronExpression
    {
        let daysOfWeek = try parseField(fields[4], .dayOfWeek)
        let pattern = CronPattern(
            seconds: try parseField(second, .second),
            minutes: try parseField(fields[0], .minute),
            hours: try parseField(fields[1], .hour),
            daysOfMonth: try parseField(fields[2], .dayOfMonth),
            months: try parseField(fields[3], .month),
            daysOfWeek: (daysOfWeek | (daysOfWeek >> 7)) & 0x7F,  // 7 is Sunday too
            dayOfMonthStarred: fields[2].hasPrefix("*"),
            dayOfWeekStarred: fields[4].hasPrefix("*"),
            isWildcard: fields[0].hasPrefix("*") || fields[1].hasPrefix("*")
        )
        return CronExpression(kind: .calendar(pattern), source: source)
    }

    static func parseDescriptor(_ words: [Substring], source: String) throws(CronError) -> CronExpression {
        let name = words[0].lowercased()
        if name == "@every" {
            guard words.count == 2 else {
                throw CronError(
                    .invalidInterval,
                    field: "@every",
                    value: words.dropFirst().joined(separator: " "),
                    allowed: allowedInterval
                )
            }
            return CronExpression(kind: .interval(seconds: try parseInterval(words[1])), source: source)
        }
        guard let fields = descriptors[name] else {
            throw CronError(.unknownDescriptor, field: "expression", value: words[0], allowed: allowedDescriptors)
        }
        guard words.count == 1 else {
            throw CronError(
                .wrongFieldCount,
                field: "expression",
                value: source,
                allowed: "a descriptor alone, e.g. \(name)"
            )
        }
        let expanded = fields.split(separator: " ")
        let built = try build(second: "0", expanded, source: source)
        return built
    }

    /// Parses `1h30m`, `90s`, `5m`: each unit at most once, in the order h, m, s.
    static func parseInterval(_ text: Substring) throws(CronError) -> Int64 {
        let invalid = CronError(.invalidInterval, field: "@every", value: text, allowed: allowedInterval)
        var total: Int64 = 0
        var number: Int64? = nil
        var digits = 0
        var lastUnitRank = -1
        for character in text.lowercased() {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits += 1
                guard digits <= 9 else { throw invalid }
                number = (number ?? 0) * 10 + Int64(digit)
                continue
            }
            let units: [Character: (rank: Int, seconds: Int64)] = ["h": (0, 3600), "m": (1, 60), "s": (2, 1)]
            guard let unit = units[character], let value = number, unit.rank > lastUnitRank else {
                throw invalid
            }
            total += value * unit.seconds
            lastUnitRank = unit.rank
            number = nil
            digits = 0
        }
        guard number == nil, total > 0 else { throw invalid }
        return total
    }

    /// Parses one field into its bitset.
    static func parseField(_ text: Substring, _ field: CronField) throws(CronError) -> UInt64 {
        if let bad = text.first(where: { "#?~()LlWwHh".contains($0) }), isExtension(text, bad) {
            throw CronError(
                .unsupportedExtension,
                field: field.name,
                value: text,
                allowed: "\(field.allowedValues), with *, ranges, steps and lists only (no L, W, #, ?, H, ~)"
            )
        }
        var mask: UInt64 = 0
        for term in text.split(separator: ",", omittingEmptySubsequences: false) {
            mask |= try parseTerm(term, field, fieldText: text)
        }
        return mask
    }

    /// Tells a Quartz/Jenkins extension (`L`, `15W`, `5#2`, `?`, `H`, `~`) from a name such as `JUL`.
    static func isExtension(_ text: Substring, _ character: Character) -> Bool {
        if "#?~()".contains(character) { return true }
        let tokens = text.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return tokens.contains { token in
            token == "L" || token == "W" || token == "LW" || token == "H"
                || (token.count > 1 && (token.last == "L" || token.last == "W")
                    && token.dropLast().allSatisfy(\.isNumber))
        }
    }

    static func parseTerm(
        _ term: Substring,
        _ field: CronField,
        fieldText: Substring
    ) throws(CronError)
        -> UInt64
    {
        guard !term.isEmpty else {
            throw CronError(
                .emptyElement,
                field: field.name,
                value: fieldText,
                allowed: "a comma-separated list of \(field.allowedValues), *, ranges and steps"
            )
        }
        let parts = term.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw CronError(.invalidStep, field: field.name, value: term, allowed: "one step per term, 1-\(field.maximumStep)")
        }
        let base = parts[0]
        var step = 1
        if parts.count == 2 {
            let stepText = parts[1]
            guard !stepText.isEmpty, stepText.count <= 9, stepText.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(stepText), value >= 1, value <= field.maximumStep
            else {
                throw CronError(.invalidStep, field: field.name, value: term, allowed: "a step of 1-\(field.maximumStep)")
            }
            guard base == "*" || base.contains("-") else {
                throw CronError(
                    .invalidStep,
                    field: field.name,
                    value: term,
                    allowed: "a step only after * or a range (*/\(value) or a-b/\(value))"
                )
            }
            step = value
        }
        let low: Int
        let high: Int
        if base == "*" {
            (low, high) = (field.bounds.lowerBound, field.bounds.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            low = try parseValue(base[..<dash], field, term: term)
            high = try parseValue(base[base.index(after: dash)...], field, term: term)
            guard low <= high else {
                throw CronError(
                    .reversedRange,
                    field: field.name,
                    value: term,
                    allowed: "a range a-b with a ≤ b within \(field.allowedValues)"
                )
            }
        } else {
            low = try parseValue(base, field, term: term)
            high = low
        }
        var mask: UInt64 = 0
        for value in stride(from: low, through: high, by: step) {
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    static func parseValue(_ text: Substring, _ field: CronField, term: Substring) throws(CronError) -> Int {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard text.count <= 9, let value = Int(text), field.bounds.contains(value) else {
                throw CronError(.valueOutOfRange, field: field.name, value: text, allowed: field.allowedValues)
            }
            return value
        }
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isLetter }) {
            guard let value = field.names[text.uppercased()] else {
                let known = field.names.isEmpty ? "numbers only, \(field.allowedValues)" : field.allowedValues
                throw CronError(.unknownName, field: field.name, value: text, allowed: known)
            }
            return value
        }
        throw CronError(
            .invalidValue,
            field: field.name,
            value: text.isEmpty ? term : text,
            allowed: field.allowedValues
        )
    }
}
