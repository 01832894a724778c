/// What the I/O thread knows about one consumer; kept across reconnects so it can be resumed.
final class ConsumerRecord {
    let id: Int
    let queue: String
    let prefetch: UInt16
    let tag: String
    let exclusive: Bool
    let arguments: AMQPTable
    let buffer: DeliveryBuffer
    /// Deliveries read in the current loop turn, handed to `buffer` in one batch at its end.
    var batch: [AMQPDelivery] = []
    /// The channel it consumes on in the current session; nil while disconnected.
    var channel: UInt16?
    /// Bumped with every new channel, so settlements of older deliveries are recognised as stale.
    var epoch = 0
    var coalescer: AckCoalescer
    /// `basic.cancel` was sent; the stream ends once what was delivered before it is handed out.
    var cancelled = false
    var streamFinished = false

    init(id: Int, queue: String, prefetch: UInt16, tag: String, exclusive: Bool, arguments: AMQPTable,
         buffer: DeliveryBuffer) {
        self.id = id
        self.queue = queue
        self.prefetch = prefetch
        self.tag = tag
        self.exclusive = exclusive
        self.arguments = arguments
        self.buffer = buffer
        // Batch acks like the C relay (every prefetch/2 under load); an idle loop flushes at once.
        self.coalescer = AckCoalescer(multipleAckThreshold: UInt64(max(1, prefetch / 2)))
    }
}
