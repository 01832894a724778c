// Prepares what `signalbox serve` starts with, and times the real binary (scripts/bench-pipeline.sh,
// scripts/bench-startup.sh). Subcommands:
//
//   prepare  (--db PATH | --database-url URL) --triggers N [--schedules M]
//       A fresh SQLite file, or the empty PostgreSQL database at URL (migrated here, as `serve`
//       would), filled through AutomationService (validated, as the API would store them): N actions with one message trigger each, `$.item.status == 'Finished' && $.item.appId ==
//       'app-<i>'`, and M actions with one schedule each (every 5 minutes, hourly, daily, weekly
//       in a few zones). Each action has one app item.
//   topology --url URL --sink QUEUE [--queue-type quorum|classic]
//       Declares Signalbox's topology (default names) plus QUEUE bound to the commands exchange
//       with `#`, and purges the events, dead-letter and sink queues.
//   load     --url URL --exchange X --routing-key K --count N --apps A
//       Publishes N persistent events with confirms (window 2,000): event i is AppProcessUpdated,
//       status Finished, `appId` app-<i mod A>, a new UUID as message-id and item id.
//   serve    --binary PATH [--drain N --queue Q --sink S --url URL [--db PATH | --database-url URL]
//            [--postmaster PID]] [--api HOST:PORT[,HOST:PORT…]] [--log FILE] [--settle-ms MS]
//       Starts one `PATH serve` per --api address (configured through the SIGNALBOX_* environment,
//       SIGNALBOX_HTTP_HOST and _PORT from its address; replica k > 1 logs to FILE.rk) and prints
//       `RESULT start_consuming_ms=… start_api_ms=… rss_kb=… hwm_kb=…` (of the first replica);
//       with --drain, also times from the first "consuming events" until S holds N messages and Q
//       is empty (polled every 5 ms; gives up when no command arrived for 10 s), stops them with
//       SIGTERM and verifies (S holds exactly N, Q is empty, every replica exited 0, and with --db
//       the file, with --database-url the database, has N history rows): `drain_s=… rate=…
//       verify=PASS|FAIL`; `replicas=… consuming_spread_ms=…` (the last replica's "consuming
//       events" after the first's); the user+sys CPU time of the replicas, each from its own
//       "consuming events" until drained (/proc/PID/stat): `serve_cpu_s=… serve_us_per_event=…`;
//       with --postmaster, the PostgreSQL server's over the timed interval (the postmaster, its
//       live children and those it reaped): `pg_cpu_s=… pg_us_per_event=…`.
//   index    --db PATH [--runs R]
//       The trigger index's share of start-up, in this process: reading the definitions with
//       compiling overlapped as serve does, then the two phases one after the other (medians of
//       R runs, default 3), and VmRSS after the first overlapped build (later runs reuse freed
//       memory): `RESULT overlapped_ms=… read_ms=… build_ms=… rss_index_kb=…`.
import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import PostgresNIO
import PostgresStore
import SQLiteStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct Failure: Error, CustomStringConvertible {
    let description: String
}

/// `--flag value` pairs.
struct Arguments {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) throws {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard flag.hasPrefix("--"), let value = iterator.next() else { throw Failure(description: "expected --flag value, got \(flag)") }
            values[String(flag.dropFirst(2))] = value
        }
    }

    func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw Failure(description: "missing --\(name)") }
        return value
    }

    func optional(_ name: String) -> String? { values[name] }

    func int(_ name: String, default fallback: Int? = nil) throws -> Int {
        if let text = values[name] {
            guard let value = Int(text) else { throw Failure(description: "--\(name) \(text): not a number") }
            return value
        }
        guard let fallback else { throw Failure(description: "missing --\(name)") }
        return fallback
    }
}

let clock = ContinuousClock()

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

var quietLogger: Logger {
    var logger = Logger(label: "serve-benchmark")
    logger.logLevel = .warning
    return logger
}

/// For PostgreSQL's pool: its "run() hasn't been called yet" warning (the pool's task starts
/// beside the first query, which waits for it) is noise here.
var postgresLogger: Logger {
    var logger = Logger(label: "serve-benchmark-postgres")
    logger.logLevel = .error
    return logger
}

// MARK: prepare

