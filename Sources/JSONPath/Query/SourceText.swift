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

    /// ``text(_:)`` cut to its first `maximumScalars` scalars, with `…` when cut.
    func clippedText(_ range: SourceRange, maximumScalars: Int) -> String {
        guard range.upper - range.lower > maximumScalars else { return text(range) }
        return text(SourceRange(lower: range.lower, upper: range.lower + maximumScalars)) + "…"
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

    /// `warnings` with their line and column, found by binary search in one table of line
    /// starts: a position scan per warning was quadratic in a filter of many warnings.
    func warnings(_ warnings: [QueryParser.Warning]) -> [FilterWarning] {
        guard !warnings.isEmpty else { return [] }
        var lineStarts = [0]
        for (i, c) in scalars.enumerated() where c == "\n" || (c == "\r" && (i + 1 >= scalars.count || scalars[i + 1] != "\n")) {
            lineStarts.append(i + 1)
        }
        return warnings.map { warning in
            let offset = warning.range.lower
            // The last line start at or before `offset`.
            var low = 0
            var high = lineStarts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
            }
            return FilterWarning(
                message: warning.message, line: low + 1, column: offset - lineStarts[low] + 1,
                span: warning.range.lower..<warning.range.upper, hint: warning.hint)
        }
    }
}
