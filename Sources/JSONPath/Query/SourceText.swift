/// Text positions: offsets to 1-based line and column.
struct SourceText: Sendable {
    let scalars: [Unicode.Scalar]

    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var i = 0
        let end = min(offset, scalars.count)
        while i < end {
            let c = scalars[i]
            if c == "\n" || (c == "\r" && (i + 1 >= scalars.count || scalars[i + 1] != "\n")) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        return (line, offset - lineStart + 1)
    }

    func text(_ range: SourceRange) -> String {
        let lower = max(0, min(range.lower, scalars.count))
        let upper = max(lower, min(range.upper, scalars.count))
        // As UTF-8 bytes, one String at the end: appending scalar by scalar to a String's
        // unicodeScalars was the largest cost of compiling a filter.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(upper - lower)
        for scalar in scalars[lower..<upper] {
            if scalar.isASCII {
                utf8.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                utf8.append(contentsOf: String(scalar).utf8)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    func error(_ failure: ParseFailure) -> JSONPathError {
        let (line, column) = lineAndColumn(of: failure.range.lower)
        return JSONPathError(
            code: failure.code,
            message: failure.message,
            line: line,
            column: column,
            span: failure.range.lower..<max(failure.range.lower, failure.range.upper),
            hint: failure.hint
        )
    }

    func warning(_ message: String, _ range: SourceRange, hint: String?) -> FilterWarning {
        let (line, column) = lineAndColumn(of: range.lower)
        return FilterWarning(message: message, line: line, column: column, span: range.lower..<range.upper, hint: hint)
    }
}
