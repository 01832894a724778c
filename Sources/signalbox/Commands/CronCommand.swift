import ArgumentParser
import Cron
import Foundation

/// `signalbox cron …`: inspect schedules without a server.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Inspect cron schedules: when would they fire?",
        subcommands: [Next.self]
    )
}

extension CronCommand {
    /// `signalbox cron next`: the next occurrences of one expression, or of many read as JSON Lines.
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Print the next occurrences of a cron expression as RFC 3339 UTC instants.",
            discussion: """
                Exits 2 when the expression or time zone is invalid. A valid expression that never \
                fires (0 0 30 2 *) prints [] and a note on standard error, and exits 0. With \
                --batch, reads JSON Lines {"expr": …, "tz": …, "from": …, "count": …} on standard \
                input and writes one line per input, in order: {"next": […]} (with "note" when the \
                expression never fires) or {"error": "…"}; --tz, --from and --count then give the \
                defaults for lines that omit them.
                """
        )

        @Argument(help: "The expression, e.g. \"0 9 * * 1-5\", \"@daily\" or \"@every 90s\" (quote it).")
        var expression: String?

        @Option(name: .customLong("tz"), help: "IANA time zone the schedule runs in.")
        var timeZone: String = "UTC"

        @Option(help: "Search from this RFC 3339 instant (exclusive; also the @every anchor). Default: now.")
        var from: String?

        @Option(help: "How many occurrences to print.")
        var count: Int = 5

        @Flag(help: "Also print each occurrence's wall time with its UTC offset.")
        var local = false

        @Flag(help: "Read JSON Lines requests on standard input.")
        var batch = false

        func validate() throws {
            if batch && expression != nil {
                throw ValidationError("Give either an expression or --batch, not both.")
            }
            if !batch && expression == nil {
                throw ValidationError("Missing the cron expression (or --batch).")
            }
            guard (0...Request.maximumCount).contains(count) else {
                throw ValidationError("--count must be between 0 and \(Request.maximumCount).")
            }
        }

        func run() throws {
            if batch {
                try runBatch()
                return
            }
            let request = Request(expression: expression ?? "", timeZone: timeZone, from: from, count: count)
            switch request.evaluate(now: Date()) {
            case .success(let result):
                if result.neverFires {
                    // The empty list, so the answer is visible; why goes to stderr.
                    FileHandle.standardError.write(Data("note: \(Request.neverFiresNote)\n".utf8))
                    print("[]")
                    return
                }
                var output = ""
                for index in result.utc.indices {
                    output += local ? "\(result.utc[index]) \(result.local[index])\n" : "\(result.utc[index])\n"
                }
                print(output, terminator: "")
            case .failure(let message):
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
                throw ExitCode(2)
            }
        }

        /// One output line per input line, in order; a bad line answers with an error line and the
        /// run goes on, so one typo cannot hide the answers to a whole corpus.
        func runBatch() throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            let now = Date()
            var buffer = Data()
            while let line = readLine(strippingNewline: true) {
                let answer: Answer
                switch Request.decode(line, defaults: self) {
                case .failure(let problem):
                    answer = Answer(error: problem.description)
                case .success(let request):
                    switch request.evaluate(now: now) {
                    case .success(let result):
                        answer = Answer(
                            next: result.utc, local: local ? result.local : nil,
                            note: result.neverFires ? Request.neverFiresNote : nil)
                    case .failure(let message): answer = Answer(error: message)
                    }
                }
                buffer.append((try? encoder.encode(answer)) ?? Data(#"{"error":"internal encoding failure"}"#.utf8))
                buffer.append(0x0A)
                if buffer.count >= 1 << 16 {
                    FileHandle.standardOutput.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(buffer)
        }
    }
}

extension CronCommand {
    /// One line of `--batch` output.
    struct Answer: Encodable {
        var next: [String]? = nil
        var local: [String]? = nil
        var note: String? = nil
        var error: String? = nil
    }

    /// One question: an expression, a zone, a start and a count, from the flags or a JSON line.
    struct Request {
        static let maximumCount = 100_000

        var expression: String
        var timeZone: String
        var from: String?
        var count: Int

        static let neverFiresNote = "the expression is valid but never fires (no date matches it); a schedule with it would be refused"

        /// The occurrences, formatted in UTC and on the zone's wall clock with its offset.
        struct Occurrences {
            var utc: [String]
            var local: [String]
            /// No date matches the expression (so `utc` is empty whatever the count).
            var neverFires: Bool
        }

        enum Outcome {
            case success(Occurrences)
            case failure(String)
        }

        /// The fields of one `--batch` line; all optional so a missing one gets a precise message.
        private struct Line: Decodable {
            var expr: String?
            var tz: String?
            var from: String?
            var count: Int?
        }

        /// Reads one JSON line, taking missing fields from the command's flags.
        static func decode(_ line: String, defaults: CronCommand.Next) -> Result<Request, LineError> {
            let fields: Line
            do {
                fields = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
            } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
                let key = context.codingPath[context.codingPath.count - 1].stringValue
                let kind = key == "count" ? "an integer" : "a string"
                return .failure(LineError("\"\(key)\" must be \(kind)"))
            } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
                let key = context.codingPath[context.codingPath.count - 1].stringValue
                return .failure(LineError("\"\(key)\" has an invalid value"))
            } catch {
                if (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any] {
                    return .failure(
                        LineError(#"a field has the wrong type: "expr", "tz" and "from" are strings, "count" an integer"#)
                    )
                }
                return .failure(LineError("line is not a JSON object"))
            }
            guard let expression = fields.expr else {
                return .failure(LineError(#""expr" is missing"#))
            }
            let count = fields.count ?? defaults.count
            guard (0...maximumCount).contains(count) else {
                return .failure(LineError(#""count" must be an integer from 0 to \#(maximumCount)"#))
            }
            return .success(
                Request(
                    expression: expression,
                    timeZone: fields.tz ?? defaults.timeZone,
                    from: fields.from ?? defaults.from,
                    count: count
                )
            )
        }

        /// Parses an RFC 3339 instant, with or without fractional seconds.
        static func parseInstant(_ text: String) -> Date? {
            if let date = try? Date(text, strategy: .iso8601) { return date }
            let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            return try? Date(text, strategy: fractional)
        }

        func evaluate(now: Date) -> Outcome {
            let start: Date
            if let from {
                guard let parsed = Self.parseInstant(from) else {
                    return .failure("--from \"\(from.prefix(80))\" is not an RFC 3339 instant such as 2026-03-29T00:00:00Z")
                }
                start = parsed
            } else {
                start = now
            }
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule(parsing: expression, timeZoneIdentifier: timeZone, anchor: start)
            } catch {
                return .failure(error.description)
            }
            var utc: [String] = []
            var local: [String] = []
            for date in schedule.occurrences(after: start).prefix(count) {
                utc.append(Self.rfc3339(date, offset: nil))
                local.append(Self.rfc3339(date, offset: schedule.timeZone.secondsFromGMT(for: date)))
            }
            return .success(Occurrences(utc: utc, local: local, neverFires: schedule.expression.neverFires))
        }
    }
}

extension CronCommand.Request {
    /// RFC 3339 text: `Z` in UTC, or the wall time followed by `±hh:mm`; fractional seconds only
    /// when the instant has them (an `@every` anchored at a fractional instant).
    static func rfc3339(_ date: Date, offset: Int?) -> String {
        let wall = date.addingTimeInterval(Double(offset ?? 0))
        let whole = wall.timeIntervalSince1970.rounded(.down) == wall.timeIntervalSince1970
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: !whole)
        let text = wall.formatted(style)
        guard let offset else { return text }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        let suffix = sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
        return String(text.dropLast()) + suffix  // drop the formatter's "Z"
    }
}

extension CronCommand {
    /// Why a `--batch` line could not be read.
    struct LineError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
