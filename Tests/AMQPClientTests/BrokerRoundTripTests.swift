import AMQPClient
import Foundation
import SignalboxTestSupport
import Testing

/// Publish, consume, settle and declare against the real broker.
@Suite struct BrokerRoundTripTests {
    @Test func publishedMessagesArriveWithTheirProperties() async throws {
        let connection = try await TestBroker.connect("roundtrip")
        let queue = try await TestBroker.scratchQueue(connection, "roundtrip")
        let stamp = Date(timeIntervalSince1970: 1_790_000_000)
        for index in 0..<10 {
            let properties = AMQPProperties(
                contentType: "application/json", headers: ["attempt": .int(Int64(index)), "source": "test", "flag": true],
                correlationID: "corr-\(index)", messageID: "msg-\(index)", timestamp: stamp, type: "AppProcessUpdated")
            try await connection.publish(Array("{\"n\":\(index)}".utf8), exchange: "", routingKey: queue, properties: properties)
        }
        let consumer = try await connection.consume(queue: queue, prefetch: 50)
        var received: [AMQPDelivery] = []
        for try await delivery in consumer {
            received.append(delivery)
            try delivery.ack()
            if received.count == 10 { break }
        }
        #expect(received.map { String(decoding: $0.body, as: UTF8.self) } == (0..<10).map { "{\"n\":\($0)}" })
        let first = try #require(received.first)
        #expect(first.properties.messageID == "msg-0")
        #expect(first.properties.correlationID == "corr-0")
        #expect(first.properties.type == "AppProcessUpdated")
        #expect(first.properties.contentType == "application/json")
        #expect(first.properties.timestamp == stamp)
        #expect(first.properties.persistent)
        #expect(first.properties.headers == ["attempt": .int(0), "source": .string("test"), "flag": .bool(true)])
        #expect(first.routingKey == queue && !first.redelivered)
        #expect(try await eventually { try await connection.queueStatus(queue).messageCount == 0 })
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func manyConcurrentPublishesAreAllConfirmed() async throws {
        let connection = try await TestBroker.connect("confirms")
        let queue = try await TestBroker.scratchQueue(connection, "confirms")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2000 {
                group.addTask { try await connection.publish(Array("m\(index)".utf8), exchange: "", routingKey: queue) }
            }
            try await group.waitForAll()
        }
        #expect(try await connection.queueStatus(queue).messageCount == 2000)
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func batchesAndBatchPublishesCarryEveryMessageOnce() async throws {
        let connection = try await TestBroker.connect("batches")
        let source = try await TestBroker.scratchQueue(connection, "batches-in")
        let sink = try await TestBroker.scratchQueue(connection, "batches-out")
        let confirmed = Collector<Int>()
        let done = AsyncStream<Void>.makeStream()
        connection.publish((0..<300).map { index in
            AMQPOutboundMessage(Array("\(index)".utf8), exchange: "", routingKey: source) { result in
                if case .success = result { Task { await confirmed.append(index); if await confirmed.count == 300 { done.continuation.finish() } } }
            }
        })
        for await _ in done.stream {}
        #expect(Set(await confirmed.values) == Set(0..<300))

        let consumer = try await connection.consume(queue: source, prefetch: 100)
        var seen: [String] = []
        var largestBatch = 0
        for try await batch in consumer.batches {
            #expect(!batch.isEmpty)
            largestBatch = max(largestBatch, batch.count)
            connection.publish(batch.map { delivery in
                AMQPOutboundMessage(delivery.body, exchange: "", routingKey: sink) { result in
                    if case .success = result { try? delivery.ack() }
                }
            })
            seen += batch.map { String(decoding: $0.body, as: UTF8.self) }
            if seen.count == 300 { break }
        }
        #expect(seen == (0..<300).map(String.init), "order and content kept")
        #expect(largestBatch <= 100, "never more than the prefetch at once")
        #expect(try await eventually { try await connection.queueStatus(sink).messageCount == 300 })
        #expect(try await eventually { try await connection.queueStatus(source).messageCount == 0 })
        try await connection.delete(queue: source)
        try await connection.delete(queue: sink)
        await connection.close()
    }

    @Test func unroutableMandatoryMessageIsReturned() async throws {
        let connection = try await TestBroker.connect("returns")
        let exchange = TestBroker.uniqueName("returns")
        try await connection.declare(AMQPTopology(exchanges: [.init(name: exchange, kind: .topic, durable: false, autoDelete: true)]))
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish(Array("x".utf8), exchange: exchange, routingKey: "nowhere", mandatory: true)
        }
        #expect(error?.code == .publishReturned)
        #expect(error?.replyCode == 312)
        // The same message without `mandatory` is simply confirmed (and dropped by the broker).
        try await connection.publish(Array("x".utf8), exchange: exchange, routingKey: "nowhere")
        await connection.close()
    }

