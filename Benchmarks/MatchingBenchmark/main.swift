// Matching scale: events per second through `TriggerIndex` with 10, 1,000 and 100,000 message
// triggers in ONE tenant (the worst case: one partition holds them all), and the index build time.
//
// Run through scripts/bench-matching.sh (release build). Flags: `--quick` (0.2 s per measurement
// instead of 1 s), `--sizes 10,1000,100000`, `--runs 5` (the median of the runs is printed).
//
// Triggers (AppProcessUpdated unless said), for trigger i of N, each on its own app `app-i`:
//   90 %  `$.item.status == 'Finished' && $.item.appId == 'app-i'`
//    5 %  `$.item.appId == 'app-i'`                                (any status)
//    5 %  `$.item.appId == 'app-i' && $.item.status == 'Error'`
// plus, at every size, 2 status-only triggers (`$.item.status == 'Killed'`, indexed on status) and
// 4 triggers with no equality predicate (`||`, `!`, ranges, a nested filter), which the index
// must evaluate for every event, and 1 % InteractionProcessUpdated triggers (another partition).
// The `proportional` scenario makes 1 % of the N triggers non-indexable instead of 4: a cost
// that grows with N by construction, printed to show what such filters cost.
//
// Events: ~900-byte AppProcessUpdated bodies, pre-parsed; 4,096 of them, appIds drawn from the
// triggers' apps (10 % from apps no trigger names), status Finished 50 %, Running 30 %, Error
// 15 %, Killed 5 %. Prints per size: ns/event, events/s, filters evaluated and matches per
// event; then the 100k/10 ratio (target <= 2). Times are the thread's CPU time per event (less
// distorted by other work on a shared machine), with the wall-clock figure beside them.
import Automation
import Foundation
import JSONPath
import SignalboxTestSupport

enum Benchmark {
    struct Options {
        var minimum = Duration.seconds(1)
        var sizes = [10, 1_000, 100_000]
        var runs = 5

        init(_ arguments: [String]) {
            var iterator = arguments.dropFirst().makeIterator()
            while let flag = iterator.next() {
                switch flag {
                case "--quick": minimum = .milliseconds(200)
                case "--sizes": sizes = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
                case "--runs": runs = max(1, Int(iterator.next() ?? "") ?? runs)
                default: fatalError("unknown flag \(flag); use --quick, --sizes 10,1000,100000, --runs N")
                }
            }
        }
    }

    enum Scenario: String, CaseIterable {
        /// Equality filters, a constant handful of non-indexable ones.
        case mostlyEquality = "mostly-equality"
        /// 1 % of the triggers non-indexable.
        case proportional
    }

