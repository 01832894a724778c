import AsyncHTTPClient
import Automation
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import StandardWebhooks
import Synchronization

/// Sends the requests of `webhook` items (issue 12): signed the Standard Webhooks way with the
/// action's signing secret, `webhook-id` and `Idempotency-Key` = the entry's id on every attempt;
/// connection errors, timeouts, 408, 429 and 5xx are retried with backoff up to
/// ``Configuration/attempts`` tries; then the entry closes `Success` or `Failed` (with the status
/// and the first 1 KiB of the answer), and the request leaves the outbox in the same transaction.
///
/// At start it sends again whatever the outbox holds (entries still Pending after a stop or a
/// crash), with the same ids. A request is sent by one task at a time (a copy queued while it is
/// under way is skipped), and always as the outbox holds it: one that left the outbox is not sent.
/// Logs and errors name the target by its origin: a URL's path may hold a credential.
public final class HTTPRequestSender: Service, Sendable {
    public struct Configuration: Sendable {
        public var targets: OutboundTargetPolicy
        /// Tries per request, the first included.
        public var attempts: Int
        /// The pause after the first failed try; doubled after each (with jitter).
        public var retryBackoff: StoreBackoff
        /// Requests under way at once.
        public var concurrency: Int

        public init(
            targets: OutboundTargetPolicy = OutboundTargetPolicy(), attempts: Int = 3,
            retryBackoff: StoreBackoff = StoreBackoff(initial: .seconds(1), maximum: .seconds(60)),
            concurrency: Int = 64
        ) {
            self.targets = targets
            self.attempts = max(1, attempts)
            self.retryBackoff = retryBackoff
            self.concurrency = max(1, concurrency)
        }
    }

    /// How much of an answer's body a failed entry keeps.
    public static let keptResponseBytes = 1024

    let queue: OutboundRequestQueue
    let store: any HTTPOutboxStore & RunHistoryStore
    let clock: any WallClock
    let configuration: Configuration
    let logger: Logger
    /// Told what closing an entry changed (a retry, a pause, notifications).
    let notifier: RecordedRunNotifier
    /// Requests being delivered (by process id): a copy queued meanwhile is skipped.
    private let underWay = Mutex<Set<ProcessID>>([])