    @Test func nackWithRequeueRedeliversAndRejectDeadLetters() async throws {
        let connection = try await TestBroker.connect("nack")
        let deadLetters = try await TestBroker.scratchQueue(connection, "dead")
        let queue = try await TestBroker.scratchQueue(
            connection, "nack", arguments: ["x-dead-letter-exchange": "", "x-dead-letter-routing-key": .string(deadLetters)])
        try await connection.publish(Array("poison".utf8), exchange: "", routingKey: queue)
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        var iterator = consumer.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(!first.redelivered)
        try first.nack(requeue: true)
        let second = try #require(try await iterator.next())
        #expect(second.redelivered)
        #expect(second.body == first.body)
        try second.reject(requeue: false)
        #expect(try await eventually { try await connection.queueStatus(deadLetters).messageCount == 1 })
        #expect(try await connection.queueStatus(queue).messageCount == 0)
        try await connection.delete(queue: queue)
        try await connection.delete(queue: deadLetters)
        await connection.close()
    }

    @Test func prefetchLimitsUnsettledDeliveries() async throws {
        let connection = try await TestBroker.connect("prefetch")
        let queue = try await TestBroker.scratchQueue(connection, "prefetch")
        for index in 0..<20 { try await connection.publish(Array("\(index)".utf8), exchange: "", routingKey: queue) }
        let consumer = try await connection.consume(queue: queue, prefetch: 5)
        let received = Collector<AMQPDelivery>()
        let reader = Task {
            for try await delivery in consumer { await received.append(delivery) }
        }
        #expect(await eventually { await received.count == 5 })
        try await Task.sleep(for: .milliseconds(400))
        #expect(await received.count == 5, "no sixth delivery while five are unsettled")
        try await received.values[0].ack()
        #expect(await eventually { await received.count == 6 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(await received.count == 6, "one settlement frees exactly one slot")
        try await consumer.cancel()
        _ = try await reader.value
        for delivery in await received.values.dropFirst() { try delivery.nack(requeue: true) }
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func redeclaringIsIdempotentAndAConflictIsAChannelErrorOnly() async throws {
        let connection = try await TestBroker.connect("declare")
        let name = TestBroker.uniqueName("declare")
        let topology = AMQPTopology(
            exchanges: [.init(name: name, kind: .topic)],
            queues: [.init(name: name, arguments: ["x-queue-type": "quorum"])],
            bindings: [.init(queue: name, exchange: name, routingKey: "AppProcessUpdated")])
        try await connection.declare(topology)
        try await connection.declare(topology)
        let conflict = await #expect(throws: AMQPError.self) {
            try await connection.declare(AMQPTopology(queues: [.init(name: name, arguments: ["x-queue-type": "classic"])]))
        }
        #expect(conflict?.code == .channelClosed)
        #expect(conflict?.replyCode == 406)
        try await connection.publish(Array("still works".utf8), exchange: name, routingKey: "AppProcessUpdated")
        #expect(try await connection.queueStatus(name).messageCount == 1)
        #expect(connection.sessionsEstablished == 1, "a channel error does not cost the connection")
        try await connection.delete(queue: name)
        try await connection.delete(exchange: name)
        await connection.close()
    }

    @Test func publishingToAMissingExchangeIsATypedErrorAndTheClientGoesOn() async throws {
        let connection = try await TestBroker.connect("missing-exchange")
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish(Array("x".utf8), exchange: TestBroker.uniqueName("absent"), routingKey: "k")
        }
        #expect(error?.code == .channelClosed)
        #expect(error?.replyCode == 404)
        #expect(error?.reason.contains("no exchange") == true)
        let queue = try await TestBroker.scratchQueue(connection, "after-404")
        try await connection.publish(Array("ok".utf8), exchange: "", routingKey: queue)
        #expect(try await connection.queueStatus(queue).messageCount == 1)
        #expect(connection.sessionsEstablished == 1)
        try await connection.delete(queue: queue)
        await connection.close()
    }

    @Test func closeFinishesConsumersAndRefusesNewWork() async throws {
        let connection = try await TestBroker.connect("close")
        let queue = try await TestBroker.scratchQueue(connection, "close")
        for index in 0..<5 { try await connection.publish(Array("\(index)".utf8), exchange: "", routingKey: queue) }
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let reader = Task { () -> Int in
            var count = 0
            for try await delivery in consumer {
                try delivery.ack()
                count += 1
            }
            return count
        }
        #expect(try await eventually { try await connection.queueStatus(queue).consumerCount == 1 })
        _ = try await eventually { try await connection.queueStatus(queue).messageCount == 0 }
        let checker = try await TestBroker.connect("close-checker")
        await connection.close()
        #expect(try await reader.value == 5, "the stream ends after close")
        #expect(connection.isClosed)
        let refused = await #expect(throws: AMQPError.self) {
            try await connection.publish(Array("late".utf8), exchange: "", routingKey: queue)
        }
        #expect(refused?.code == .closed)
        let status = try await checker.queueStatus(queue)
        #expect(status.messageCount == 0 && status.consumerCount == 0, "all five acked before the close")
        try await checker.delete(queue: queue)
        await checker.close()
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        var configuration = try TestBroker.configuration("bad-password")
        configuration.password = "definitely-wrong"
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error.map { "\($0)".contains("definitely-wrong") } == false)
    }

    @Test func nothingListeningIsAConnectionError() async throws {
        var configuration = try TestBroker.configuration("no-broker")
        configuration.port = 1
        let error = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(configuration, logger: TestBroker.logger)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.context.contains(":1") == true)
    }
}