func prepare(_ arguments: Arguments) async throws {
    let triggers = try arguments.int("triggers")
    let schedules = try arguments.int("schedules", default: 0)
    let start = clock.now
    let location: String
    if let url = arguments.optional("database-url") {
        try await withPostgres(url) { client in
            try await fill(try await PostgresAutomationStore(client: client, logger: postgresLogger), triggers: triggers, schedules: schedules)
        }
        location = try PostgresStoreConfiguration(url: url, key: "--database-url").description
    } else {
        let path = try arguments.string("db")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SQLiteAutomationStore(path: path)
        try await fill(store, triggers: triggers, schedules: schedules)
        try store.close()
        location = path
    }
    print("prepared \(location): \(triggers) triggers, \(schedules) schedules in \(Int(milliseconds(clock.now - start))) ms")
}

/// The actions of `prepare`, stored through AutomationService.
func fill(_ store: any AutomationStore, triggers: Int, schedules: Int) async throws {
    let service = AutomationService(store: store, clock: SystemWallClock())
    _ = try await service.bootstrap()
    let caller = Caller(tenantId: .default, role: .admin)
    let item = ActionItem(
        name: "Run", config: .app(AppConfig(
            version: VersionReference(id: "a1b2c3d4-5678-90ab-cdef-1234567890ab", version: 1),
            inputs: [NameValuePair(name: "format", value: "pdf")])))
    for i in 0..<triggers {
        _ = try await service.createAction(
            CreateActionRequest(
                name: "on-app-\(i)", actions: [item],
                messageTriggers: [AddTriggerRequest(
                    name: "app-\(i) finished", triggerType: .appProcessUpdated,
                    eventFilter: "$.item.status == 'Finished' && $.item.appId == 'app-\(i)'")]),
            namespace: "production", as: caller)
    }
    let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    for i in 0..<schedules {
        let schedule: AddScheduleRequest =
            switch i % 4 {
            case 0: AddScheduleRequest(name: "every 5 minutes", minute: "*/5", timeZone: zones[i % zones.count])
            case 1: AddScheduleRequest(name: "hourly", minute: "\(i % 60)", timeZone: zones[i % zones.count])
            case 2: AddScheduleRequest(name: "daily", minute: "\(i % 60)", hour: "\(i % 24)", timeZone: zones[i % zones.count])
            default: AddScheduleRequest(name: "weekly", minute: "0", hour: "9", dayOfWeek: "\(1 + i % 5)", timeZone: zones[i % zones.count])
            }
        _ = try await service.createAction(
            CreateActionRequest(name: "scheduled-\(i)", actions: [item], schedules: [schedule]),
            namespace: "production", as: caller)
    }
}

/// Runs `body` with a running postgres-nio pool for the database at `url`.
func withPostgres<Result: Sendable>(_ url: String, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
    let client = try await PostgresStoreConfiguration(url: url, key: "--database-url").makeClient(logger: postgresLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

// MARK: topology, load

func connect(_ arguments: Arguments, name: String) async throws -> AMQPConnection {
    var configuration = try AMQPConfiguration(url: try arguments.string("url"))
    configuration.connectionName = name
    return try await AMQPConnection.connect(configuration, logger: quietLogger)
}

func topology(_ arguments: Arguments) async throws {
    let connection = try await connect(arguments, name: "serve-benchmark-topology")
    let type = BrokerNames.QueueType(rawValue: arguments.optional("queue-type") ?? "quorum") ?? .quorum
    let names = BrokerNames(eventsQueueType: type)
    let sink = try arguments.string("sink")
    var topology = names.topology
    topology.queues.append(.init(name: sink, arguments: ["x-queue-type": .string(type.rawValue)]))
    topology.bindings.append(.init(queue: sink, exchange: names.commandsExchange, routingKey: "#"))
    try await connection.declare(topology)
    for queue in [names.eventsQueue, names.deadLetterQueue, sink] { try await connection.purge(queue: queue) }
    await connection.close()
}

/// Confirms of one window of publishes.
final class Window: Sendable {
    private let state = Mutex<(left: Int, failed: Int, waiter: CheckedContinuation<Int, Never>?)>((0, 0, nil))

    func expect(_ count: Int) { state.withLock { $0.left = count } }

    func confirmed(_ result: Result<Void, AMQPError>) {
        let resume: (CheckedContinuation<Int, Never>, Int)? = state.withLock { state in
            if case .failure = result { state.failed += 1 }
            state.left -= 1
            guard state.left == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.failed)
        }
        if let (waiter, failed) = resume { waiter.resume(returning: failed) }
    }

    func wait() async -> Int {
        await withCheckedContinuation { continuation in
            let failed: Int? = state.withLock { state in
                if state.left == 0 { return state.failed }
                state.waiter = continuation
                return nil
            }
            if let failed { continuation.resume(returning: failed) }
        }
    }
}

func load(_ arguments: Arguments) async throws {
    let connection = try await connect(arguments, name: "serve-benchmark-load")
    let exchange = try arguments.string("exchange"), routingKey = try arguments.string("routing-key")
    let count = try arguments.int("count"), apps = try arguments.int("apps")
    let window = Window()
    let start = clock.now
    var published = 0
    while published < count {
        let size = min(2_000, count - published)
        window.expect(size)
        connection.publish((published..<published + size).map { i in
            let id = UUID().uuidString.lowercased()
            let body = """
                {"type":"AppProcessUpdated","id":"\(id)","tenantId":"default","namespace":"production",\
                "item":{"id":"\(UUID().uuidString.lowercased())","appId":"app-\(i % apps)","status":"Finished",\
                "previousStatus":"Running","dateStarted":"2026-01-05T08:58:12Z","dateCompleted":"2026-01-05T09:00:41Z"}}
                """
            return AMQPOutboundMessage(
                Array(body.utf8), exchange: exchange, routingKey: routingKey,
                properties: AMQPProperties(contentType: "application/json", persistent: true, messageID: id),
                mandatory: true, onConfirm: window.confirmed)
        })
        let failed = await window.wait()
        guard failed == 0 else { throw Failure(description: "\(failed) events were refused by the broker") }
        published += size
    }
    await connection.close()
    print("loaded \(count) events in \(Int(milliseconds(clock.now - start))) ms")
}

// MARK: serve

/// VmRSS and VmHWM of a process, in kB.
func memory(of pid: Int32) -> (rss: Int, hwm: Int) {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return (field("VmRSS"), field("VmHWM"))
}

/// True when an HTTP server on host:port answers a request (any status: the API is up).
func httpAnswers(host: String, port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return false }
    let request = "GET /health/live HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    guard send(fd, request, request.utf8.count, 0) > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 16)
    return recv(fd, &buffer, buffer.count, 0) >= 12 && buffer.starts(with: Array("HTTP/1.1 ".utf8))
}

