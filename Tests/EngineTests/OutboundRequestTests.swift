import Automation
import Foundation
import Logging
import Testing

@testable import Engine

/// Which targets `webhook` items may call, and the sender's bookkeeping of requests both queued
/// and recovered. The real HTTP round trips are in SignalboxTests/WebhookRequestTests.
@Suite("Outbound HTTP requests: target policy and delivery bookkeeping")
struct OutboundRequestTests {
    @Test(
        "restricted ranges are named; public addresses are not",
        arguments: [
            ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
            ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"), ("0.0.0.0", "unspecified"), ("198.18.0.1", "benchmarking"),
            ("224.0.0.1", "multicast"), ("255.255.255.255", "reserved"), ("::1", "loopback"), ("::", "unspecified"),
            ("fd00::1", "private (unique local)"), ("fe80::1", "link-local"), ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("64:ff9b::a9fe:a9fe", "link-local"),
            ("[::1]", "loopback"),
        ])
    func restrictedRanges(address: String, range: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(parsed.restrictedRange == range)
        #expect(OutboundTargetPolicy().refusal(of: parsed) == range)
        #expect(OutboundTargetPolicy(allowPrivateTargets: true).refusal(of: parsed) == nil)
    }

    @Test(arguments: ["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:1.1.1.1", "64:ff9b::808:808"])
    func publicAddressesMayBeCalled(address: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(parsed.restrictedRange == nil)
        #expect(OutboundTargetPolicy().refusal(of: parsed) == nil)
    }

    @Test func addressesPrintAndNamesResolve() throws {
        #expect(IPAddress("10.0.0.7")?.description == "10.0.0.7")
        #expect(IPAddress("fe80::1")?.description == "fe80:0:0:0:0:0:0:1")
        #expect(IPAddress("not-an-address") == nil && IPAddress("300.1.1.1") == nil)
        let localhost = try OutboundTargetPolicy.resolve("localhost")
        #expect(!localhost.isEmpty && localhost.allSatisfy { $0.restrictedRange == "loopback" })
        #expect(throws: OutboundTargetPolicy.ResolutionError.self) { try OutboundTargetPolicy.resolve("no-such-host.invalid") }
    }

    // MARK: Bookkeeping

    func request() -> OutboundHTTPRequest {
        OutboundHTTPRequest(
            deliveryId: .random(), processId: .random(), actionId: .random(), tenantId: .default, url: "http://h.example/",
            method: "POST", headers: [], body: nil, timeoutSeconds: 1, expectStatus: nil)
    }

    @Test func aRequestQueuedAndRecoveredIsSentOnce() {
        let (first, second, third) = (request(), request(), request())
        var deliveries = HTTPRequestSender.Deliveries()
        func begin(_ id: ProcessID) -> Bool { deliveries.begin(id) }
        // The run path handed `first` over and it was delivered while the outbox was read.
        #expect(begin(first.processId))
        #expect(!begin(first.processId), "not twice at once")
        deliveries.finish(first.processId)
        // `second` is under way as the outbox is read; `third` was queued and not begun yet.
        #expect(begin(second.processId))
        let recovered = deliveries.recover([first, second, third])
        #expect(recovered.map(\.processId) == [second.processId, third.processId], "what was delivered meanwhile is not resent")
        #expect(!begin(second.processId), "the recovered copy while the first is under way")
        deliveries.finish(second.processId)
        // `third`: whichever copy comes first is sent, the other is dropped.
        #expect(begin(third.processId))
        deliveries.finish(third.processId)
        #expect(!begin(third.processId))
        // Both copies seen: nothing of `third` is kept.
        #expect(begin(third.processId))
    }

    // MARK: The sender against the target policy

    @Test("a request to a loopback target fails its entry without a connection unless private targets are allowed")
    func privateTargetsAreRefused() async throws {
        let store = InMemoryAutomationStore()
        let clock = SystemWallClock()
        let item = ActionItem(name: "Notify", config: .webhook(HTTPRequestConfig(url: "http://localhost:9/hook")))
        let action = AutomatedAction(tenantId: .default, namespace: "production", name: "notify", actions: [item], dateCreated: clock.now(), dateUpdated: clock.now())
        try await store.insertAction(action)
        let entry = ExecutionHistoryEntry(
            triggerType: .manual, triggerId: nil, actionId: action.id, processId: .random(), processType: .webhook, dateStarted: clock.now(),
            sourceEventId: "manual-1", itemIndex: 0)
        let request = OutboundHTTPRequest(
            deliveryId: entry.id, processId: entry.processId, actionId: action.id, tenantId: .default, url: "http://localhost:9/hook",
            method: "POST", headers: [], body: "{}", timeoutSeconds: 1, expectStatus: nil)
        _ = try await store.record(RunRecord(history: [entry], httpRequests: [request], at: clock.now()))

        var logger = Logger(label: "outbound-tests")
        logger.logLevel = .critical
        let sender = HTTPRequestSender(queue: OutboundRequestQueue(), store: store, clock: clock, logger: logger)
        let running = Task { try await sender.run() }
        defer { running.cancel() }
        var closed: ExecutionHistoryEntry?
        for _ in 0..<200 {
            closed = try await store.historyEntry(processId: entry.processId)
            if closed?.outcome != .pending { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(closed?.outcome == .failed)
        let message = try #require(closed?.errorMessage)
        #expect(message.hasPrefix("refused to call localhost: "), "\(message)")
        #expect(message.contains("is in a loopback range; set webhooks.allowPrivateTargets: true"), "\(message)")
        #expect(try await store.pendingHTTPRequests().isEmpty, "a refused request leaves the outbox")
    }
}
