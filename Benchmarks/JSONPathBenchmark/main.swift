// JSONPath benchmark: trigger-filter evaluations per second on a pre-parsed ~1 KB event, for the
// filter shapes users write (from the seed documents), and JSON parse throughput.
//
// Run through scripts/bench-jsonpath.sh, which also runs the Python peer on the same fixtures
// (`--fixtures` prints them as JSON) and prints the ratio. Build with `-c release`.
// `--quick` shortens each measurement from 1 s to 0.2 s.
import JSONPath

/// Everything in one namespace so Swift 6 sees no shared mutable globals.
enum Benchmark {
    /// A realistic AppProcessUpdated event padded to about 1 KB with the fields such events carry.
    static let eventText = #"""
        {"type":"AppProcessUpdated","occurredAt":"2026-11-21T18:04:05.123Z","tenantId":"4f1c2a9e-7b1d-4c55-9a0e-2f6d1c8b7e31",
        "correlationId":"c0ffee00-1234-4abc-8def-001122334455","source":"process-service","version":3,
        "item":{"id":"p-1","appId":"data-import-app-id","appName":"Nightly data import","status":"Finished",
        "previousStatus":"Running","namespace":"production","startedAt":"2026-11-21T18:00:00.000Z",
        "finishedAt":"2026-11-21T18:04:05.000Z","durationMs":245000,"attempt":1,"exitCode":0,
        "tags":["nightly","eu","import"],"result":{"rows":10512,"files":3,"warnings":0,"bytes":73400320},
        "inputs":[{"name":"source","value":"s3://bucket/raw/2026-11-21/"},{"name":"mode","value":"incremental"}],
        "owner":{"id":"u-42","name":"Data Platform","email":"data-platform@example.com"},
        "labels":{"team":"data","costCenter":"cc-1234","priority":"normal"}},
        "meta":{"retries":0,"region":"eu-west-1","host":"worker-7.internal","traceId":"7f3a9c1e5b2d4f60"}}
        """#

    /// Seed shapes first (the filters in shared/seeds), then the spec's worked-example shapes.
    static let filters: [(name: String, text: String)] = [
        ("seed-status-eq", "$.item.status == 'Finished'"),
        ("seed-status-eq-miss", "$.item.status == 'Error'"),
        ("seed-appid-eq", "$.item.appId == 'specific-app-id'"),
        ("seed-and", "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"),
        ("seed-or", "$.item.status == 'Finished' || $.item.status == 'Killed'"),
        ("doc-exists-not", "$.item.result && !$.item.error"),
        ("doc-numeric", "$.item.durationMs >= 1000 && $['item']['result']['rows'] < 20000"),
        ("doc-length-count", "length(@.item.tags) > 1 && count(@.item.tags[*]) == 3"),
        ("doc-match", "match(@.item.appId, 'data-[a-z]+-app-id')"),
        ("doc-nested-filter", "$.item.tags[?@ == 'eu']"),
    ]

    static let seedCount = 5

    static func fixturesJSON() -> String {
        let filterArray = JSONValue.array(
            filters.map { JSONValue.object(JSONObject([("name", .string($0.name)), ("filter", .string($0.text))])) }
        )
        return JSONValue.object(JSONObject([("event", .string(eventText)), ("filters", filterArray)])).jsonText
    }

    /// Runs `body` in batches until `minimum` has passed; returns operations per second.
    static func measure(minimum: Duration, batch: Int, sink: inout Int, _ body: () -> Int) -> Double {
        let clock = ContinuousClock()
        for _ in 0..<batch { sink &+= body() }  // warm-up
        var operations = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<batch { sink &+= body() }
            operations += batch
            elapsed = clock.now - start
        } while elapsed < minimum
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(operations) / seconds
    }

    static func grouped(_ value: Double) -> String {
        var digits = String(Int(value))
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: i))
            i -= 3
        }
        return digits
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int(x * 10 + 0.5)
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func run(arguments: [String]) {
        if arguments.contains("--fixtures") {
            print(fixturesJSON())
            return
        }
        let minimum = Duration.milliseconds(arguments.contains("--quick") ? 200 : 1000)
        var sink = 0
        let eventBytes = Array(eventText.utf8)
        guard let event = try? JSONParser.parse(eventBytes) else {
            print("cannot parse the benchmark event")
            return
        }
        print("JSONPath benchmark (Swift)")
        print("event: \(eventBytes.count) bytes, pre-parsed; each filter compiled once")
        print("")
        print(pad("filter", 22) + pad("evals/s", 14) + pad("ns/eval", 9) + pad("result", 8) + "filter text")
        var nanos: [Double] = []
        // `--only NAME` (a filter name or "parse") measures one thing, for profiling.
        let only = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        for (name, text) in filters where only == nil || only == name {
            guard let filter = try? TriggerFilter(parsing: text) else {
                print("invalid benchmark filter \(name)")
                return
            }
            let rate = measure(minimum: minimum, batch: 10_000, sink: &sink) { (try? filter.evaluate(event)) == true ? 1 : 0 }
            nanos.append(1e9 / rate)
            print(
                pad(name, 22) + pad(grouped(rate), 14) + pad(oneDecimal(1e9 / rate), 9)
                    + pad((try? filter.evaluate(event)).map { $0 ? "true" : "false" } ?? "over budget", 8) + text
            )
            print("RESULT filter \(name) \(Int(rate))")
        }

        if only != nil && only != "parse" { return }
        let parseRate = measure(minimum: minimum, batch: 1_000, sink: &sink) {
            (try? JSONParser.parse(eventBytes)) == nil ? 0 : 1
        }
        let eventMBs = parseRate * Double(eventBytes.count) / 1_000_000
        let bigBytes = Array(("[" + Array(repeating: eventText, count: 1000).joined(separator: ",") + "]").utf8)
        let bigRate = measure(minimum: minimum, batch: 2, sink: &sink) { (try? JSONParser.parse(bigBytes)) == nil ? 0 : 1 }
        let bigMBs = bigRate * Double(bigBytes.count) / 1_000_000
        let parseNanos = 1e9 / parseRate
        let seedNanos = nanos.isEmpty ? 1 : nanos.prefix(seedCount).reduce(0, +) / Double(min(seedCount, nanos.count))
        print("")
        print("parse \(eventBytes.count) B event: \(grouped(parseRate)) parses/s, \(Int(parseNanos)) ns/parse, \(oneDecimal(eventMBs)) MB/s")
        print("parse \(bigBytes.count / 1000) KB array of events: \(oneDecimal(bigMBs)) MB/s")
        print(
            "one event parse costs as much as \(oneDecimal(parseNanos / seedNanos)) seed-filter evaluations (mean \(oneDecimal(seedNanos)) ns/eval)"
        )
        print("RESULT parse_event_mb_s \(oneDecimal(eventMBs))")
        print("RESULT parse_large_mb_s \(oneDecimal(bigMBs))")
        print("RESULT parse_event_ns \(Int(parseNanos))")
        print("(checksum \(sink & 0xFF))")
    }
}

Benchmark.run(arguments: CommandLine.arguments)
