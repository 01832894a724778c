import Automation
import Foundation
import Hummingbird

/// One client's `GET /history/stream`: Server-Sent Events of the history entries of the caller's
/// tenant, as they are recorded and closed.
///
/// Events: `ready` once subscribed, `history` (an ``ExecutionHistoryEntry``) per entry,
/// `dropped` (`{"count": n}`) when the client read too slowly and entries were skipped (reload
/// the history), and a comment line every ``heartbeat`` so that both sides notice a dead
/// connection. Another tenant's entry never leaves the server: each entry's action is looked up
/// as the caller (once per action), and entries of actions the caller cannot see are dropped.
///
/// The stream ends when the feed closes (``HistoryFeed/run()``: at a graceful shutdown, before
/// the HTTP server stops), so an open console never holds `serve`'s SIGTERM up; the browser
/// reconnects to whichever server answers.
struct HistoryStream: Sendable {
    static let heartbeat: Duration = .seconds(15)

    let subscription: HistoryFeed.Subscription
    let caller: Caller
    let service: AutomationService

    func run(writer: inout any ResponseBodyWriter) async throws {
        let (frames, sink) = AsyncStream.makeStream(
            of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(HistoryFeed.bufferPerSubscriber))
        let forward = Task { [subscription, caller, service] in
            var visible: [ActionID: Bool] = [:]
            for await entry in subscription.entries {
                let dropped = subscription.takeDropped()
                if dropped > 0 { sink.yield(Self.frame(event: "dropped", data: #"{"count":\#(dropped)}"#)) }
                if visible[entry.actionId] == nil {
                    do {
                        _ = try await service.action(.id(entry.actionId), as: caller)
                        visible[entry.actionId] = true
                    } catch let error as AutomationError where error.code == .notFound || error.code == .forbidden {
                        visible[entry.actionId] = false
                    } catch {
                        // The store failed for now: skip this entry, ask again for the next one.
                        continue
                    }
                }
                guard visible[entry.actionId] == true,
                    let data = try? AutomationJSON.encoder().encode(entry)
                else { continue }
                sink.yield(Self.frame(event: "history", data: String(decoding: data, as: UTF8.self)))
            }
            sink.finish()
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.heartbeat)
                sink.yield(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
        defer {
            forward.cancel()
            ticks.cancel()
        }
        try await writer.write(Self.frame(event: "ready", data: #"{"tenantId":"\#(caller.tenantId.rawValue)"}"#))
        for await frame in frames {
            try await writer.write(frame)
        }
        // The feed closed: end the chunked body, so that the client (and the server) see the end.
        try await writer.finish(nil)
    }

    /// One SSE event; `data` is one line of JSON (the encoder writes no newlines).
    static func frame(event: String, data: String) -> ByteBuffer {
        ByteBuffer(string: "event: \(event)\ndata: \(data.replacingOccurrences(of: "\n", with: "\ndata: "))\n\n")
    }
}
