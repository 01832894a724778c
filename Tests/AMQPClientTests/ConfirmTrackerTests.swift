import Testing
@testable import AMQPClient

@Suite struct ConfirmTrackerTests {
    @Test func sequenceNumbersStartAtOne() {
        var tracker = ConfirmTracker<String>()
        #expect(tracker.register("a") == 1)
        #expect(tracker.register("b") == 2)
        #expect(tracker.outstanding == 2)
    }

    @Test func multipleAckResolvesEverythingUpToTheTag() {
        var tracker = ConfirmTracker<Int>()
        for token in 1...5 { _ = tracker.register(token) }
        let resolved = tracker.resolve(tag: 3, multiple: true, nack: false)
        #expect(resolved.map(\.token) == [1, 2, 3])
        #expect(resolved.allSatisfy { $0.outcome == .confirmed })
        #expect(tracker.outstanding == 2)
    }

    @Test func outOfOrderSingleAcksAndDuplicates() {
        var tracker = ConfirmTracker<Int>()
        for token in 1...3 { _ = tracker.register(token) }
        #expect(tracker.resolve(tag: 2, multiple: false, nack: false).map(\.token) == [2])
        #expect(tracker.resolve(tag: 2, multiple: false, nack: false).isEmpty, "already resolved")
        #expect(tracker.resolve(tag: 3, multiple: true, nack: true).map(\.outcome) == [.nacked, .nacked])
        #expect(tracker.outstanding == 0)
        #expect(tracker.resolve(tag: 7, multiple: true, nack: false).isEmpty, "never published")
        #expect(tracker.register(4) == 4, "numbering continues on the same channel")
    }

    @Test func returnedMessageResolvesAsReturnedOnItsAck() {
        var tracker = ConfirmTracker<String>()
        _ = tracker.register("routable")
        _ = tracker.register("lost")
        _ = tracker.register("lost")
        #expect(tracker.markReturned(replyCode: 312, replyText: "NO_ROUTE") { $0 == "lost" })
        let resolved = tracker.resolve(tag: 3, multiple: true, nack: false)
        #expect(resolved.map(\.outcome) == [.confirmed, .returned(replyCode: 312, replyText: "NO_ROUTE"), .confirmed])
        #expect(!tracker.markReturned(replyCode: 312, replyText: "NO_ROUTE") { _ in true }, "nothing left to match")
    }

    @Test func drainReturnsUnresolvedInOrderAndRestartsNumbering() {
        var tracker = ConfirmTracker<Int>()
        for token in 1...4 { _ = tracker.register(token) }
        _ = tracker.resolve(tag: 2, multiple: false, nack: false)
        #expect(tracker.drain() == [1, 3, 4])
        #expect(tracker.outstanding == 0)
        #expect(tracker.register(9) == 1)
    }

    @Test func manyPublishesStayConsistent() {
        var tracker = ConfirmTracker<Int>()
        var confirmed = 0
        for token in 1...10_000 {
            let sequence = tracker.register(token)
            if sequence % 100 == 0 { confirmed += tracker.resolve(tag: sequence, multiple: true, nack: false).count }
        }
        #expect(confirmed == 10_000)
        #expect(tracker.outstanding == 0)
        #expect(tracker.nextSequence == 10_001)
    }
}
