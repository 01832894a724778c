// Statistics on a large history: `GET /automated-actions/stats` and `…/by-id/{id}/stats` as the
// service computes them, over a SQLite file holding `-n` history rows of `-a` actions spread over
// the last 30 days (85% Success, 10% Failed, 5% Skipped; one "hot" action holds `-h` of the
// rows). Rows are written through the store, so the counters kept by its triggers are real.
// Run by scripts/bench-stats.sh.
//
//   StatisticsBenchmark [-n 1000000] [-a 1000] [-h 100000] [-r 50]
//
// Prints the set-up time and, per query and window, the median and p95 of `-r` calls in ms.
import Automation
import Foundation
import SQLiteStore

struct Options {
    var rows = 1_000_000
    var actions = 1_000
    var hotRows = 100_000
    var repeats = 50

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init) else { break }
            switch flag {
            case "-n": rows = value
            case "-a": actions = value
            case "-h": hotRows = value
            case "-r": repeats = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

let options = Options(arguments: CommandLine.arguments)
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench.stats.\(UUID().uuidString.prefix(8).lowercased())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

var configuration = SQLiteStoreConfiguration(path: directory.appendingPathComponent("signalbox.sqlite").path)
configuration.durability = .normal  // setting up only
let store = try SQLiteAutomationStore(configuration: configuration)
let service = AutomationService(store: store, clock: SystemWallClock())
let caller = Caller(tenantId: .default, role: .admin)
let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
    [{"name": "Report", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}, "inputs": []}}]
    """#.utf8))

let setup = ContinuousClock.now
var actionIds: [ActionID] = []
for index in 0..<options.actions {
    // Every action runs daily; ten run every minute (what dueSoon counts occurrence by occurrence).
    let cron = index < 10 ? "* * * * *" : "0 \(index % 24) * * *"
    let request = CreateActionRequest(
        name: "action-\(index)", actions: items, schedules: [AddScheduleRequest(name: "s", cron: cron)])
    actionIds.append(try await service.createAction(request, namespace: "bench", as: caller).action.id)
}
let now = Date()
let spread: TimeInterval = 30 * 86_400
var generator = SystemRandomNumberGenerator()
var batch: [ExecutionHistoryEntry] = []
for row in 0..<options.rows {
    let actionId = row < options.hotRows ? actionIds[0] : actionIds[row % actionIds.count]
    let started = now.addingTimeInterval(-Double.random(in: 0..<spread, using: &generator))
    let roll = Int.random(in: 0..<100, using: &generator)
    let outcome: ExecutionOutcome = roll < 85 ? .success : roll < 95 ? .failed : .skipped
    let duration = outcome == .skipped ? 0 : Double.random(in: 0.5..<120, using: &generator)
    batch.append(ExecutionHistoryEntry(
        triggerType: .schedule, triggerId: nil, actionId: actionId, processId: .random(), processType: .app,
        dateStarted: started, dateCompleted: started.addingTimeInterval(duration), outcome: outcome,
        errorMessage: outcome == .failed ? "exit 1" : nil, sourceEventId: "bench-\(row)", itemIndex: 0))
    if batch.count == 5_000 {
        _ = try await store.appendHistory(batch)
        batch.removeAll(keepingCapacity: true)
    }
}
_ = try await store.appendHistory(batch)
print("setup: \(options.actions) actions, \(options.rows) history rows (\(options.hotRows) of one action) in \(ContinuousClock.now - setup)")

func measure(_ label: String, _ call: () async throws -> Void) async throws {
    try await call()  // warm the page cache and the statement cache
    var samples: [Double] = []
    for _ in 0..<options.repeats {
        let started = ContinuousClock.now
        try await call()
        let elapsed = ContinuousClock.now - started
        samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let p95 = samples[min(samples.count - 1, Int((Double(samples.count) * 0.95).rounded(.up)) - 1)]
    print(String(format: "%-44@ median %7.2f ms   p95 %7.2f ms", label as NSString, median, p95))
}

for window in StatisticsWindow.allCases {
    var last: TenantStatistics?
    try await measure("tenant stats \(window.rawValue)") { last = try await service.statistics(window: window, as: caller) }
    if let last {
        print("  runs \(last.runs.runs), failed \(last.runs.failed), dueSoon \(last.dueSoon), top failing \(last.topFailing.first?.failures ?? 0)")
    }
}
for window in StatisticsWindow.allCases {
    try await measure("action stats \(window.rawValue) (\(options.rows / options.actions) rows)") {
        _ = try await service.statistics(of: .id(actionIds[1]), window: window, as: caller)
    }
    try await measure("hot action stats \(window.rawValue) (\(options.hotRows) rows)") {
        _ = try await service.statistics(of: .id(actionIds[0]), window: window, as: caller)
    }
}
print("RESULT rows=\(options.rows) actions=\(options.actions)")
