/// Turns per-delivery settlements into as few frames as possible, for one consumer channel.
///
/// Acks are held back and sent as one `basic.ack(multiple)` for the longest settled prefix of
/// delivery tags; acks above a gap (a delivery still being processed) go out one by one once
/// `individualFlushThreshold` of them pile up or the I/O loop is idle. Nacks and rejects go out at
/// once. A pure value: no I/O, unit-tested on its own.
struct AckCoalescer: Sendable {
    enum Frame: Equatable, Sendable {
        case ack(tag: UInt64, multiple: Bool)
        case nack(tag: UInt64, multiple: Bool, requeue: Bool)
        case reject(tag: UInt64, requeue: Bool)
    }

    /// Every tag at or below this is settled on the wire.
    private(set) var watermark: UInt64 = 0
    private(set) var highestDelivered: UInt64 = 0
    /// Acked by the application, not yet on the wire.
    private var pendingAcks: Set<UInt64> = []
    /// The application acked every tag up to here with `multiple`; not yet on the wire.
    private var pendingAckUpTo: UInt64 = 0
    /// Already settled on the wire, above the watermark.
    private var settledAbove: Set<UInt64> = []
    let individualFlushThreshold: Int
    /// Unforced flushes hold a multiple ack back until it covers this many more tags: every ack
    /// frame costs the broker CPU, and the broker is the bottleneck of a relay.
    let multipleAckThreshold: UInt64
    /// The watermark of the last multiple ack held back or sent.
    private var heldSince: UInt64 = 0
    private var heldMultipleAckTag: UInt64?

    init(individualFlushThreshold: Int = 64, multipleAckThreshold: UInt64 = 1) {
        self.individualFlushThreshold = individualFlushThreshold
        self.multipleAckThreshold = max(1, multipleAckThreshold)
    }

    /// True when every delivery so far has been settled on the wire.
    var isFullySettled: Bool { watermark >= highestDelivered && heldMultipleAckTag == nil }

    mutating func delivered(tag: UInt64) {
        highestDelivered = max(highestDelivered, tag)
    }

    private func isOutstanding(_ tag: UInt64) -> Bool {
        tag > watermark && tag <= highestDelivered && !settledAbove.contains(tag)
    }

    /// Records a settlement; returns frames that must be sent now (nack and reject), in order.
    /// Tags never delivered or already settled are ignored: the broker would close the channel.
    mutating func settle(tag: UInt64, _ kind: SettlementKind) -> [Frame] {
        guard tag > watermark, tag <= highestDelivered else { return [] }
        switch kind {
        case .ack(multiple: false):
            if isOutstanding(tag) && tag > pendingAckUpTo { pendingAcks.insert(tag) }
            return []
        case .ack(multiple: true):
            pendingAckUpTo = max(pendingAckUpTo, tag)
            return []
        case .reject(let requeue):
            guard isOutstanding(tag), tag > pendingAckUpTo, !pendingAcks.contains(tag) else { return [] }
            settledAbove.insert(tag)
            return [.reject(tag: tag, requeue: requeue)]
        case .nack(multiple: false, let requeue):
            guard isOutstanding(tag), tag > pendingAckUpTo, !pendingAcks.contains(tag) else { return [] }
            settledAbove.insert(tag)
            return [.nack(tag: tag, multiple: false, requeue: requeue)]
        case .nack(multiple: true, let requeue):
            // A multiple nack would also nack what the application already acked: send those acks first.
            var frames = flush(force: true)
            if tag > watermark {
                frames.append(.nack(tag: tag, multiple: true, requeue: requeue))
                watermark = tag
                settledAbove = settledAbove.filter { $0 > tag }
            }
            return frames
        }
    }

    /// Frames for the acks held back: one multiple ack for the settled prefix, and individual acks
    /// above a gap when forced or when too many wait.
    mutating func flush(force: Bool) -> [Frame] {
        var frames: [Frame] = []
        // The broker refuses a multiple ack whose own tag is already settled ("unknown delivery
        // tag"), so the frame names the highest tag in the prefix that is still outstanding.
        var multipleAckTag = heldMultipleAckTag
        if pendingAckUpTo > watermark {
            var tag = pendingAckUpTo
            while tag > watermark, settledAbove.contains(tag) { tag -= 1 }
            if tag > watermark { multipleAckTag = tag }
            watermark = pendingAckUpTo
        }
        while true {
            let next = watermark + 1
            if pendingAcks.remove(next) != nil {
                multipleAckTag = next
            } else if settledAbove.remove(next) == nil {
                break
            }
            watermark = next
        }
        pendingAcks = pendingAcks.filter { $0 > watermark }
        settledAbove = settledAbove.filter { $0 > watermark }
        if let multipleAckTag {
            if force || watermark - heldSince >= multipleAckThreshold {
                frames.append(.ack(tag: multipleAckTag, multiple: true))
                heldMultipleAckTag = nil
                heldSince = watermark
            } else {
                heldMultipleAckTag = multipleAckTag
            }
        }
        if !pendingAcks.isEmpty, force || pendingAcks.count >= individualFlushThreshold {
            for tag in pendingAcks.sorted() {
                frames.append(.ack(tag: tag, multiple: false))
                settledAbove.insert(tag)
            }
            pendingAcks.removeAll(keepingCapacity: true)
        }
        return frames
    }

    /// A new channel starts tags at 1 again.
    mutating func reset() {
        self = AckCoalescer(individualFlushThreshold: individualFlushThreshold, multipleAckThreshold: multipleAckThreshold)
    }
}