    /// `notifier` must be the run path's: it tells the scheduler of the retries a close schedules.
    public init(
        queue: OutboundRequestQueue, store: any HTTPOutboxStore & RunHistoryStore, clock: any WallClock, configuration: Configuration = Configuration(),
        notifier: RecordedRunNotifier, logger: Logger
    ) {
        self.notifier = notifier
        self.queue = queue
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.decompression = .disabled
        clientConfiguration.timeout = .init(connect: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        // On shutdown requests under way are cancelled: their entries stay Pending in the outbox
        // and the next start sends them again, with the same webhook-id.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // Bounds the requests under way, not those waiting for their next try.
                let slots = AsyncSemaphore(permits: self.configuration.concurrency)
                if let recovered = await self.recoverOutbox(), !recovered.isEmpty {
                    self.logger.notice("sending again the HTTP requests of entries left Pending", metadata: ["requests": "\(recovered.count)"])
                    self.queue.send(recovered)
                }
                for await request in self.queue.requests {
                    guard self.underWay.withLock({ $0.insert(request.processId).inserted }) else { continue }
                    group.addTask {
                        await self.deliver(request.processId, client: client, slots: slots)
                        self.underWay.withLock { _ = $0.remove(request.processId) }
                    }
                }
            }
        }
        try? await client.shutdown()
    }

    /// The outbox, read with backoff while the store cannot (nil when cancelled).
    private func recoverOutbox() async -> [OutboundHTTPRequest]? {
        await StoreBackoff().retrying({ try await store.pendingHTTPRequests() }) { error, _ in
            logger.error("cannot read the outbox of HTTP requests; retrying", metadata: ["error": "\(error)"])
        }
    }

    // MARK: One request

    /// How one try ended.
    enum Attempt: Equatable {
        case succeeded(status: Int)
        /// Will fail the same way every time.
        case refused(String)
        /// May go through later.
        case failed(String)
    }

    /// Tries the request of `processId` until it succeeds, is refused, or runs out of attempts;
    /// closes its entry. What is sent is the request as the outbox holds it, read before each
    /// try: one whose entry closed meanwhile (a copy delivered, the entry pruned or its action
    /// deleted) is not sent again.
    func deliver(_ processId: ProcessID, client: HTTPClient, slots: AsyncSemaphore) async {
        var attempt = 0
        while !Task.isCancelled {
            guard let request = await pending(processId) else { return }
            attempt += 1
            await slots.acquire()
            let outcome = await send(request, client: client)
            slots.release()
            if Task.isCancelled { return }
            switch outcome {
            case .succeeded(let status):
                logger.info("HTTP request delivered", metadata: metadata(request, ["status": "\(status)", "attempt": "\(attempt)"]))
                await close(request, .success, nil)
                return
            case .refused(let reason):
                logger.warning("HTTP request failed", metadata: metadata(request, ["reason": "\(reason)", "attempt": "\(attempt)"]))
                await close(request, .failed, reason)
                return
            case .failed(let reason):
                guard attempt < configuration.attempts else {
                    logger.warning("HTTP request failed; no tries left", metadata: metadata(request, ["reason": "\(reason)", "attempt": "\(attempt)"]))
                    await close(request, .failed, "\(reason) (after \(attempt) attempts)")
                    return
                }
                let delay = configuration.retryBackoff.delay(afterAttempt: attempt)
                logger.notice("HTTP request failed; retrying", metadata: metadata(request, [
                    "reason": "\(reason)", "attempt": "\(attempt)", "retry_in": "\(delay)",
                ]))
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    /// The outbox's copy of the request, read with backoff while the store cannot (nil when it
    /// left the outbox, or when cancelled).
    private func pending(_ processId: ProcessID) async -> OutboundHTTPRequest? {
        let read = await StoreBackoff().retrying({ try await store.pendingHTTPRequest(processId: processId) }) { error, _ in
            logger.error("cannot read the outbox of HTTP requests; retrying", metadata: ["process_id": "\(processId)", "error": "\(error)"])
        }
        return read ?? nil
    }

    /// One try: the target checked, the request signed anew (a fresh timestamp) and sent.
    func send(_ request: OutboundHTTPRequest, client: HTTPClient) async -> Attempt {
        guard let url = URL(string: request.url), let host = url.host else { return .refused("config.url is not a URL that can be sent") }
        let addresses: [IPAddress]
        do {
            // getaddrinfo blocks: on NIO's thread pool, not the tasks' threads.
            addresses = try await NIOThreadPool.singleton.runIfActive { try OutboundTargetPolicy.resolve(host) }
        } catch {
            return .failed("\(error)")
        }
        for address in addresses {
            if let range = configuration.targets.refusal(of: address) {
                return .refused(
                    "refused to call \(host): \(address) is in a \(range) range; "
                        + "set webhooks.allowPrivateTargets: true to allow loopback, private and link-local targets")
            }
        }
        let credentials: WebhookCredentials
        do {
            credentials = try await store.signingCredentials(
                actionId: request.actionId, tenant: request.tenantId, creating: WebhookSecret.generate(), at: clock.now())
        } catch let error as AutomationError where error.code == .notFound {
            return .refused("the action was deleted")
        } catch {
            return .failed("the signing secret could not be read: \(error)")
        }

        let body = Array((request.body ?? "").utf8)
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        let now = clock.now()
        let keys = credentials.secrets(at: now).map(\.key)
        for header in StandardWebhooks.headers(
            keys: keys, messageID: request.deliveryId.description, timestamp: Int(now.timeIntervalSince1970), body: body)
        {
            outgoing.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        outgoing.headers.replaceOrAdd(name: "idempotency-key", value: request.deliveryId.description)
        outgoing.headers.replaceOrAdd(name: "user-agent", value: "Signalbox")
        if request.body != nil { outgoing.body = .bytes(ByteBuffer(bytes: body)) }

        let started = ContinuousClock.now
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(request.timeoutSeconds * 1000)))
            let status = Int(response.status.code)
            if request.succeeds(withStatus: status) { return .succeeded(status: status) }
            let excerpt = await Self.excerpt(of: response.body)
            var reason = "HTTP \(status) from \(request.method) \(Self.origin(of: request.url))"
            if (300...399).contains(status), let location = response.headers.first(name: "location") {
                reason += " (redirects are not followed; location: \(location.prefix(200)))"
            }
            if !excerpt.isEmpty { reason += ": \(excerpt)" }
            return status >= 500 || status == 408 || status == 429 ? .failed(reason) : .refused(reason)
        } catch {
            if Task.isCancelled { return .failed("cancelled") }
            let elapsed = ContinuousClock.now - started
            return .failed("\(request.method) \(Self.origin(of: request.url)): \(Self.describe(error)) after \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))")
        }
    }

    /// The first ``keptResponseBytes`` of a body, as text.
    static func excerpt(of body: HTTPClientResponse.Body) async -> String {
        var kept: [UInt8] = []
        do {
            for try await chunk in body {
                kept += chunk.readableBytesView.prefix(keptResponseBytes - kept.count)
                if kept.count >= keptResponseBytes { break }
            }
        } catch {}
        return String(decoding: kept, as: UTF8.self)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: "timed out"
        case let error as HTTPClientError where error == .connectTimeout: "connection timed out"
        default: "\(error)"
        }
    }

    /// Closes the entry, retrying while the store cannot write (the outbox keeps the request if it never can).
    private func close(_ request: OutboundHTTPRequest, _ outcome: ExecutionOutcome, _ reason: String?) async {
        let completion = ExecutionCompletionRequest(
            processId: request.processId, tenantId: request.tenantId, outcome: outcome, errorMessage: reason)
        _ = await StoreBackoff().retrying({ notifier.tell(try await store.record(RunRecord(completions: [completion], at: clock.now()))) }) { error, _ in
            logger.error("cannot close the entry of an HTTP request; retrying", metadata: metadata(request, ["error": "\(error)"]))
        }
    }

    /// `scheme://host[:port]` of `url`.
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return "?" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (components.port.map { ":\($0)" } ?? "")
    }

    private func metadata(_ request: OutboundHTTPRequest, _ extra: Logger.Metadata) -> Logger.Metadata {
        // The origin only: a path may carry a credential (Slack's, Teams' incoming-webhook URLs).
        var metadata: Logger.Metadata = [
            "action_id": "\(request.actionId)", "webhook_id": "\(request.deliveryId)", "method": "\(request.method)",
            "target": "\(Self.origin(of: request.url))",
        ]
        metadata.merge(extra) { $1 }
        return metadata
    }
}

/// Permits for work under way, awaited without blocking a thread.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(permits: Int) {
        state = Mutex(State(permits: permits))
    }

    /// Waits for a permit (a holder's ``release()``; cancellation does not end the wait).
    func acquire() async {
        if state.withLock({ state in
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }) { return }
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.permits > 0 {
                    state.permits -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.permits += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
