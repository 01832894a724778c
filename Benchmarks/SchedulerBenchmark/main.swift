// Schedule lag: N schedules firing every second (`* * * * * *`), run by the real scheduler over
// a SQLite file and the broker; lag = confirmed publish − scheduled instant, per occurrence.
// Run by scripts/bench-scheduler.sh.
//
//   SchedulerBenchmark [-s 10000] [-d 20] [-w 3] [-b 500]     (env SIGNALBOX_BENCH_AMQP_URL)
//
// -s schedules, -d seconds measured, -w seconds of warm-up not counted, -b the scheduler's chunk. Prints the time
// the broker alone takes to confirm -s persistent publishes (same exchange and queue, before the scheduler starts),
// the lag percentiles and `RESULT schedules=… fired=… p50_ms=… p99_ms=… broker_alone_ms=…`.
import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import SQLiteStore
import ServiceLifecycle
import SignalboxTestSupport
import Synchronization

struct Options {
    var schedules = 10_000
    var seconds = 20
    var warmUp = 3
    var batchSize = SchedulerService.Configuration().batchSize

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init) else { break }
            switch flag {
            case "-s": schedules = value
            case "-d": seconds = value
            case "-w": warmUp = value
            case "-b": batchSize = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

let options = Options(arguments: CommandLine.arguments)
var logger = Logger(label: "scheduler-bench")
logger.logLevel = .warning
let url = ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
let prefix = "bench.scheduler.\(UUID().uuidString.prefix(8).lowercased())"
let names = BrokerNames(
    eventsExchange: "\(prefix).events", eventsQueue: "\(prefix).events", commandsExchange: "\(prefix).commands",
    deadLetterExchange: "\(prefix).dlx", deadLetterQueue: "\(prefix).dlq")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

// Definitions: one action per schedule, each with one app item.
let store = try SQLiteAutomationStore(path: directory.appendingPathComponent("signalbox.sqlite").path)
let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
    [{"name": "Generate Report", "config": {"$type": "app",
      "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1},
      "inputs": [{"name": "reportType", "value": "daily-summary"}]}}]
    """#.utf8))
let created = Date()
let setupStart = ContinuousClock.now
for index in 0..<options.schedules {
    var schedule = CronScheduleDefinition(name: "every second", cron: "* * * * * *", dateCreated: created)
    schedule.nextOccurrence = try schedule.makeSchedule().next(after: created)
    var action = AutomatedAction(
        tenantId: .default, namespace: "bench", name: "action-\(index)", actions: items, schedules: [schedule],
        dateCreated: created, dateUpdated: created)
    action.refreshNextScheduledRun()
    try await store.insertAction(action)
}
print("setup: \(options.schedules) actions with one every-second schedule each in \(ContinuousClock.now - setupStart)")

// Broker: the commands exchange and a queue that a consumer drains (acks), as in production.
var configuration = try AMQPConfiguration(url: url)
configuration.connectionName = prefix
let connection = try await AMQPConnection.connect(configuration, logger: logger)
let drain = try await AMQPConnection.connect(configuration, logger: logger)
let commandsQueue = "\(prefix).commands"
try await connection.declare(AMQPTopology(
    exchanges: [.init(name: names.commandsExchange, kind: .topic)],
    // As serve declares it by default: the events queue's type, quorum (SIGNALBOX_BENCH_QUEUE_TYPE=classic to compare).
    queues: [.init(name: commandsQueue, arguments: [
        "x-queue-type": .string(ProcessInfo.processInfo.environment["SIGNALBOX_BENCH_QUEUE_TYPE"] ?? "quorum"),
    ])],
    bindings: [.init(queue: commandsQueue, exchange: names.commandsExchange, routingKey: "#")]))
let received = Atomic<Int>(0)
_ = try await drain.consume(queue: commandsQueue, prefetch: 1000) { delivery in
    received.add(1, ordering: .relaxed)
    try? delivery.ack()
}

// The broker alone: `schedules` persistent messages of a command's size to the same exchange and
// queue in one hand-off, timed until the last confirm (median of 3). The scheduler's lag cannot be
// lower than this when all schedules fall due at one instant.
func brokerAlone() async throws -> Double {
    var runs: [Double] = []
    let body = [UInt8](repeating: UInt8(ascii: "x"), count: 700)
    for _ in 0..<3 {
        let answered = Atomic<Int>(0)
        let started = ContinuousClock.now
        let done = AsyncStream<Void>.makeStream()
        connection.publish((0..<options.schedules).map { index in
            AMQPOutboundMessage(
                body, exchange: names.commandsExchange, routingKey: "process.start.app",
                properties: AMQPProperties(contentType: "application/json", persistent: true, messageID: "baseline-\(index)"),
                mandatory: true
            ) { _ in
                if answered.add(1, ordering: .relaxed).newValue == options.schedules { done.continuation.yield() }
            }
        })
        for await _ in done.stream { break }
        let elapsed = ContinuousClock.now - started
        runs.append(elapsed.inSeconds)
        try await Task.sleep(for: .milliseconds(500))
    }
    return runs.sorted()[1]
}
let baseline = try await brokerAlone()
print(String(format: "broker alone: %d persistent publishes confirmed in %.1f ms (median of 3)", options.schedules, baseline * 1000))

let startedAt = Date()
let recorder = LagRecorder(countFrom: startedAt.addingTimeInterval(Double(options.warmUp)))
let runPath = RunPath(
    store: store, clock: SystemWallClock(), configuration: RunPath.Configuration(names: names), logger: logger)
let scheduler = SchedulerService(
    store: store, runPath: runPath, publisher: connection, clock: SystemWallClock(),
    configuration: SchedulerService.Configuration(batchSize: options.batchSize), logger: logger,
    onFired: { recorder.record($0) })
let group = ServiceGroup(services: [scheduler], logger: logger)
let running = Task { try await group.run() }
try await Task.sleep(for: .seconds(options.warmUp + options.seconds))
await group.triggerGracefulShutdown()
try await running.value
let stoppedAt = Date()

let lags = recorder.sorted
let rss = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map(String.init) ?? "VmHWM: ?"
print(String(format: "fired (after warm-up): %d occurrences in %d s = %.0f/s (expected %d/s)",
             lags.count, options.seconds, Double(lags.count) / Double(options.seconds), options.schedules))
print(String(format: "lag scheduled instant -> confirmed publish: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
             percentile(lags, 0.5) * 1000, percentile(lags, 0.9) * 1000, percentile(lags, 0.99) * 1000,
             (lags.last ?? .nan) * 1000))
print("commands received by the drain consumer: \(received.load(ordering: .relaxed)) in \(Int(stoppedAt.timeIntervalSince(startedAt))) s; \(rss)")
print(String(format: "RESULT batch=%d schedules=%d fired=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f broker_alone_ms=%.1f p99_minus_broker_ms=%.1f",
             options.batchSize, options.schedules, lags.count, percentile(lags, 0.5) * 1000, percentile(lags, 0.99) * 1000,
             (lags.last ?? .nan) * 1000, baseline * 1000, (percentile(lags, 0.99) - baseline) * 1000))

await drain.close()
try await connection.delete(queue: commandsQueue)
try await connection.delete(exchange: names.commandsExchange)
await connection.close()
