import Automation
import Foundation
import SignalboxTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#endif

/// `webhook` items end to end: `signalbox serve` sends them to a receiver that checks every
/// request with the Standard Webhooks reference library (scripts/peers/webhook_receiver.py), over
/// real sockets on 127.0.0.1 — retries, timeouts, a refusal, rotation and a restart included.
@Suite struct WebhookRequestTests {
    /// The receiver: its port, what it logged, and the secrets file it verifies with.
    final class Receiver {
        let process: Process
        let output: SignalboxProcess.OutputCollector
        let secretsFile: URL
        let logFile: URL
        let port: Int

        init() async throws {
            let pythonPath = try #require(
                ProcessInfo.processInfo.environment["SIGNALBOX_TEST_PYTHONPATH"],
                "SIGNALBOX_TEST_PYTHONPATH is not set: run the tests with scripts/test.sh, which installs the Python standardwebhooks package")
            let directory = FileManager.default.temporaryDirectory
            secretsFile = directory.appendingPathComponent("receiver-secrets-\(UUID().uuidString)")
            logFile = directory.appendingPathComponent("receiver-log-\(UUID().uuidString)")
            try Data().write(to: secretsFile)
            let (process, collected) = try SignalboxProcess.launch(
                executable: "/usr/bin/env",
                [
                    "PYTHONPATH=\(pythonPath)", "python3",
                    SignalboxProcess.repositoryRoot.appendingPathComponent("scripts/peers/webhook_receiver.py").path,
                    secretsFile.path, logFile.path,
                ])
            self.process = process
            output = collected
            guard await eventually(timeout: .seconds(60), { collected.current.contains("\n") || ChildProcess.hasExited(process) }),
                let line = collected.current.split(separator: "\n").first,
                let port = try (JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["port"] as? Int
            else { throw ServedPipeline.Failure("the receiver did not start: \(collected.current)") }
            self.port = port
        }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

        func trust(_ secrets: [String]) throws {
            try Data(secrets.joined(separator: "\n").utf8).write(to: secretsFile)
        }

        /// Every request logged so far, in order.
        func requests() throws -> [[String: Any]] {
            guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        }

        func requests(to path: String) throws -> [[String: Any]] { try requests().filter { $0["path"] as? String == path } }

        func stop() {
            if !ChildProcess.hasExited(process) { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: secretsFile)
            try? FileManager.default.removeItem(at: logFile)
        }
    }

