import ArgumentParser
import Foundation
import JSONPath

/// `signalbox filter check|test`: validate a trigger filter, or run it against events, without a
/// server. The filter language is RFC 9535's filter expression with `$` and `@` both bound to the
/// event (docs/jsonpath-filters.md).
struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Check trigger filters and test them against events.",
        subcommands: [Check.self, Test.self]
    )

    /// Compiles the filter or prints its error (with a caret line) and exits 2. `filter check`
    /// reports on standard output (the report is its result); `filter test` on standard error.
    static func compile(_ text: String, isCheck: Bool) throws -> TriggerFilter {
        do {
            return try TriggerFilter(parsing: text)
        } catch {
            if isCheck { print("invalid") }
            printDiagnostic(
                "error",
                line: error.line,
                column: error.column,
                span: error.span,
                message: error.message,
                hint: error.hint,
                text: text,
                toStandardOutput: isCheck
            )
            throw ExitCode(2)
        }
    }

    static func printDiagnostic(
        _ kind: String,
        line: Int,
        column: Int,
        span: Range<Int>,
        message: String,
        hint: String?,
        text: String,
        toStandardOutput: Bool
    ) {
        var out = "\(kind) at \(line):\(column): \(message)\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if line - 1 < lines.count {
            let source = String(lines[line - 1])
            let width = max(1, min(span.count, source.unicodeScalars.count - column + 1))
            out += "  " + source + "\n  " + String(repeating: " ", count: max(0, column - 1)) + String(repeating: "^", count: width) + "\n"
        }
        if let hint { out += "  hint: \(hint)\n" }
        if toStandardOutput {
            print(out, terminator: "")
        } else {
            FileHandle.standardError.write(Data(out.utf8))
        }
    }

    static func printWarnings(_ filter: TriggerFilter, toStandardOutput: Bool) {
        for w in filter.warnings {
            printDiagnostic(
                "warning",
                line: w.line,
                column: w.column,
                span: w.span,
                message: w.message,
                hint: w.hint,
                text: filter.text,
                toStandardOutput: toStandardOutput
            )
        }
    }

    /// `filter check FILTER`: prints `valid` or `invalid`, then its errors and warnings.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a trigger filter compiles; print its errors and warnings.",
            discussion: "Prints `valid` or `invalid`. Exits 2 when the filter is invalid."
        )

        @Argument(help: "The filter, e.g. \"$.item.status == 'Finished'\".")
        var filter: String

        func run() throws {
            let compiled = try FilterCommand.compile(filter, isCheck: true)
            print(compiled.warnings.isEmpty ? "valid" : "valid (\(compiled.warnings.count) warning\(compiled.warnings.count == 1 ? "" : "s"))")
            FilterCommand.printWarnings(compiled, toStandardOutput: true)
        }
    }

    /// `filter test FILTER [FILE]`: prints `true`/`false` per event (one JSON document, or JSON Lines).
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a trigger filter against events and print true or false for each.",
            discussion: """
                Reads one JSON event, or JSON Lines (one event per line), from FILE or standard input.
                A line that is not valid JSON is reported on stderr with its line number and skipped;
                the exit code is then 1. An invalid filter exits 2.
                """
        )

        @Argument(help: "The filter, e.g. \"$.item.status == 'Finished'\".")
        var filter: String

        @Argument(help: "File with one JSON event or JSON Lines (default: standard input).")
        var file: String?

        @Flag(help: "Explain each result: every comparison and test with the values it saw.")
        var explain = false

        func run() throws {
            let compiled = try FilterCommand.compile(filter, isCheck: false)
            FilterCommand.printWarnings(compiled, toStandardOutput: false)
            let data = try JSONPathCommand.readInput(file)
            let bytes = [UInt8](data)
            var failures = 0
            var events = 0
            if let whole = try? JSONParser.parse(bytes) {
                events += 1
                report(compiled, whole, label: nil)
            } else {
                var lineNumber = 0
                for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    lineNumber += 1
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                    do {
                        let event = try JSONParser.parse(line)
                        events += 1
                        report(compiled, event, label: lineNumber)
                    } catch {
                        failures += 1
                        JSONPathCommand.printError("line \(lineNumber): \(error)")
                    }
                }
            }
            if events == 0 && failures == 0 {
                JSONPathCommand.printError("no JSON event in \(file ?? "standard input")")
                throw ExitCode(1)
            }
            if failures > 0 { throw ExitCode(1) }
        }

        private func report(_ filter: TriggerFilter, _ event: JSONValue, label: Int?) {
            do throws(EvaluationBudgetExceeded) {
                guard explain else {
                    print(try filter.evaluate(event) ? "true" : "false")
                    return
                }
                let explanation = try filter.explain(event)
                print(explanation.result ? "true" : "false")
                for line in explanation.description.split(separator: "\n") { print("  " + line) }
            } catch {
                print("budget exceeded")
                JSONPathCommand.printError("\(error)")
            }
        }
    }
}
