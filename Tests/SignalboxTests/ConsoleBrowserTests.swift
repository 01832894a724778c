import Foundation
import SignalboxTestSupport
import Testing

/// The web console in Debian's chromium (headless, driven by Python Playwright) and Debian's
/// firefox-esr (headless, over WebDriver BiDi) against a real `signalbox serve`, broker and
/// database: `Tests/Browser/console_browser.py` does the clicking and writes a screenshot of each
/// page to `.build/console-screenshots/`.
///
/// Needs `chromium` and `firefox-esr` (apt) and the Python packages `playwright`, `pika` and
/// `websocket-client` in SIGNALBOX_TEST_PYTHONPATH, which scripts/test.sh installs. Without them the test is skipped,
/// except under `CI=true`, where it fails.
@Suite struct ConsoleBrowserTests {
    static let environment = ProcessInfo.processInfo.environment
    static let isCI = environment["CI"] == "true"
    static let chromium = environment["SIGNALBOX_CHROMIUM"] ?? "/usr/bin/chromium"
    static let firefox = environment["SIGNALBOX_FIREFOX"] ?? "/usr/bin/firefox-esr"
    static let amqpURL = environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
    static let screenshots = SignalboxProcess.repositoryRoot.appendingPathComponent(".build/console-screenshots")

    /// Why the browser test cannot run here, or nil when it can.
    static let missing: String? = {
        guard FileManager.default.isExecutableFile(atPath: chromium) else { return "\(chromium) is not installed (apt-get install chromium)" }
        guard FileManager.default.isExecutableFile(atPath: firefox) else { return "\(firefox) is not installed (apt-get install firefox-esr)" }
        guard let path = environment["SIGNALBOX_TEST_PYTHONPATH"] else { return "SIGNALBOX_TEST_PYTHONPATH is not set (run scripts/test.sh)" }
        do {
            try CommandLineTool("env").run(["PYTHONPATH=\(path)", "python3", "-c", "import playwright.sync_api, pika, websocket"])
            return nil
        } catch {
            return "the Python packages playwright, pika and websocket-client are not in \(path) (scripts/test.sh installs them): \(error)"
        }
    }()

    @Test(.enabled(if: missing == nil || isCI, "needs chromium, firefox-esr, playwright, pika and websocket-client: scripts/test.sh installs them"))
    func consoleInChromiumAndFirefox() async throws {
        if let missing = Self.missing {
            Issue.record("CI: the browser test cannot run: \(missing)")
            return
        }
        let served = try await ServedPipeline(url: Self.amqpURL, label: "console")
        do {
            try await served.start()
            let other = try await SignalboxProcess.run(
                ["token", "create", "--tenant", "console-other", "--role", "admin"], environment: ["SIGNALBOX_DATABASE_PATH": served.database])
            try #require(other.status == 0, "token create failed: \(other.stderr)")
            let (process, output) = try SignalboxProcess.launch(
                executable: "/usr/bin/env",
                [
                    "PYTHONPATH=\(Self.environment["SIGNALBOX_TEST_PYTHONPATH"] ?? "")", "PYTHONDONTWRITEBYTECODE=1",
                    "SIGNALBOX_CONSOLE_URL=http://127.0.0.1:\(served.port)", "SIGNALBOX_CONSOLE_TOKEN_A=\(served.token)",
                    "SIGNALBOX_CONSOLE_TOKEN_B=\(other.stdout.trimmingCharacters(in: .whitespacesAndNewlines))",
                    "SIGNALBOX_CONSOLE_AMQP_URL=\(Self.amqpURL)", "SIGNALBOX_CONSOLE_EVENTS=\(served.names.eventsExchange)",
                    "SIGNALBOX_CONSOLE_SHOTS=\(Self.screenshots.path)", "SIGNALBOX_CHROMIUM=\(Self.chromium)", "SIGNALBOX_FIREFOX=\(Self.firefox)",
                    "python3", SignalboxProcess.repositoryRoot.appendingPathComponent("Tests/Browser/console_browser.py").path,
                ])
            let finished = await eventually(timeout: .seconds(240)) { ChildProcess.hasExited(process) }
            if !finished { process.terminate() }
            #expect(finished, "the browser test did not finish within 240 s:\n\(output.current)")
            #expect(ChildProcess.termination(of: process) == .exited(0), "the browser test failed:\n\(output.current)\n--- serve:\n\(served.log.suffix(4_000))")
            // Every check ran (the script stops at the first failure).
            #expect(output.current.contains("\nok 15 - the live stream carries only the caller's tenant\n"), "\(output.current)")
            #expect(output.current.contains("\nok 19 - Firefox: a live entry appears after an event is published; no script errors\n"), "\(output.current)")

            // An open console does not hold SIGTERM up: the live stream ends, serve stops at once.
            let reader = """
                import sys, urllib.request
                request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
                for line in urllib.request.urlopen(request, timeout=60):
                    print(line.decode().rstrip(), flush=True)
                print("stream ended", flush=True)
                """
            let (stream, streamed) = try SignalboxProcess.launch(
                executable: "/usr/bin/env", ["python3", "-c", reader, "http://127.0.0.1:\(served.port)/history/stream", served.token])
            #expect(await eventually(timeout: .seconds(60)) { streamed.current.contains("event: ready") }, "\(streamed.current)")
            let clock = ContinuousClock()
            let stopping = clock.now
            #expect(try await served.stop() == 0)
            #expect(clock.now - stopping < .seconds(29), "serve took \(clock.now - stopping) to stop with a live stream open")
            #expect(await eventually(timeout: .seconds(60)) { ChildProcess.hasExited(stream) })
            #expect(streamed.current.contains("stream ended"), "the stream's body was ended, not cut: \(streamed.current)")
        } catch {
            Issue.record(error)
        }
        await served.cleanUp()
    }
}