// MARK: CPU time

let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

/// The fields of /proc/PID/stat after the command name (the first is field 3, `state`); nil when
/// the process is gone.
func statFields(_ pid: Int32) -> [Substring]? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let name = text.lastIndex(of: ")"),
        case let fields = text[text.index(after: name)...].split(separator: " "), fields.count > 14
    else { return nil }
    return fields
}

/// User plus system CPU time of a process, all its threads, in clock ticks (fields 14, 15).
func cpuTicks(_ fields: [Substring]) -> Int { (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) }

/// User plus system CPU time of a process, in seconds; 0 when it is gone.
func cpuSeconds(of pid: Int32) -> Double { (statFields(pid).map(cpuTicks) ?? 0).seconds }

/// The CPU time of a PostgreSQL server, in seconds: the postmaster's own, what its children that
/// ended had spent (cutime, cstime: the postmaster reaps its backends), and what its live children
/// (backends, checkpointer, WAL writer, autovacuum workers…) have spent so far. The difference of
/// two readings is what the server spent in between, also when backends start or end meanwhile.
func serverCPUSeconds(postmaster: Int32) -> Double {
    guard let own = statFields(postmaster) else { return 0 }
    var ticks = cpuTicks(own) + (Int(own[13]) ?? 0) + (Int(own[14]) ?? 0)
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), pid != postmaster, let fields = statFields(pid), Int32(fields[1]) == postmaster else { continue }
        ticks += cpuTicks(fields)
    }
    return ticks.seconds
}

extension Int {
    var seconds: Double { Double(self) / ticksPerSecond }
}

/// What was read when each replica logged "consuming events": its CPU time and the PostgreSQL
/// server's (the latter only from the first replica's reading is used).
final class Readings: Sendable {
    private let values = Mutex<[Int: (serve: Double, server: Double?)]>([:])

    func consuming(_ replica: Int, serve: Double, server: Double?) { values.withLock { $0[replica] = (serve, server) } }

    subscript(replica: Int) -> (serve: Double, server: Double?)? { values.withLock { $0[replica] } }
}

/// The child's stderr, line by line, copied to a log file; notes when a line first contains a
/// marker, and tells `onFirst` then (on the reading thread).
final class LogWatcher: Sendable {
    private let seen = Mutex<[String: ContinuousClock.Instant]>([:])

    func start(
        _ handle: FileHandle, markers: [String], copyTo log: FileHandle, onFirst: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                log.write(chunk)
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    let now = clock.now
                    for marker in markers where line.contains(marker) {
                        let first = seen.withLock { seen in
                            guard seen[marker] == nil else { return false }
                            seen[marker] = now
                            return true
                        }
                        if first { onFirst(marker) }
                    }
                }
            }
        }
    }

    func instant(_ marker: String) -> ContinuousClock.Instant? { seen.withLock { $0[marker] } }
}

