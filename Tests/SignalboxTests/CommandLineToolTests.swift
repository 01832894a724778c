import Foundation
import Testing

/// The CLI tools that need no server, run as a user would run them.
@Suite struct CommandLineToolTests {
    let event = #"{"type":"AppProcessUpdated","item":{"id":"p-1","appId":"app-7","status":"Finished","tags":["eu"]}}"#

    @Test func jsonpathPrintsNodesOrPaths() async throws {
        let values = try await SignalboxProcess.run(["jsonpath", "$.item.tags[*]"], input: event)
        #expect(values.status == 0)
        #expect(values.stdout.filter { !$0.isWhitespace } == #"["eu"]"#)
        let paths = try await SignalboxProcess.run(["jsonpath", "--paths", "$.item.status"], input: event)
        #expect(paths.stdout.contains("$['item']['status']"))
    }

    @Test func invalidQueryExitsTwoWithItsPosition() async throws {
        let result = try await SignalboxProcess.run(["jsonpath", "$.item[?@.a ="], input: event)
        #expect(result.status == 2)
        #expect(result.stderr.contains("1:"), "the error names line:column: \(result.stderr)")
    }

    @Test func filterCheckAndTest() async throws {
        let valid = try await SignalboxProcess.run(["filter", "check", "$.item.status == 'Finished' && $.item.appId == 'app-7'"])
        #expect(valid.status == 0)
        let invalid = try await SignalboxProcess.run(["filter", "check", "$.item.status = 'Finished'"])
        #expect(invalid.status == 2)
        let lines = event + "\n" + event.replacingOccurrences(of: "Finished", with: "Running") + "\n"
        let tested = try await SignalboxProcess.run(["filter", "test", "$.item.status == 'Finished'"], input: lines)
        #expect(tested.stdout.split(separator: "\n").map(String.init) == ["true", "false"])
    }

    @Test func cronNextPrintsUTCInstants() async throws {
        let result = try await SignalboxProcess.run(
            ["cron", "next", "0 9 * * *", "--tz", "Europe/Berlin", "--from", "2026-03-28T00:00:00Z", "--count", "2"])
        #expect(result.status == 0)
        // 09:00 in Berlin is 08:00Z before the switch to summer time on 29 March, 07:00Z after it.
        #expect(result.stdout.split(separator: "\n").map(String.init) == ["2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"])
        let invalid = try await SignalboxProcess.run(["cron", "next", "61 * * * *"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("minute"))
    }

    @Test func cronNextOfAValidNeverFiringExpressionPrintsTheEmptyList() async throws {
        for expression in ["0 0 30 2 *", "0 0 31 4,6,9,11 *"] {
            let result = try await SignalboxProcess.run(["cron", "next", expression])
            #expect(result.status == 0, "\(expression): \(result.stderr)")
            #expect(result.stdout == "[]\n", "\(expression)")
            #expect(result.stderr.hasPrefix("note: ") && result.stderr.contains("never fires"), "\(result.stderr)")
        }
        let local = try await SignalboxProcess.run(["cron", "next", "0 0 30 2 *", "--local", "--tz", "Europe/Berlin"])
        #expect(local.status == 0 && local.stdout == "[]\n")

        let batch = try await SignalboxProcess.run(
            ["cron", "next", "--batch", "--from", "2026-01-01T00:00:00Z", "--count", "1"],
            input: #"{"expr":"0 0 30 2 *"}"# + "\n" + #"{"expr":"0 0 29 2 *"}"# + "\n")
        #expect(batch.status == 0)
        let lines = batch.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 2)
        #expect((lines.first??["next"] as? [String]) == [])
        #expect((lines.first??["note"] as? String)?.contains("never fires") == true)
        #expect((lines.last??["next"] as? [String]) == ["2028-02-29T00:00:00Z"] && lines.last??["note"] == nil)
    }
}