    @Test func requestsAreSignedRetriedTimedOutAndSentAgainAfterARestart() async throws {
        let receiver = try await Receiver()
        defer { receiver.stop() }
        let served = try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: "webhook-out")
        served.extraEnvironment = [
            "SIGNALBOX_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true", "SIGNALBOX_WEBHOOKS_RETRY_INITIAL_MILLISECONDS": "100",
        ]
        do {
            try await served.start()
            // One action, one run: each item is a receiver behaviour.
            let items: [(path: String, extra: String)] = [
                ("/ok", #","headers":{"x-order":{"$fromEvent":"$.payload.order"}},"body":{"order":{"$fromEvent":"$.payload.order"},"fixed":1}"#),
                ("/fail-twice", #","body":"plain text""#),
                ("/status/404", ""),
                ("/hang", #","timeoutSeconds":0.5"#),
                ("/status/503", ""),
            ]
            let (action, hook) = try await createAction(served, items.map { #"{"$type":"webhook","url":"\#(receiver.url($0.path))"\#($0.extra)}"# })
            let secret = try await signingSecret(served, action)
            let other = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            try receiver.trust([secret, other])

            let runId = try await callWebhook(served, hook, payload: #"{"order":"o-17"}"#)
            let entries = try await settledHistory(served, action, count: items.count)
            #expect(entries.allSatisfy { $0["sourceEventId"] as? String == runId })
            func entry(_ index: Int) -> [String: Any] { entries.first { $0["itemIndex"] as? Int == index } ?? [:] }

            // /ok: signed (by the action's secret only), values read from the webhook's payload.
            let ok = try receiver.requests(to: "/ok")
            #expect(ok.count == 1)
            let headers = ok.first?["headers"] as? [String: String] ?? [:]
            #expect(ok.first?["verifiedBy"] as? [Int] == [0], "verified by the action's secret, not by another")
            #expect(headers["webhook-id"] == entry(0)["id"] as? String, "webhook-id is the entry's id")
            #expect(headers["idempotency-key"] == headers["webhook-id"])
            #expect(headers["x-order"] == "o-17")
            #expect(headers["content-type"] == "application/json")
            let body = try JSONSerialization.jsonObject(with: Data((ok.first?["body"] as? String ?? "").utf8)) as? [String: Any]
            #expect(body?["order"] as? String == "o-17" && body?["fixed"] as? Int == 1)
            #expect(entry(0)["outcome"] as? String == "Success")
            #expect(entry(0)["processType"] as? String == "Webhook")

            // /fail-twice: 500, 500, 200 with one webhook-id, every attempt signed.
            let retried = try receiver.requests(to: "/fail-twice")
            #expect(retried.count == 3)
            #expect(Set(retried.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }).count == 1)
            #expect(retried.allSatisfy { $0["verifiedBy"] as? [Int] == [0] }, "\(retried)")
            #expect(retried.first?["body"] as? String == "plain text")
            #expect(entry(1)["outcome"] as? String == "Success")

            // /status/404: not retried; the status and the answer kept.
            #expect(try receiver.requests(to: "/status/404").count == 1)
            #expect(entry(2)["outcome"] as? String == "Failed")
            #expect((entry(2)["errorMessage"] as? String)?.contains("HTTP 404") == true)
            #expect((entry(2)["errorMessage"] as? String)?.contains("answer 404") == true)

            // /hang: three attempts that time out.
            #expect(try receiver.requests(to: "/hang").count == 3)
            #expect(entry(3)["outcome"] as? String == "Failed")
            #expect((entry(3)["errorMessage"] as? String)?.contains("timed out") == true, "\(entry(3))")

            // /status/503: retried, then failed with the count.
            #expect(try receiver.requests(to: "/status/503").count == 3)
            #expect((entry(4)["errorMessage"] as? String)?.contains("HTTP 503") == true)
            #expect((entry(4)["errorMessage"] as? String)?.contains("after 3 attempts") == true)

            // Rotation: during the grace, requests carry both signatures.
            let rotated = try await jsonObject(served.call("POST", "/automated-actions/by-id/\(action)/signing-secret/rotate"))
            let newSecret = try #require(rotated["secret"] as? String)
            #expect(rotated["previousSecret"] as? String == secret)
            try receiver.trust([secret, newSecret])
            _ = try await callWebhook(served, hook, payload: #"{"order":"o-18"}"#)
            _ = try await settledHistory(served, action, count: 2 * items.count)
            #expect(try receiver.requests(to: "/ok").last?["verifiedBy"] as? [Int] == [0, 1], "signed with the old and the new secret")
            try await restartWithAPendingRequest(served, receiver)
        } catch {
            Issue.record("\(error)\n\(served.log)")
        }
        await served.cleanUp()
    }

    /// SIGKILL while a request waits for its answer: the next start sends it again with the same
    /// webhook-id, and its entry closes.
    private func restartWithAPendingRequest(_ served: ServedPipeline, _ receiver: Receiver) async throws {
        let (action, hook) = try await createAction(served, [#"{"$type":"webhook","url":"\#(receiver.url("/hang-once"))","timeoutSeconds":100}"#], name: "restart")
        try receiver.trust([try await signingSecret(served, action)])
        _ = try await callWebhook(served, hook, payload: "{}")
        guard try await eventually(timeout: .seconds(60), { try receiver.requests(to: "/hang-once").count == 1 }) else {
            throw ServedPipeline.Failure("the request did not arrive")
        }
        try await served.kill()
        try await served.start()
        let entries = try await settledHistory(served, action, count: 1)
        let sent = try receiver.requests(to: "/hang-once")
        #expect(sent.count == 2)
        #expect(Set(sent.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }) == [entries[0]["id"] as? String ?? ""])
        #expect(sent.allSatisfy { $0["verifiedBy"] as? [Int] == [0] })
        #expect(entries[0]["outcome"] as? String == "Success")
    }

    // MARK: Helpers

    /// An action of `items` (item configs) with a webhook that takes `?secret=`; its id and the webhook's path.
    private func createAction(_ served: ServedPipeline, _ items: [String], name: String = "outbound") async throws -> (String, String) {
        let actions = items.enumerated().map { #"{"name":"Item \#($0.offset)","config":\#($0.element)}"# }
        let created = try await jsonObject(served.call(
            "POST", "/namespaces/out/automated-actions", body: Data(#"{"name":"\#(name)","actions":[\#(actions.joined(separator: ","))]}"#.utf8)))
        let action = try #require(created["id"] as? String, "\(created)")
        let hook = try await jsonObject(served.call(
            "POST", "/automated-actions/by-id/\(action)/webhooks",
            body: Data(#"{"name":"in","allowSecretParameter":true,"rateLimit":{"perSecond":100,"burst":100}}"#.utf8)))
        let url = try #require(hook["url"] as? String), secret = try #require(hook["secret"] as? String)
        return (action, "\(url)?secret=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret)")
    }

    private func signingSecret(_ served: ServedPipeline, _ action: String) async throws -> String {
        try #require(try await jsonObject(served.call("GET", "/automated-actions/by-id/\(action)/signing-secret"))["secret"] as? String)
    }

    /// Calls the webhook; returns the run id.
    private func callWebhook(_ served: ServedPipeline, _ path: String, payload: String) async throws -> String {
        let answer = try await jsonObject(served.call("POST", path, body: Data(payload.utf8)))
        return try #require(answer["runId"] as? String, "\(answer)")
    }

    /// The action's history once `count` entries exist and none is Pending.
    private func settledHistory(_ served: ServedPipeline, _ action: String, count: Int) async throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let history = try await served.call("GET", "/automated-actions/by-id/\(action)/history?limit=100")
            entries = history.status == 200 ? (try JSONSerialization.jsonObject(with: history.body) as? [[String: Any]] ?? []) : []
            return entries.count == count && entries.allSatisfy { $0["outcome"] as? String != "Pending" }
        }
        guard settled else { throw ServedPipeline.Failure("history did not settle at \(count) entries: \(entries)") }
        return entries
    }

    private func jsonObject(_ answer: TestHTTP.Response) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return try #require(object, "answered \(answer.status): \(answer.text)")
    }
}
