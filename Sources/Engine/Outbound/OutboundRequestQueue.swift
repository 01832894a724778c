import Automation

/// Recorded requests of `webhook` items on their way from the run path to ``HTTPRequestSender``.
/// Unbounded: everything in it is also in the store's outbox, recorded before it was queued.
public final class OutboundRequestQueue: Sendable {
    let requests: AsyncStream<OutboundHTTPRequest>
    private let continuation: AsyncStream<OutboundHTTPRequest>.Continuation

    public init() {
        (requests, continuation) = AsyncStream.makeStream()
    }

    public func send(_ requests: [OutboundHTTPRequest]) {
        for request in requests { continuation.yield(request) }
    }
}
