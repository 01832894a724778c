// Delayed runs at scale: N runs pending in a SQLite file — what they add to the scheduler's
// start-up (load) time and resident memory, beside the same database without them — and the fire
// lag when `-f` of them fall due in the same second, through the real scheduler and broker.
// Run by scripts/bench-delayed-runs.sh.
//
//   DelayedRunBenchmark [-n 100000] [-f 1000]      (env SIGNALBOX_BENCH_AMQP_URL)
//
// Prints the load time and VmRSS with and without the runs, the lag percentiles of the `-f` runs
// (confirmed publish − their instant), the broker alone confirming `-f` publishes, and a RESULT line.
import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import SQLiteStore
import ServiceLifecycle
import SignalboxTestSupport
import Synchronization

#if os(Linux)
import CMalloc
#endif

struct Options {
    var pending = 100_000
    var dueTogether = 1_000

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init) else { break }
            switch flag {
            case "-n": pending = value
            case "-f": dueTogether = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// VmRSS of this process, in bytes.
func residentBytes() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}

let options = Options(arguments: CommandLine.arguments)
let logger = {
    var logger = Logger(label: "delayed-run-bench")
    logger.logLevel = .warning
    return logger
}()
let url = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
let prefix = "bench.delayed.\(UUID().uuidString.prefix(8).lowercased())"
let names = BrokerNames(
    eventsExchange: "\(prefix).events", eventsQueue: "\(prefix).events", commandsExchange: "\(prefix).commands",
    deadLetterExchange: "\(prefix).dlx", deadLetterQueue: "\(prefix).dlq")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