    static let tenant = TenantID.default
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)

    static let nonIndexable = [
        "$.item.status == 'Error' || $.item.status == 'Killed'",
        "!($.item.status == 'Running') && $.item.durationMs > 3600000",
        "$.item.attempt >= 3",
        "$.item.tags[?@ == 'urgent']",
    ]

    static func filter(_ i: Int) -> String {
        switch i % 20 {
        case 0: "$.item.appId == 'app-\(i)'"
        case 1: "$.item.appId == 'app-\(i)' && $.item.status == 'Error'"
        default: "$.item.status == 'Finished' && $.item.appId == 'app-\(i)'"
        }
    }

    /// One action per trigger, one app item each, as the API would store them.
    static func actions(count: Int, scenario: Scenario) -> [AutomatedAction] {
        var filters: [(TriggerType, String)] = []
        filters.reserveCapacity(count + 6)
        for i in 0..<count {
            let type: TriggerType = i % 100 == 99 ? .interactionProcessUpdated : .appProcessUpdated
            if scenario == .proportional && i % 100 == 50 {
                filters.append((type, nonIndexable[i % nonIndexable.count]))
            } else {
                filters.append((type, filter(i)))
            }
        }
        filters += [(.appProcessUpdated, "$.item.status == 'Killed'"), (.appProcessUpdated, "$.item.status == 'Killed'")]
        if scenario == .mostlyEquality { filters += nonIndexable.map { (.appProcessUpdated, $0) } }
        let item = ActionItem(
            name: "Run", config: .app(AppConfig(version: VersionReference(id: "b7c1", version: 1), inputs: [])))
        return filters.enumerated().map { index, entry in
            AutomatedAction(
                tenantId: tenant, namespace: "production", name: "action-\(index)", actions: [item],
                messageTriggers: [MessageTrigger(name: "t\(index)", triggerType: entry.0, eventFilter: entry.1)],
                dateCreated: epoch, dateUpdated: epoch)
        }
    }

    static func events(count: Int, apps: Int) throws -> [Event] {
        var random = SeededGenerator(seed: 42)
        func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }
        return try (0..<count).map { n in
            let app = below(10) == 0 ? "unknown-\(below(1000))" : "app-\(below(apps))"
            let roll = below(100)
            let status = roll < 50 ? "Finished" : roll < 80 ? "Running" : roll < 95 ? "Error" : "Killed"
            let text = """
                {"type":"AppProcessUpdated","id":"evt-\(n)","tenantId":"default","namespace":"production",\
                "occurredAt":"2026-11-21T18:04:05.123Z","source":"process-service","version":3,\
                "item":{"id":"7b0d6c1e-\(String(format: "%04x", n % 65536))-4c55-9a0e-2f6d1c8b7e31","appId":"\(app)",\
                "appName":"Nightly data import","status":"\(status)","previousStatus":"Running",\
                "startedAt":"2026-11-21T18:00:00.000Z","finishedAt":"2026-11-21T18:04:05.000Z",\
                "durationMs":\(below(7_200_000)),"attempt":\(1 + below(4)),"exitCode":0,\
                "tags":["nightly","eu","import"],"result":{"rows":10512,"files":3,"warnings":0,"bytes":73400320},\
                "inputs":[{"name":"source","value":"s3://bucket/raw/2026-11-21/"},{"name":"mode","value":"incremental"}],\
                "owner":{"id":"u-42","name":"Data Platform","email":"data-platform@example.com"},\
                "labels":{"team":"data","costCenter":"cc-1234","priority":"normal"}},\
                "meta":{"retries":0,"region":"eu-west-1","host":"worker-7.internal","traceId":"7f3a9c1e5b2d4f60"}}
                """
            return try Event(messageId: nil, routingKey: "AppProcessUpdated", body: try JSONParser.parse(text))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The calling thread's CPU time: unlike the wall clock, it does not count time the thread
    /// waited for a core, so other work on a shared machine distorts it less.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Wall-clock and CPU ns per event over the whole event set, repeated until `minimum` has passed.
    static func measure(_ index: TriggerIndex, _ events: [Event], minimum: Duration, sink: inout Int) -> (wall: Double, cpu: Double) {
        let clock = ContinuousClock()
        for i in events.indices { sink &+= index.matches(events[i]).count }  // warm-up
        var matched = 0
        var rounds = 0
        let start = clock.now
        let cpuStart = threadCPUSeconds()
        var elapsed = Duration.zero
        repeat {
            for i in events.indices { matched &+= index.matches(events[i]).count }
            rounds += 1
            elapsed = clock.now - start
        } while elapsed < minimum
        let cpu = threadCPUSeconds() - cpuStart
        sink &+= matched
        let count = Double(rounds * events.count)
        return (seconds(elapsed) * 1e9 / count, cpu * 1e9 / count)
    }

    static func format(_ value: Double, _ decimals: Int = 0) -> String { String(format: "%.\(decimals)f", value) }

    static func run(_ options: Options) throws {
        var sink = 0
        for scenario in Scenario.allCases {
            print("== scenario \(scenario.rawValue): medians of \(options.runs) runs")
            var nsBySize: [Int: (wall: Double, cpu: Double)] = [:]
            for size in options.sizes {
                let actions = actions(count: size, scenario: scenario)
                var builds: [Double] = []
                var index = TriggerIndex(actions: [])
                for _ in 0..<max(1, min(options.runs, size >= 100_000 ? 3 : options.runs)) {
                    let clock = ContinuousClock()
                    let start = clock.now
                    index = TriggerIndex(actions: actions)
                    builds.append(seconds(clock.now - start) * 1e3)
                }
                let events = try events(count: 4096, apps: size)
                var evaluations = 0
                var matches = 0
                for event in events { matches += index.matches(event, evaluations: &evaluations).count }
                let runs = (0..<options.runs).map { _ in measure(index, events, minimum: options.minimum, sink: &sink) }
                let cpu = median(runs.map(\.cpu)), wall = median(runs.map(\.wall))
                nsBySize[size] = (wall, cpu)
                print(
                    "triggers=\(size) indexed=\(index.statistics.indexed) unindexed=\(index.statistics.unindexed) "
                        + "cpu_ns_per_event=\(format(cpu, 1)) events_per_cpu_s=\(format(1e9 / cpu)) wall_ns_per_event=\(format(wall, 1)) "
                        + "evaluations_per_event=\(format(Double(evaluations) / Double(events.count), 2)) "
                        + "matches_per_event=\(format(Double(matches) / Double(events.count), 2)) "
                        + "build_ms=\(format(median(builds), 1)) runs_cpu_ns=\(runs.map { format($0.cpu, 1) }.joined(separator: ","))")
                print("RESULT \(scenario.rawValue) \(size) cpu_ns_per_event \(format(cpu, 1)) build_ms \(format(median(builds), 1))")
            }
            if let small = nsBySize[options.sizes.min() ?? 0], let large = nsBySize[options.sizes.max() ?? 0], small.cpu > 0 {
                print(
                    "ratio \(scenario.rawValue) \(options.sizes.max() ?? 0)/\(options.sizes.min() ?? 0) triggers: "
                        + "\(format(large.cpu / small.cpu, 2))x CPU per event (wall clock \(format(large.wall / small.wall, 2))x)"
                        + (scenario == .mostlyEquality ? " (target <= 2)" : ""))
            }
        }
        if sink == 42 { print("") }  // keeps the results alive
    }
}

try Benchmark.run(Benchmark.Options(CommandLine.arguments))
