import Testing
@testable import AMQPClient

@Suite struct AckCoalescerTests {
    private func delivered(_ count: UInt64) -> AckCoalescer {
        var coalescer = AckCoalescer(individualFlushThreshold: 4)
        for tag in 1...count { coalescer.delivered(tag: tag) }
        return coalescer
    }

    @Test func contiguousAcksBecomeOneMultipleAck() {
        var coalescer = delivered(5)
        for tag: UInt64 in [2, 1, 3] { #expect(coalescer.settle(tag: tag, .ack(multiple: false)).isEmpty) }
        #expect(coalescer.flush(force: false) == [.ack(tag: 3, multiple: true)])
        #expect(coalescer.watermark == 3)
        #expect(!coalescer.isFullySettled)
        #expect(coalescer.flush(force: false).isEmpty)
    }

    @Test func acksAboveAGapWaitUntilForcedOrThresholdReached() {
        var coalescer = delivered(10)
        _ = coalescer.settle(tag: 3, .ack(multiple: false))
        _ = coalescer.settle(tag: 5, .ack(multiple: false))
        #expect(coalescer.flush(force: false).isEmpty)
        #expect(coalescer.flush(force: true) == [.ack(tag: 3, multiple: false), .ack(tag: 5, multiple: false)])
        // Once 1, 2 and 4 are acked the prefix covers everything up to 5 without resending 3 and 5.
        for tag: UInt64 in [1, 2, 4] { _ = coalescer.settle(tag: tag, .ack(multiple: false)) }
        #expect(coalescer.flush(force: false) == [.ack(tag: 4, multiple: true)])
        #expect(coalescer.watermark == 5)
        for tag: UInt64 in [7, 8, 9, 10] { _ = coalescer.settle(tag: tag, .ack(multiple: false)) }
        #expect(coalescer.flush(force: false).count == 4, "threshold of 4 pending acks flushes them individually")
    }

    @Test func nackAndRejectGoOutImmediatelyAndCountAsSettled() {
        var coalescer = delivered(3)
        #expect(coalescer.settle(tag: 1, .nack(multiple: false, requeue: true)) == [.nack(tag: 1, multiple: false, requeue: true)])
        #expect(coalescer.settle(tag: 2, .reject(requeue: false)) == [.reject(tag: 2, requeue: false)])
        _ = coalescer.settle(tag: 3, .ack(multiple: false))
        #expect(coalescer.flush(force: false) == [.ack(tag: 3, multiple: true)])
        #expect(coalescer.isFullySettled)
    }

    @Test func prefixOfOnlyNacksSendsNoAck() {
        var coalescer = delivered(2)
        _ = coalescer.settle(tag: 1, .reject(requeue: true))
        _ = coalescer.settle(tag: 2, .reject(requeue: true))
        #expect(coalescer.flush(force: true).isEmpty)
        #expect(coalescer.isFullySettled)
    }

    @Test func multipleNackFlushesHeldAcksFirst() {
        var coalescer = delivered(4)
        _ = coalescer.settle(tag: 2, .ack(multiple: false))
        let frames = coalescer.settle(tag: 4, .nack(multiple: true, requeue: true))
        #expect(frames == [.ack(tag: 2, multiple: false), .nack(tag: 4, multiple: true, requeue: true)])
        #expect(coalescer.isFullySettled)
    }

    @Test func multipleAckFromTheApplication() {
        var coalescer = delivered(6)
        _ = coalescer.settle(tag: 4, .ack(multiple: true))
        #expect(coalescer.flush(force: false) == [.ack(tag: 4, multiple: true)])
        #expect(!coalescer.isFullySettled)
    }

    @Test func settlingTwiceOrUnknownTagsSendsNothing() {
        var coalescer = delivered(2)
        _ = coalescer.settle(tag: 1, .ack(multiple: false))
        _ = coalescer.flush(force: true)
        #expect(coalescer.settle(tag: 1, .reject(requeue: true)).isEmpty, "already settled")
        #expect(coalescer.settle(tag: 9, .nack(multiple: false, requeue: true)).isEmpty, "never delivered")
        _ = coalescer.settle(tag: 9, .ack(multiple: false))
        #expect(coalescer.flush(force: true).isEmpty)
    }

    @Test func unforcedFlushesHoldMultipleAcksUntilTheThreshold() {
        var coalescer = AckCoalescer(multipleAckThreshold: 3)
        for tag: UInt64 in 1...5 { coalescer.delivered(tag: tag) }
        _ = coalescer.settle(tag: 1, .ack(multiple: false))
        _ = coalescer.settle(tag: 2, .ack(multiple: false))
        #expect(coalescer.flush(force: false).isEmpty, "two tags are below the threshold of three")
        #expect(!coalescer.isFullySettled)
        _ = coalescer.settle(tag: 3, .ack(multiple: false))
        #expect(coalescer.flush(force: false) == [.ack(tag: 3, multiple: true)])
        _ = coalescer.settle(tag: 4, .ack(multiple: false))
        _ = coalescer.settle(tag: 5, .reject(requeue: true))
        #expect(coalescer.flush(force: false).isEmpty)
        #expect(coalescer.flush(force: true) == [.ack(tag: 4, multiple: true)], "the frame names an outstanding tag")
        #expect(coalescer.isFullySettled)
    }

    @Test func resetStartsOver() {
        var coalescer = delivered(3)
        _ = coalescer.settle(tag: 1, .ack(multiple: false))
        coalescer.reset()
        #expect(coalescer.isFullySettled)
        #expect(coalescer.flush(force: true).isEmpty)
    }
}
