import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Logging
import SignalboxTestSupport
import StandardWebhooks
import Testing

/// Webhook calls signed by someone else's implementation — the Standard Webhooks reference
/// library for Python (`standardwebhooks` on PyPI, installed by scripts/test.sh) — sent over a
/// real socket to the API on 127.0.0.1; and our signer checked against the same library.
@Suite("Standard Webhooks, against the reference library")
struct StandardWebhooksPeerTests {
    /// `python3` with the library on its path, running scripts/peers/standard_webhooks_peer.py.
    static func peer() throws -> (tool: CommandLineTool, script: String) {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(
            environment["SIGNALBOX_TEST_PYTHONPATH"],
            "SIGNALBOX_TEST_PYTHONPATH is not set: run the tests with scripts/test.sh, which installs the Python standardwebhooks package")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (CommandLineTool("PYTHONPATH=\(path) python3"), root.appendingPathComponent("scripts/peers/standard_webhooks_peer.py").path)
    }

    /// Sends `cases` through the peer; returns its answers by case name.
    static func send(_ cases: [[String: Any]]) async throws -> [String: JSON] {
        let (tool, script) = try peer()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-cases-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: cases).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await tool.runDetached([script, file.path])
        let answers = try #require(try JSON(data: Data(output.utf8)).array, "peer output: \(output)")
        return Dictionary(uniqueKeysWithValues: answers.map { ($0["name"].string ?? "", $0) })
    }

    @Test func callsSignedByTheReferenceLibraryAreAcceptedAndForgeriesRefused() async throws {
        let api = try await TestAPI.make()
        api.clock.set(Date())  // the peer signs with the real time
        var logger = Logger(label: "StandardWebhooksPeerTests")
        logger.logLevel = .critical
        let app = Application(
            router: api.api.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let actionId = try await client.createAction("peer", token: api.admin)
            let created = try await client.call(
                .post, "/automated-actions/by-id/\(actionId)/webhooks", token: api.admin,
                body: #"{"name": "peer", "filter": "$.payload.kind != 'ignored'", "allowSecretParameter": false}"#)
            let url = "http://127.0.0.1:\(port)\(try #require(created.json["url"].string))"
            let secret = try #require(created.json["secret"].string)
            let other = WebhookSecret.generate().text
            let body = #"{"kind": "order", "id": 42}"#
            let answers = try await Self.send([
                ["name": "valid", "url": url, "secrets": [secret], "body": body, "msgId": "msg_peer_1"],
                ["name": "retry", "url": url, "secrets": [secret], "body": body, "msgId": "msg_peer_1"],
                ["name": "two secrets", "url": url, "secrets": [other, secret], "body": body],
                ["name": "wrong secret", "url": url, "secrets": [other], "body": body],
                ["name": "stale", "url": url, "secrets": [secret], "body": body, "timestampOffset": -600],
                ["name": "future", "url": url, "secrets": [secret], "body": body, "timestampOffset": 600],
                ["name": "tampered", "url": url, "secrets": [secret], "body": body, "tamper": true],
                ["name": "unsigned", "url": url, "body": body],
                ["name": "filtered", "url": url, "secrets": [secret], "body": #"{"kind": "ignored"}"#],
            ])
            #expect(answers["valid"]?["status"].int == 202, "\(answers["valid"]?.description ?? "")")
            #expect(answers["valid"]?["body"]["outcome"].string == "started")
            #expect(answers["retry"]?["body"]["outcome"].string == "replayed")
            #expect(answers["retry"]?["body"]["processIds"][0].string == answers["valid"]?["body"]["processIds"][0].string)
            #expect(answers["two secrets"]?["status"].int == 202)
            for refused in ["wrong secret", "stale", "future", "tampered", "unsigned"] {
                #expect(answers[refused]?["status"].int == 401, "\(refused): \(answers[refused]?.description ?? "missing")")
            }
            #expect(answers["filtered"]?["body"]["outcome"].string == "filtered")
        }
    }

    @Test func ourSignatureIsTheReferenceLibrarys() async throws {
        // The example signature the reference libraries' own tests pin, and a random key, body
        // and id signed by the Python library itself.
        let key = try #require(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).key
        #expect(
            StandardWebhooks.signature(
                key: key, messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let secret = WebhookSecret.generate()
        let body = "{\"é\": \"\u{1F600}\", \"n\": \(Int.random(in: 0...1_000_000))}"
        let signature = StandardWebhooks.signature(key: secret.key, messageID: "msg_x", timestamp: 1_700_000_000, body: Array(body.utf8))
        let (tool, _) = try Self.peer()
        let program = """
            import sys
            from datetime import datetime, timezone
            from standardwebhooks import Webhook
            print(Webhook(sys.argv[1]).sign("msg_x", datetime.fromtimestamp(1700000000, tz=timezone.utc), sys.argv[2].encode()))
            """
        let theirs = try await tool.runDetached(["-c", program, secret.text, body])
        #expect(theirs.trimmingCharacters(in: .whitespacesAndNewlines) == signature)
    }
}
