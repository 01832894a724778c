import Automation
import Foundation
import Logging
import Testing

@testable import Engine

/// Which targets `webhook` items may call, and the sender sending only what the outbox holds.
/// The real HTTP round trips are in SignalboxTests/WebhookRequestTests.
@Suite("Outbound HTTP requests: target policy, the outbox as what is sent")
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
            ("[::1]", "loopback"), ("::a9fe:a9fe", "link-local"), ("2002:7f00:1::", "loopback"), ("2002:c0a8:101::1", "private"),
            ("64:ff9b:1::a", "private (local-use NAT64)"), ("192.0.0.8", "reserved (IETF protocol assignments)"),
            ("192.0.2.1", "documentation"), ("203.0.113.9", "documentation"),
        ])
    func restrictedRanges(address: String, range: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(parsed.restrictedRange == range)
        #expect(OutboundTargetPolicy().refusal(of: parsed) == range)
        #expect(OutboundTargetPolicy(allowPrivateTargets: true).refusal(of: parsed) == nil)
    }

    @Test(arguments: ["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "192.0.1.1", "2606:4700::1111", "::ffff:1.1.1.1", "64:ff9b::808:808", "2002:808:808::1"])
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

    // MARK: The sender against the target policy

    @Test("a request to a loopback target fails its entry without a connection; one no longer in the outbox is not sent")
    func privateTargetsAreRefused() async throws {
        let store = InMemoryAutomationStore()
        let clock = SystemWallClock()
        let item = ActionItem(name: "Notify", config: .webhook(HTTPRequestConfig(url: "http://localhost:9/hook")))
        let action = AutomatedAction(tenantId: .default, namespace: "production", name: "notify", actions: [item], dateCreated: clock.now(), dateUpdated: clock.now())
        try await store.insertAction(action)
        func entry(_ event: String) -> ExecutionHistoryEntry {
            ExecutionHistoryEntry(
                triggerType: .manual, triggerId: nil, actionId: action.id, processId: .random(), processType: .webhook, dateStarted: clock.now(),
                sourceEventId: event, itemIndex: 0)
        }
        func request(_ entry: ExecutionHistoryEntry) -> OutboundHTTPRequest {
            OutboundHTTPRequest(
                deliveryId: entry.id, processId: entry.processId, actionId: action.id, tenantId: .default, url: "http://localhost:9/hook",
                method: "POST", headers: [], body: "{}", timeoutSeconds: 1, expectStatus: nil)
        }
        let (recovered, gone, queued) = (entry("manual-1"), entry("manual-2"), entry("manual-3"))
        _ = try await store.record(RunRecord(history: [recovered], httpRequests: [request(recovered)], at: clock.now()))
        // `gone` is Pending but not in the outbox (as after a copy was delivered): never sent.
        _ = try await store.record(RunRecord(history: [gone], at: clock.now()))

        var logger = Logger(label: "outbound-tests")
        logger.logLevel = .critical
        let queue = OutboundRequestQueue()
        let sender = HTTPRequestSender(queue: queue, store: store, clock: clock, notifier: RecordedRunNotifier(), logger: logger)
        let running = Task { try await sender.run() }
        defer { running.cancel() }
        func closed(_ entry: ExecutionHistoryEntry) async throws -> ExecutionHistoryEntry? {
            for _ in 0..<200 {
                let stored = try await store.historyEntry(processId: entry.processId)
                if stored?.outcome != .pending { return stored }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
        let first = try await closed(recovered)
        #expect(first?.outcome == .failed, "the outbox is sent at start")
        let message = try #require(first?.errorMessage)
        #expect(message.hasPrefix("refused to call localhost: "), "\(message)")
        #expect(message.contains("is in a loopback range; set webhooks.allowPrivateTargets: true"), "\(message)")

        queue.send([request(gone)])
        _ = try await store.record(RunRecord(history: [queued], httpRequests: [request(queued)], at: clock.now()))
        queue.send([request(queued)])
        #expect(try await closed(queued)?.outcome == .failed)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await store.historyEntry(processId: gone.processId)?.outcome == .pending, "not in the outbox: not sent, not closed")
        #expect(try await store.pendingHTTPRequests().isEmpty, "a refused request leaves the outbox")
    }

    @Test func logsNameTheOriginOnly() {
        #expect(HTTPRequestSender.origin(of: "https://hooks.slack.com/services/T0/B0/secret?x=1") == "https://hooks.slack.com")
        #expect(HTTPRequestSender.origin(of: "http://[::1]:8080/a") == "http://[::1]:8080")
        #expect(HTTPRequestSender.origin(of: "not a url") == "?")
    }
}