/// A database with one action and `pending` delayed runs: `dueTogether` of them at `together`,
/// the others spread over the next six days.
func prepare(_ name: String, pending: Int, together: Date) async throws -> (store: SQLiteAutomationStore, action: AutomatedAction) {
    var configuration = SQLiteStoreConfiguration(path: directory.appendingPathComponent(name).path)
    configuration.durability = .normal  // setting up only
    let store = try SQLiteAutomationStore(configuration: configuration)
    let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
        [{"name": "Escalate", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1},
          "inputs": [{"name": "alert", "value": {"$fromEvent": "$.alert"}}]}}]
        """#.utf8))
    let now = Date()
    let action = AutomatedAction(tenantId: .default, namespace: "bench", name: "escalate", actions: items, dateCreated: now, dateUpdated: now)
    try await store.insertAction(action)
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                for index in stride(from: worker, to: pending, by: 8) {
                    let due = index < options.dueTogether ? together : now.addingTimeInterval(600 + Double(index) * 5)
                    let run = DelayedRun(
                        tenantId: .default, actionId: action.id, key: "alert-\(index)", dueAt: due,
                        payload: ["alert": .string("disk full on db-\(index)")], dateCreated: now)
                    _ = try await store.insertDelayedRun(run, requestKey: nil, limit: .max)
                }
            }
        }
        try await group.waitForAll()
    }
    if pending > 0 { print("setup \(name): \(pending) delayed runs stored in \(ContinuousClock.now - started)") }
    return (store, action)
}

/// How long the scheduler takes from start until it holds `expected` delayed runs, and the
/// resident memory it then adds (after giving freed memory back, as `serve` does after start-up).
func measureLoad(_ store: SQLiteAutomationStore, expected: Int) async throws -> (seconds: Double, addedBytes: Int) {
    let runPath = RunPath(store: store, clock: SystemWallClock(), configuration: RunPath.Configuration(names: names), logger: logger)
    let publisher = NoPublisher()
    #if os(Linux)
    _ = malloc_trim(0)
    #endif
    let before = residentBytes()
    let scheduler = SchedulerService(store: store, runPath: runPath, publisher: publisher, clock: SystemWallClock(), logger: logger)
    let started = ContinuousClock.now
    let running = Task { try await scheduler.run() }
    while !scheduler.isLoaded { try await Task.sleep(for: .milliseconds(1)) }
    precondition(scheduler.queuedDelayedRuns == expected, "loaded \(scheduler.queuedDelayedRuns) runs, expected \(expected)")
    let elapsed = (ContinuousClock.now - started).inSeconds
    #if os(Linux)
    _ = malloc_trim(0)
    #endif
    let added = residentBytes() - before
    running.cancel()
    _ = try? await running.value
    return (elapsed, added)
}

/// Publishes nothing: the load measurement fires no run (all are in the future).
final class NoPublisher: PipelinePublisher {
    func publish(_ messages: [AMQPOutboundMessage]) {}
}

// 1. Start-up: the same database with and without the pending runs (median of 3 loads each).
let empty = try await prepare("empty.sqlite", pending: 0, together: Date().addingTimeInterval(3600))
let full = try await prepare("full.sqlite", pending: options.pending, together: Date().addingTimeInterval(3600))
var emptyLoads: [Double] = [], fullLoads: [Double] = [], added: [Int] = []
for _ in 0..<3 {
    emptyLoads.append(try await measureLoad(empty.store, expected: 0).seconds)
    let load = try await measureLoad(full.store, expected: options.pending)
    fullLoads.append(load.seconds)
    added.append(load.addedBytes)
}
let emptyLoad = emptyLoads.sorted()[1], fullLoad = fullLoads.sorted()[1], addedBytes = added.sorted()[1]
print(String(format: "scheduler start-up (load): %.1f ms without delayed runs, %.1f ms with %d (+%.1f ms)",
             emptyLoad * 1000, fullLoad * 1000, options.pending, (fullLoad - emptyLoad) * 1000))
print(String(format: "resident memory added by the loaded queue: %.1f MB = %.0f bytes per run", Double(addedBytes) / 1e6,
             Double(addedBytes) / Double(max(1, options.pending))))
try full.store.close()

// 2. Fire lag: a fresh database whose first `dueTogether` runs fall due in the same second.
var configuration = try AMQPConfiguration(url: url)
configuration.connectionName = prefix
let connection = try await AMQPConnection.connect(configuration, logger: logger)
let drain = try await AMQPConnection.connect(configuration, logger: logger)
let commandsQueue = "\(prefix).commands"
try await connection.declare(AMQPTopology(
    exchanges: [.init(name: names.commandsExchange, kind: .topic)],
    queues: [.init(name: commandsQueue, arguments: ["x-queue-type": .string("quorum")])],
    bindings: [.init(queue: commandsQueue, exchange: names.commandsExchange, routingKey: "#")]))
let received = Atomic<Int>(0)
_ = try await drain.consume(queue: commandsQueue, prefetch: 1000) { delivery in
    received.add(1, ordering: .relaxed)
    try? delivery.ack()
}

// The broker alone: `dueTogether` persistent publishes of a command's size, until the last confirm (median of 3).
var baselines: [Double] = []
for _ in 0..<3 {
    let answered = Atomic<Int>(0)
    let done = AsyncStream<Void>.makeStream()
    let started = ContinuousClock.now
    connection.publish((0..<options.dueTogether).map { index in
        AMQPOutboundMessage(
            [UInt8](repeating: UInt8(ascii: "x"), count: 800), exchange: names.commandsExchange, routingKey: "process.start.app",
            properties: AMQPProperties(contentType: "application/json", persistent: true, messageID: "baseline-\(index)"), mandatory: true
        ) { _ in if answered.add(1, ordering: .relaxed).newValue == options.dueTogether { done.continuation.yield() } }
    })
    for await _ in done.stream { break }
    baselines.append((ContinuousClock.now - started).inSeconds)
    try await Task.sleep(for: .milliseconds(300))
}
let baseline = baselines.sorted()[1]
print(String(format: "broker alone: %d persistent publishes confirmed in %.1f ms (median of 3)", options.dueTogether, baseline * 1000))

// Due well after the set-up; the scheduler starts (and loads) 3 s before.
let together = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 60).rounded(.up))
let lagged = try await prepare("lag.sqlite", pending: options.pending, together: together)
try await Task.sleep(for: .seconds(max(0, together.timeIntervalSinceNow - 3)))
let recorder = LagRecorder()
let runPath = RunPath(store: lagged.store, clock: SystemWallClock(), configuration: RunPath.Configuration(names: names), logger: logger)
let scheduler = SchedulerService(
    store: lagged.store, runPath: runPath, publisher: connection, clock: SystemWallClock(), logger: logger,
    onFired: { recorder.record($0) })
let group = ServiceGroup(services: [scheduler], logger: logger)
let running = Task { try await group.run() }
while recorder.sorted.count < options.dueTogether && Date() < together.addingTimeInterval(30) {
    try await Task.sleep(for: .milliseconds(50))
}
await group.triggerGracefulShutdown()
try await running.value
let lags = recorder.sorted
print(String(format: "%d runs due at one instant: fired %d; lag instant -> confirmed publish p50 %.1f ms, p99 %.1f ms, max %.1f ms",
             options.dueTogether, lags.count, percentile(lags, 0.5) * 1000, percentile(lags, 0.99) * 1000, (lags.last ?? .nan) * 1000))
let dispatched = try await lagged.store.delayedRuns(actionId: lagged.action.id, tenant: .default, status: .dispatched, page: PageRequest(limit: 1000)).items.count
print("dispatched in the store: \(dispatched); commands received: \(received.load(ordering: .relaxed))")
print(String(format: "RESULT pending=%d startup_without_ms=%.1f startup_with_ms=%.1f added_ms=%.1f bytes_per_run=%.0f due_together=%d fired=%d p50_ms=%.1f p99_ms=%.1f broker_alone_ms=%.1f",
             options.pending, emptyLoad * 1000, fullLoad * 1000, (fullLoad - emptyLoad) * 1000,
             Double(addedBytes) / Double(max(1, options.pending)), options.dueTogether, lags.count,
             percentile(lags, 0.5) * 1000, percentile(lags, 0.99) * 1000, baseline * 1000))

await drain.close()
try await connection.delete(queue: commandsQueue)
try await connection.delete(exchange: names.commandsExchange)
await connection.close()
