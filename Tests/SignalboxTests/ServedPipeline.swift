import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import SignalboxTestSupport
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `signalbox serve` as a child process (started, killed and restarted at will) with broker names,
/// a database and an HTTP port of its own, the test's connection to the same broker, and a queue
/// bound to the commands exchange that records every command's message-id.
final class ServedPipeline {
    let url: String
    let prefix: String
    let names: BrokerNames
    let commandsQueue: String
    let database: String
    /// Below Linux's ephemeral range (32768–60999), where outgoing connections take their ports.
    private(set) var port: Int
    let client: AMQPConnection
    let commands: MessageIDs
    /// Every child started so far, the last one current.
    private(set) var runs: [(process: Process, output: SignalboxProcess.OutputCollector)] = []
    private(set) var token = ""
    /// Set for every start, over ``environment``'s.
    var extraEnvironment: [String: String] = [:]
    /// Given to `serve` at every start (`--definitions DIR`).
    var extraArguments: [String] = []

    /// Message-ids seen, with how often each arrived.
    final class MessageIDs: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        var all: [String: Int] { counts.withLock { $0 } }
        var deliveries: Int { counts.withLock { $0.values.reduce(0, +) } }
        func record(_ id: String) { counts.withLock { $0[id, default: 0] += 1 } }
    }

    static func randomPort() -> Int { Int.random(in: 20_000...32_000) }

    /// Whether this pipeline declared the broker names and opened ``client`` (a replica shares them).
    private let ownsBroker: Bool

    /// Declares the service's topology (as `serve` will) plus the commands queue, and starts
    /// recording commands. Nothing is started yet.
    init(url: String, label: String, queueType: BrokerNames.QueueType = .quorum) async throws {
        self.url = url
        prefix = "test.\(label).\(UUID().uuidString.prefix(8).lowercased())"
        names = BrokerNames(
            eventsExchange: "\(prefix).events", eventsQueue: "\(prefix).events", eventsQueueType: queueType, commandsExchange: "\(prefix).commands", commandsQueue: nil,
            deadLetterExchange: "\(prefix).dlx", deadLetterQueue: "\(prefix).dlq")
        commandsQueue = "\(prefix).commands"
        database = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).sqlite").path
        port = Self.randomPort()
        commands = MessageIDs()

        var configuration = try AMQPConfiguration.testBroker(url, name: "\(prefix).test")
        // The broker-restart test restarts the broker under this connection too.
        configuration.reconnect = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        var logger = Logger(label: "served-pipeline")
        logger.logLevel = .critical
        client = try await AMQPConnection.connect(configuration, logger: logger)
        ownsBroker = true
        var topology = names.topology
        topology.queues.append(.init(name: commandsQueue))
        topology.bindings.append(.init(queue: commandsQueue, exchange: names.commandsExchange, routingKey: "#"))
        try await client.declare(topology)
        let commands = self.commands
        _ = try await client.consume(queue: commandsQueue, prefetch: 500) { delivery in
            commands.record(delivery.properties.messageID ?? "<no message-id>")
            try? delivery.ack()
        }
    }

    /// Another replica of `primary`'s service: the same broker names (its children compete for
    /// the one events queue), commands queue and count, token and settings, but an HTTP port and
    /// children of its own. ``cleanUp()`` of a replica only kills its child; the primary's removes
    /// the broker names.
    init(replicaOf primary: ServedPipeline) {
        url = primary.url
        prefix = primary.prefix
        names = primary.names
        commandsQueue = primary.commandsQueue
        database = primary.database
        port = Self.randomPort()
        client = primary.client
        commands = primary.commands
        token = primary.token
        extraEnvironment = primary.extraEnvironment
        extraArguments = primary.extraArguments
        ownsBroker = false
    }

    var environment: [String: String] {
        [
            "SIGNALBOX_HTTP_PORT": "\(port)", "SIGNALBOX_DATABASE_PATH": database, "SIGNALBOX_AMQP_URL": url,
            "SIGNALBOX_AMQP_EVENTS_EXCHANGE": names.eventsExchange, "SIGNALBOX_AMQP_EVENTS_QUEUE": names.eventsQueue,
            "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE": names.eventsQueueType.rawValue,
            "SIGNALBOX_AMQP_COMMANDS_EXCHANGE": names.commandsExchange,
            "SIGNALBOX_AMQP_DEAD_LETTER_EXCHANGE": names.deadLetterExchange,
            "SIGNALBOX_AMQP_DEAD_LETTER_QUEUE": names.deadLetterQueue, "SIGNALBOX_AMQP_CONNECTION_NAME": prefix,
            // The test binds its own commands queue (and counts every command in it).
            "SIGNALBOX_AMQP_COMMANDS_QUEUE": "",
            // Retention runs at every start; its default (1000 per action) would prune what the test counts.
            "SIGNALBOX_DATABASE_RETENTION_KEEP_LAST_PER_ACTION": "10000000",
        ]
    }

    var current: (process: Process, output: SignalboxProcess.OutputCollector)? { runs.last }

    /// All children's stderr, for failure messages.
    var log: String {
        runs.enumerated().map { "--- run \($0.offset + 1)\n\($0.element.output.current)" }.joined(separator: "\n")
    }

    /// Starts a child and waits until it consumes events; the first start also creates the admin token.
    func start() async throws {
        var attempt = 0
        while true {
            attempt += 1
            let (process, output) = try SignalboxProcess.launchServe(
                environment: environment.merging(extraEnvironment) { $1 }, arguments: extraArguments)
            runs.append((process, output))
            // Consuming and listening: the API may come up after the consumer (a loaded machine
            // saw a restart's first API call refused).
            let up = await eventually(timeout: .seconds(60)) {
                (output.current.contains("consuming events") && output.current.contains("Server started and listening")) || ChildProcess.hasExited(process)
            }
            if up && !ChildProcess.hasExited(process) { break }
            // Another test's serve or receiver took the random port first: take another.
            if ChildProcess.hasExited(process), output.current.contains("Address already in use"), attempt < 5 {
                runs.removeLast()
                port = Self.randomPort()
                continue
            }
            throw Failure("serve run \(runs.count) did not start:\n\(output.current)")
        }
        if token.isEmpty {
            let created = try await SignalboxProcess.run(
                ["token", "create", "--tenant", "default", "--role", "admin"],
                environment: ["SIGNALBOX_DATABASE_PATH": database].merging(extraEnvironment) { $1 })
            guard created.status == 0 else { throw Failure("token create failed: \(created.stderr)") }
            token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Sends `signal` (SIGHUP: reload the definitions) to the running child.
    func send(_ signal: Int32) throws {
        guard let process = current?.process, !ChildProcess.hasExited(process) else { throw Failure("serve is not running:\n\(log)") }
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    /// SIGKILL: no shutdown at all; whatever was in flight is the broker's to redeliver.
    func kill() async throws {
        guard let process = current?.process, !ChildProcess.hasExited(process) else { throw Failure("serve is not running:\n\(log)") }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        guard await eventually(timeout: .seconds(10), { ChildProcess.hasExited(process) }) else {
            throw Failure("serve survived SIGKILL")
        }
    }

    /// SIGTERM, and waits for the exit status.
    func stop() async throws -> Int32 {
        guard let process = current?.process, !ChildProcess.hasExited(process) else { throw Failure("serve is not running:\n\(log)") }
        process.terminate()
        guard await eventually(timeout: .seconds(40), { ChildProcess.hasExited(process) }), let ended = ChildProcess.termination(of: process) else {
            // What it was doing: its state and, while it still runs, every thread's stack.
            let hang = await SignalboxProcess.describeHang(of: process.processIdentifier)
            _ = Glibc.kill(process.processIdentifier, SIGKILL)
            throw Failure("serve did not stop on SIGTERM within 40 s; \(hang)\nits log ends:\n\(log.suffix(4_000))")
        }
        return ended.status
    }

    /// Kills a child still running; unless a replica, deletes the broker names and the database.
    func cleanUp() async {
        if let process = current?.process, !ChildProcess.hasExited(process) { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        guard ownsBroker else { return }
        for queue in [names.eventsQueue, names.deadLetterQueue, commandsQueue] { try? await client.delete(queue: queue) }
        for exchange in [names.eventsExchange, names.commandsExchange, names.deadLetterExchange] {
            try? await client.delete(exchange: exchange)
        }
        await client.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
    }

    // MARK: Broker

    /// Publishes `events` (mandatory, with confirms) and waits until the broker confirmed every one.
    func publish(_ events: [TestEvent]) async throws {
        let tally = PublishTally()
        for start in stride(from: 0, to: events.count, by: 500) {
            client.publish(tally.messages(events[start..<min(start + 500, events.count)], exchange: names.eventsExchange))
        }
        try await tally.confirmed()
    }

    /// Publishes ``TestEvent/mix(_:prefix:)`` events, 50 every `pace`, until the stream is
    /// finished (or `limit` were sent). During a reconnect the client holds them and publishes
    /// again what was not confirmed.
    func stream(pace: Duration, limit: Int = .max) -> EventStream {
        EventStream(client: client, exchange: names.eventsExchange, prefix: prefix, pace: pace, limit: limit)
    }

    final class EventStream: Sendable {
        let tally = PublishTally()
        private let task: Task<[TestEvent], Never>

        init(client: AMQPConnection, exchange: String, prefix: String, pace: Duration, limit: Int) {
            let tally = self.tally
            task = Task {
                var sent: [TestEvent] = []
                // A failed test closes the client.
                while sent.count < limit && !Task.isCancelled && !client.isClosed {
                    let chunk = TestEvent.mix(sent.count..<sent.count + 50, prefix: prefix)
                    client.publish(tally.messages(chunk[...], exchange: exchange))
                    sent += chunk
                    try? await Task.sleep(for: pace)
                }
                return sent
            }
        }

        /// Stops publishing; the events sent.
        func finish() async -> [TestEvent] {
            task.cancel()
            return await task.value
        }

        /// Waits until `limit` events were sent; the events sent.
        func sent() async -> [TestEvent] {
            await task.value
        }
    }

    /// The broker's answers to what was published through ``messages(_:exchange:)``.
    final class PublishTally: Sendable {
        private let sent = Atomic<Int>(0)
        private let answered = Atomic<Int>(0)
        private let refused = Mutex<[String]>([])

        /// `events` as persistent, mandatory messages whose confirms this tally counts.
        func messages(_ events: ArraySlice<TestEvent>, exchange: String) -> [AMQPOutboundMessage] {
            sent.add(events.count, ordering: .relaxed)
            return events.map { event in
                AMQPOutboundMessage(
                    Array(event.body.utf8), exchange: exchange, routingKey: event.routingKey,
                    properties: AMQPProperties(contentType: "application/json", persistent: true, messageID: event.id),
                    mandatory: true
                ) { result in
                    if case .failure(let error) = result { self.refused.withLock { $0.append("\(event.id): \(error)") } }
                    self.answered.add(1, ordering: .releasing)
                }
            }
        }

        /// Waits until every message sent was answered; throws unless all were confirmed.
        func confirmed() async throws {
            let count = sent.load(ordering: .relaxed)
            guard await eventually(timeout: .seconds(60), { answered.load(ordering: .acquiring) == count }) else {
                throw Failure("the broker answered \(answered.load(ordering: .acquiring)) of \(count) events")
            }
            let refused = self.refused.withLock { $0 }
            guard refused.isEmpty else { throw Failure("\(refused.count) events refused, e.g. \(refused.prefix(3))") }
        }
    }

    /// Ready messages in the events queue (not counting those delivered and unacked).
    func eventsReady() async throws -> Int {
        Int(try await client.queueStatus(names.eventsQueue).messageCount)
    }

    // MARK: REST API

    /// Creates an action of `items` app items with one message trigger; returns its id and the trigger's id.
    func createAction(items: Int, triggerType: TriggerType, filter: String) async throws -> (ActionID, TriggerID) {
        let actions = (0..<items).map { #"{"name":"Step \#($0)","config":{"$type":"app","version":{"id":"fault-app-\#($0)","version":1},"inputs":[]}}"# }
        let body = #"""
            {"name":"fault-action","description":"fault test","actions":[\#(actions.joined(separator: ","))],
             "messageTriggers":[{"name":"On match","triggerType":"\#(triggerType.rawValue)","eventFilter":"\#(filter)"}]}
            """#
        let created = try await call("POST", "/namespaces/faults/automated-actions", body: Data(body.utf8))
        guard created.status == 201, let action = try JSONSerialization.jsonObject(with: created.body) as? [String: Any],
            let id = (action["id"] as? String).flatMap(ActionID.init),
            let triggers = action["messageTriggers"] as? [[String: Any]],
            let trigger = (triggers.first?["id"] as? String).flatMap(TriggerID.init)
        else { throw Failure("creating the action answered \(created.status): \(created.text)") }
        return (id, trigger)
    }

    /// Every history entry of `action`, page after page: (source event id, item index) per entry.
    func history(of action: ActionID) async throws -> [(sourceEventId: String, itemIndex: Int)] {
        try await historyEntries(of: action).map { entry in
            guard let event = entry["sourceEventId"] as? String, let item = entry["itemIndex"] as? Int else {
                throw Failure("a history entry without sourceEventId or itemIndex: \(entry)")
            }
            return (event, item)
        }
    }

    /// Every history entry of `action` as JSON, page after page; `query` narrows it (`&triggerType=Manual`).
    func historyEntries(of action: some CustomStringConvertible, query: String = "") async throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        var cursor: String?
        repeat {
            var path = "/automated-actions/by-id/\(action)/history?limit=\(PageRequest.maximumLimit)\(query)"
            if let cursor { path += "&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)" }
            let answer = try await call("GET", path)
            guard answer.status == 200, let page = try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] else {
                throw Failure("history answered \(answer.status): \(answer.text.prefix(500))")
            }
            entries += page
            cursor = answer.header("X-Next-Cursor")
        } while cursor != nil
        return entries
    }

    /// A GET without a token (health, metrics): status and body.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        let answer = try await Self.get(path, port: port)
        return (answer.status, answer.text)
    }

    /// A GET without a token to the serve listening on `port`, given up after `timeout`.
    static func get(_ path: String, port: Int, timeout: Duration = .seconds(30)) async throws -> TestHTTP.Response {
        try await TestHTTP.send(.GET, "http://127.0.0.1:\(port)\(path)", timeout: timeout)
    }

    /// The value of `name` in the current child's `/metrics` (its series summed); nil when the
    /// metric is not there yet (a counter appears with its first increment).
    func metric(_ name: String) async throws -> Double? {
        let (status, body) = try await get("/metrics")
        guard status == 200 else { throw Failure("/metrics answered \(status)") }
        let values = body.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix(name), let next = line.dropFirst(name.count).first, next == " " || next == "{" else { return nil }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// A request with the admin token.
    func call(_ method: String, _ path: String, body: Data? = nil) async throws -> TestHTTP.Response {
        var headers = [("Authorization", "Bearer \(token)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await TestHTTP.send(.init(rawValue: method), "http://127.0.0.1:\(port)\(path)", headers: headers, body: body)
        return response
    }

    // MARK: Helpers

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// An event the test publishes, and whether the test's trigger should match it.
struct TestEvent: Sendable {
    let id: String
    let routingKey: String
    let body: String
    let matches: Bool

    /// `count` events, one in four matching `$.item.status == 'Finished' && $.item.appId == 'fault-app'`
    /// on AppProcessUpdated; the others miss it by status, by appId or by type.
    static func mix(_ count: Int, prefix: String) -> [TestEvent] {
        mix(0..<count, prefix: prefix)
    }

    /// Events `indices` of the mix.
    static func mix(_ indices: Range<Int>, prefix: String) -> [TestEvent] {
        indices.map { index in
            let id = "\(prefix)-e\(index)"
            let (type, status, app): (String, String, String) =
                switch index % 4 {
                case 0: ("AppProcessUpdated", "Finished", "fault-app")
                case 1: ("AppProcessUpdated", "Running", "fault-app")
                case 2: ("AppProcessUpdated", "Finished", "other-app")
                default: ("InteractionProcessUpdated", "Finished", "fault-app")
                }
            return TestEvent(
                id: id, routingKey: type,
                body: #"{"type":"\#(type)","id":"\#(id)","tenantId":"default","namespace":"faults","item":{"id":"\#(UUID().uuidString.lowercased())","appId":"\#(app)","status":"\#(status)"}}"#,
                matches: index % 4 == 0)
        }
    }

    static let filter = "$.item.status == 'Finished' && $.item.appId == 'fault-app'"
}