func serve(_ arguments: Arguments) async throws {
    let binary = try arguments.string("binary")
    let apis: [(host: String, port: UInt16)] = (arguments.optional("api") ?? "127.0.0.1:8080").split(separator: ",").map { api in
        let parts = api.split(separator: ":")
        return (String(parts[0]), parts.count > 1 ? UInt16(parts[1]) ?? 8080 : 8080)
    }
    let drain = try arguments.int("drain", default: 0)
    let logPath = arguments.optional("log") ?? "/dev/null"
    let postmaster = arguments.optional("postmaster").flatMap { Int32($0) }

    var observer: AMQPConnection?
    var queue = "", sink = ""
    if drain > 0 {
        observer = try await connect(arguments, name: "serve-benchmark-observer")
        queue = try arguments.string("queue")
        sink = try arguments.string("sink")
    }

    let readings = Readings()
    let launched = clock.now
    let replicas: [(process: Process, watcher: LogWatcher)] = try apis.enumerated().map { replica, api in
        let path = replica == 0 || logPath == "/dev/null" ? logPath : "\(logPath).r\(replica + 1)"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", arguments.optional("config") ?? "config/signalbox.yaml"]
        var environment = ProcessInfo.processInfo.environment
        environment["SIGNALBOX_HTTP_HOST"] = api.host
        environment["SIGNALBOX_HTTP_PORT"] = String(api.port)
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let pid = process.processIdentifier
        let watcher = LogWatcher()
        watcher.start(stderr.fileHandleForReading, markers: ["consuming events", "trigger index built", "critical"], copyTo: log) { marker in
            guard marker == "consuming events" else { return }
            readings.consuming(replica, serve: cpuSeconds(of: pid), server: postmaster.map { serverCPUSeconds(postmaster: $0) })
        }
        return (process, watcher)
    }
    let pids = replicas.map { $0.process.processIdentifier }
    let allRunning = { replicas.allSatisfy { $0.process.isRunning } }
    let consumingAt = { replicas.compactMap { $0.watcher.instant("consuming events") } }

    var apiAnswered = [ContinuousClock.Instant?](repeating: nil, count: apis.count)
    while allRunning() && (apiAnswered.contains(nil) || consumingAt().count < replicas.count) {
        for (replica, api) in apis.enumerated() where apiAnswered[replica] == nil && httpAnswers(host: api.host, port: api.port) {
            apiAnswered[replica] = clock.now
        }
        if clock.now - launched > .seconds(300) { break }
        try await Task.sleep(for: .milliseconds(2))
    }
    guard allRunning(), consumingAt().count == replicas.count, let consuming = replicas[0].watcher.instant("consuming events"),
        let apiFirst = apiAnswered[0], !apiAnswered.contains(nil)
    else {
        for (process, _) in replicas where process.isRunning { process.terminate() }
        let exits = replicas.map { $0.process.isRunning ? "-1" : "\($0.process.terminationStatus)" }
        throw Failure(description: "signalbox serve did not start (exit \(exits.joined(separator: ", "))); see \(logPath)")
    }
    let started = memory(of: pids[0])
    var line = String(
        format: "RESULT start_consuming_ms=%.0f start_api_ms=%.0f index_ms=%.0f rss_kb=%d hwm_kb=%d",
        milliseconds(consuming - launched), milliseconds(apiFirst - launched),
        replicas[0].watcher.instant("trigger index built").map { milliseconds($0 - launched) } ?? -1, started.rss, started.hwm)

    if let observer {
        // The timed interval starts when the first replica consumes.
        let instants = consumingAt()
        let first = replicas.indices.min { instants[$0] < instants[$1] }!
        var drained: ContinuousClock.Instant?
        var progress = (delivered: UInt32(0), at: clock.now)
        while allRunning() && clock.now - progress.at < .seconds(10) {
            let delivered = try await observer.queueStatus(sink).messageCount
            if delivered >= drain, try await observer.queueStatus(queue).messageCount == 0 {
                drained = clock.now
                break
            }
            if delivered != progress.delivered { progress = (delivered, clock.now) }
            try await Task.sleep(for: .milliseconds(5))
        }
        let serveCPU = pids.indices.reduce(0.0) { $0 + cpuSeconds(of: pids[$1]) - (readings[$1]?.serve ?? 0) }
        let serverCPU = postmaster.map { serverCPUSeconds(postmaster: $0) - (readings[first]?.server ?? 0) }
        let busy = memory(of: pids[0])
        for pid in pids { kill(pid, SIGTERM) }
        for (process, _) in replicas { process.waitUntilExit() }
        let left = try await observer.queueStatus(queue).messageCount
        let commands = try await observer.queueStatus(sink).messageCount
        await observer.close()
        var history = -1
        if let path = arguments.optional("db") {
            history = try await SQLiteAutomationStore(path: path).diagnostics().rowCounts["executionHistory"] ?? -1
        } else if let url = arguments.optional("database-url") {
            history = try await withPostgres(url) { client in
                for try await count in try await client.query("SELECT count(*) FROM execution_history", logger: postgresLogger).decode(Int.self) {
                    return count
                }
                return -1
            }
        }
        let verify = drained != nil && left == 0 && commands == UInt32(drain) && replicas.allSatisfy { $0.process.terminationStatus == 0 }
            && (history == -1 || history == drain)
        let seconds = drained.map { milliseconds($0 - instants[first]) / 1e3 } ?? 0
        line += String(
            format: " drain_s=%.3f rate=%.0f rss_after_kb=%d hwm_after_kb=%d commands=%d history=%d events_left=%d verify=%@",
            seconds, seconds > 0 ? Double(drain) / seconds : 0, busy.rss, busy.hwm, Int(commands), history, Int(left),
            verify ? "PASS" : "FAIL")
        line += String(
            format: " replicas=%d consuming_spread_ms=%.0f serve_cpu_s=%.3f serve_us_per_event=%.1f",
            replicas.count, milliseconds(instants.max()! - instants[first]), serveCPU, serveCPU * 1e6 / Double(drain))
        if let serverCPU { line += String(format: " pg_cpu_s=%.3f pg_us_per_event=%.1f", serverCPU, serverCPU * 1e6 / Double(drain)) }
    } else {
        // Memory once start-up work (index, schedules, first retention pass) has settled.
        try await Task.sleep(for: .milliseconds(try arguments.int("settle-ms", default: 2_000)))
        let settled = memory(of: pids[0])
        line += " rss_settled_kb=\(settled.rss) hwm_settled_kb=\(settled.hwm)"
        for pid in pids { kill(pid, SIGTERM) }
        for (process, _) in replicas { process.waitUntilExit() }
    }
    print(line)
}

