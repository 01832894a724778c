// The relay of ../shared/bench/relay.c through AMQPClient: consume `relay.in`, publish one
// persistent command per event to the `commands` exchange with confirms, ack the event only once
// its command is confirmed. Run by scripts/bench-relay.sh beside the C relay on the same broker.
//
//   RelayBenchmark -n 100000 -q 500 [-m handler|sequence]   (env RMQ_HOST RMQ_PORT RMQ_VHOST RMQ_USER RMQ_PASS)
//
// `-m handler` (default) handles deliveries on the connection's I/O thread; `-m sequence` iterates
// the consumer's AsyncSequence on Swift's pool; `-m batch` iterates `consumer.batches` and publishes
// each batch with one hand-off (the shape of a pipeline that records history per batch).
//
// Prints `RESULT relayed=N acked=N elapsed_s=S rate=R prefetch=P` like the C relay.
import AMQPClient
import Foundation
import Logging
import Synchronization

struct Options {
    enum Mode: String { case handler, sequence, batch }
    var count = 100_000
    var prefetch: UInt16 = 500
    var mode = Mode.handler

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { break }
            switch flag {
            case "-n": count = Int(value) ?? count
            case "-q": prefetch = UInt16(value) ?? prefetch
            case "-m": mode = Mode(rawValue: value) ?? mode
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// The value of a top-level `"key":"value"` pair, found the way relay.c finds it (no full parse).
func jsonString(_ body: [UInt8], key: String) -> String {
    let needle = Array("\"\(key)\":\"".utf8)
    guard body.count >= needle.count else { return "unknown" }
    var index = 0
    while index + needle.count <= body.count {
        if body[index] == needle[0], Array(body[index..<index + needle.count]) == needle {
            let start = index + needle.count
            var end = start
            while end < body.count, body[end] != UInt8(ascii: "\"") { end += 1 }
            return String(decoding: body[start..<end], as: UTF8.self)
        }
        index += 1
    }
    return "unknown"
}

let options = Options(arguments: CommandLine.arguments)
let environment = ProcessInfo.processInfo.environment
var configuration = AMQPConfiguration(
    host: environment["RMQ_HOST"] ?? "127.0.0.1", port: environment["RMQ_PORT"].flatMap(Int.init) ?? 5672,
    virtualHost: environment["RMQ_VHOST"] ?? "bench", user: environment["RMQ_USER"] ?? "guest",
    password: environment["RMQ_PASS"] ?? "guest", heartbeatSeconds: 30, connectionName: "swift-relay")
var logger = Logger(label: "relay")
logger.logLevel = .warning

let connection = try await AMQPConnection.connect(configuration, logger: logger)
let acked = Atomic<Int>(0)
let clock = ContinuousClock()
let firstDelivery = Mutex<ContinuousClock.Instant?>(nil)
let allAcked = AsyncStream<Void>.makeStream()

/// The command for one event: ack the event once the command is confirmed, requeue it if refused.
@Sendable func command(for delivery: AMQPDelivery) -> AMQPOutboundMessage {
    let id = jsonString(delivery.body, key: "id")
    let app = jsonString(delivery.body, key: "appId")
    let body = Array("{\"command\":\"process.start\",\"processId\":\"\(id)\",\"appId\":\"\(app)\"}".utf8)
    return AMQPOutboundMessage(
        body, exchange: "commands", routingKey: "process.start",
        properties: AMQPProperties(contentType: "application/json", messageID: id), mandatory: true
    ) { result in
        switch result {
        case .success:
            try? delivery.ack()
            if acked.add(1, ordering: .relaxed).newValue == options.count { allAcked.continuation.finish() }
        case .failure(let error):
            FileHandle.standardError.write(Data("publish failed: \(error)\n".utf8))
            try? delivery.nack(requeue: true)
        }
    }
}

@Sendable func relay(_ delivery: AMQPDelivery) {
    firstDelivery.withLock { if $0 == nil { $0 = clock.now } }
    connection.publish([command(for: delivery)])
}

switch options.mode {
case .handler:
    // Deliveries handled on the connection's I/O thread, like the single-threaded C relay.
    _ = try await connection.consume(queue: "relay.in", prefetch: options.prefetch, handler: relay)
case .sequence:
    // Deliveries through the AsyncSequence, handled on Swift's pool.
    let consumer = try await connection.consume(queue: "relay.in", prefetch: options.prefetch)
    var received = 0
    for try await delivery in consumer {
        relay(delivery)
        received += 1
        if received == options.count { break }
    }
case .batch:
    // Deliveries in the batches the connection read them in, one publish hand-off per batch.
    let consumer = try await connection.consume(queue: "relay.in", prefetch: options.prefetch)
    var received = 0
    for try await batch in consumer.batches {
        firstDelivery.withLock { if $0 == nil { $0 = clock.now } }
        connection.publish(batch.map(command(for:)))
        received += batch.count
        if received >= options.count { break }
    }
}
for await _ in allAcked.stream {}
let started = firstDelivery.withLock { $0 }
let elapsed = started.map { clock.now - $0 } ?? .zero
await connection.close()
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let total = acked.load(ordering: .relaxed)
print(String(format: "RESULT relayed=%d acked=%d elapsed_s=%.3f rate=%.0f prefetch=%d mode=%@",
             total, total, seconds, seconds > 0 ? Double(total) / seconds : 0, Int(options.prefetch), options.mode.rawValue))