// MARK: index

func index(_ arguments: Arguments) async throws {
    let store = try SQLiteAutomationStore(path: try arguments.string("db"))
    let runs = try arguments.int("runs", default: 3)
    let pid = ProcessInfo.processInfo.processIdentifier
    var reads: [Double] = [], builds: [Double] = [], overlapped: [Double] = [], rssOverlapped = 0
    for run in 0..<runs {
        // As serve does it: filters compile chunk by chunk while the rest is read.
        var start = clock.now
        let assembly = TriggerIndex.Assembly()
        try await store.actionsWithEnabledTriggers(inChunksOf: 5_000) { assembly.add($0) }
        let streamed = await assembly.build()
        overlapped.append(milliseconds(clock.now - start))
        if run == 0 { rssOverlapped = memory(of: pid).rss }
        withExtendedLifetime(streamed) {}

        // The two phases one after the other.
        start = clock.now
        let actions = try await store.actionsWithEnabledTriggers()
        let read = clock.now
        let built = await TriggerIndex.building(actions)
        reads.append(milliseconds(read - start))
        builds.append(milliseconds(clock.now - read))
        print("index run: \(actions.count) actions, \(built.count) triggers; read and build overlapped \(Int(overlapped.last!)) ms; "
            + "read \(Int(reads.last!)) ms, then build \(Int(builds.last!)) ms")
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    print(String(
        format: "RESULT overlapped_ms=%.0f read_ms=%.0f build_ms=%.0f rss_index_kb=%d",
        median(overlapped), median(reads), median(builds), rssOverlapped))
}

// MARK: main

let command = CommandLine.arguments.dropFirst().first ?? ""
do {
    let arguments = try Arguments(CommandLine.arguments.dropFirst(2))
    switch command {
    case "prepare": try await prepare(arguments)
    case "topology": try await topology(arguments)
    case "load": try await load(arguments)
    case "serve": try await serve(arguments)
    case "index": try await index(arguments)
    default: throw Failure(description: "usage: ServeBenchmark prepare|topology|load|serve|index --flag value …")
    }
} catch {
    FileHandle.standardError.write(Data("ServeBenchmark \(command): \(error)\n".utf8))
    exit(1)
}
