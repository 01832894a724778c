import Automation
import Foundation
import SignalboxTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Backpressure: the broker stopped for 60 s under a steady load of manual runs and an
/// every-second schedule. Runs are refused (503, the reason, `Retry-After`) after a bounded
/// wait with nothing recorded; nothing piles up for the broker; everything resumes after.
@Suite struct BrokerOutageTests {
    /// How long a run waits for the broker in this test (`amqp.unreachableWaitMilliseconds`).
    static let brokerWait = 2_000

    /// One manual-run request of the load: when it was sent, how it was answered, how long it took.
    struct Answer: Sendable {
        var sentAt: ContinuousClock.Instant
        var status: Int
        var seconds: Double
        var body: String
        var retryAfter: String?
    }

    final class Answers: Sendable {
        private let answers = Mutex<[Answer]>([])
        private let sent = Mutex(0)
        var all: [Answer] { answers.withLock { $0 } }
        /// Requests sent so far, answered or not.
        var sentCount: Int { sent.withLock { $0 } }
        func sending() { sent.withLock { $0 += 1 } }
        func append(_ answer: Answer) { answers.withLock { $0.append(answer) } }
    }

    @Test(.enabled(
        if: PipelineFaultTests.restartableURL != nil || PipelineFaultTests.isCI,
        "needs SIGNALBOX_TEST_RESTARTABLE_AMQP_URL and _RABBITMQCTL: a broker node of its own, started by scripts/test.sh"))
    func brokerAwaySixtySecondsUnderLoadRefusesRunsAndHoldsNothing() async throws {
        guard let url = PipelineFaultTests.restartableURL, let ctl = PipelineFaultTests.restartableCtl else {
            Issue.record("CI: SIGNALBOX_TEST_RESTARTABLE_AMQP_URL or SIGNALBOX_TEST_RESTARTABLE_RABBITMQCTL is missing (scripts/test.sh exports them)")
            return
        }
        let lock = try await PipelineFaultTests.lockRestartableBroker()
        defer { close(lock) }
        // Classic queues: RabbitMQ 3.10 cannot declare a new quorum queue on a node after its
        // stop_app/start_app (rabbit_fifo_dlx_sup is gone), which the other restart test does.
        let served = try await ServedPipeline(url: url, label: "outage-load", queueType: .classic)
        served.extraEnvironment["SIGNALBOX_AMQP_UNREACHABLE_WAIT_MILLISECONDS"] = "\(Self.brokerWait)"
        var brokerStopped = false
        do {
            try await served.start()
            let (action, _) = try await served.createAction(items: 1, triggerType: .appProcessUpdated, filter: "$.never == true")
            let schedule = try await served.call(
                "POST", "/automated-actions/by-id/\(action)/schedules", body: Data(#"{"name":"every second","cron":"* * * * * *"}"#.utf8))
            guard schedule.status == 201 else {
                throw ServedPipeline.Failure("adding the schedule answered \(schedule.status): \(schedule.text)")
            }

            // Ten manual runs a second, each on its own task, from before the outage to after it.
            let answers = Answers()
            let (port, token) = (served.port, served.token)
            let load = Task {
                while !Task.isCancelled {
                    answers.sending()
                    Task {
                        let answer = await Self.trigger(action, port: port, token: token)
                        answers.append(answer)
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { load.cancel() }
            guard await eventually(timeout: .seconds(60), { answers.all.filter { $0.status == 202 }.count >= 10 }) else {
                throw ServedPipeline.Failure("no manual run succeeded before the outage: \(answers.all.prefix(3))\n\(served.log)")
            }

            try await CommandLineTool(ctl).runDetached(["stop_app"])
            brokerStopped = true
            guard try await eventually(timeout: .seconds(60), {
                let (status, body) = try await served.get("/health/ready")
                return status == 503 && body.contains("broker")
            }) else {
                throw ServedPipeline.Failure("readiness did not report the broker away:\n\(served.log)")
            }
            let outageSeen = ContinuousClock.now

            // Sixty seconds: what waits for the broker and what the process holds, every 5 s.
            var unsettled: [Int] = []
            var residentMiB: [Double] = []
            for _ in 0..<12 {
                try await Task.sleep(for: .seconds(5))
                unsettled.append(try await Self.unsettledPublishes(served))
                residentMiB.append(try Self.residentMiB(of: served))
            }
            let outageEnded = ContinuousClock.now
            try await CommandLineTool(ctl).runDetached(["start_app"])
            brokerStopped = false

            let resumedAt = ContinuousClock.now
            guard await eventually(timeout: .seconds(60), {
                answers.all.contains { $0.sentAt > resumedAt && $0.status == 202 }
            }) else {
                throw ServedPipeline.Failure("no manual run succeeded after the broker came back:\n\(served.log.suffix(4_000))")
            }
            load.cancel()
            await load.value  // no request is sent after this
            guard await eventually(timeout: .seconds(120), { answers.all.count == answers.sentCount }) else {
                throw ServedPipeline.Failure("\(answers.sentCount - answers.all.count) requests never answered:\n\(served.log.suffix(4_000))")
            }

            let all = answers.all
            // Sent once the service saw the outage, answered before the broker was back.
            let duringOutage = all.filter { $0.sentAt > outageSeen && $0.sentAt + .seconds($0.seconds) < outageEnded }
            print("[\(served.prefix)] \(all.count) requests; \(duringOutage.count) during the outage; "
                + "answered in at most \(duringOutage.map(\.seconds).max() ?? 0) s; unsettled publishes \(unsettled); "
                + "resident MiB \(residentMiB.map { String(format: "%.1f", $0) })")
            #expect(duringOutage.count >= 300, "a steady load during the outage (\(duringOutage.count) requests)")
            let refused = duringOutage.filter { $0.status == 503 }
            #expect(refused.count == duringOutage.count, "every run during the outage refused: \(Set(duringOutage.map(\.status)))")
            #expect(refused.allSatisfy { $0.body.contains("broker is unreachable") && $0.body.contains("was not recorded") },
                    "the reason is given: \(refused.first?.body ?? "")")
            #expect(refused.allSatisfy { $0.retryAfter != nil }, "with Retry-After")
            // Bounded: the wait, plus the time a loaded machine takes to answer.
            #expect(refused.allSatisfy { $0.seconds < Double(Self.brokerWait) / 1_000 + 8 }, "\(refused.map(\.seconds).max() ?? 0) s")
            #expect(unsettled.max() ?? 0 <= 50, "nothing piles up for the broker: \(unsettled)")
            #expect((residentMiB.last ?? 0) - (residentMiB.first ?? 0) < 64, "memory stays flat: \(residentMiB) MiB")

            // Nothing refused was recorded: one manual history entry per 202, and per run admitted
            // just before the broker went, recorded and then not confirmed in time (its 503 says so).
            let accepted = all.filter { $0.status == 202 }.count
            let recordedUnconfirmed = all.filter { $0.status == 503 && $0.body.contains("the run is recorded") }.count
            #expect(recordedUnconfirmed <= 10, "only runs in flight when the broker went: \(recordedUnconfirmed)")
            let manualEntries = try await Self.historyCount(served, action: action, triggerType: "Manual")
            #expect(manualEntries == accepted + recordedUnconfirmed,
                    "\(manualEntries) manual entries for \(accepted) accepted and \(recordedUnconfirmed) recorded, unconfirmed runs")
            // The schedule fires again, and the service was never restarted.
            let scheduledBefore = try await Self.historyCount(served, action: action, triggerType: "Schedule")
            #expect(try await eventually(timeout: .seconds(60)) {
                try await Self.historyCount(served, action: action, triggerType: "Schedule") >= scheduledBefore + 2
            }, "the schedule fires after the outage")
            #expect(served.runs.count == 1 && served.current.map { !ChildProcess.hasExited($0.process) } == true)
            #expect(served.log.contains("schedules and delayed runs wait"), "the scheduler says why it waits")
        } catch {
            Issue.record(error)
        }
        if brokerStopped { _ = try? await CommandLineTool(ctl).runDetached(["start_app"]) }
        await served.cleanUp()
    }

    /// Sends one manual run of `action`, on the load's own connections (waiting requests must not
    /// hold up the test's health and metrics calls); a transport error is answered as status 0.
    static func trigger(_ action: some CustomStringConvertible, port: Int, token: String) async -> Answer {
        let sentAt = ContinuousClock.now
        do {
            let response = try await TestHTTP.send(
                .POST, "http://127.0.0.1:\(port)/automated-actions/by-id/\(action)/trigger",
                headers: [("Authorization", "Bearer \(token)")], client: TestHTTP.load)
            return Answer(
                sentAt: sentAt, status: response.status, seconds: seconds(since: sentAt), body: response.text,
                retryAfter: response.header("Retry-After"))
        } catch {
            return Answer(sentAt: sentAt, status: 0, seconds: seconds(since: sentAt), body: "\(error)", retryAfter: nil)
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `signalbox_amqp_unsettled_publishes` from `/metrics`.
    static func unsettledPublishes(_ served: ServedPipeline) async throws -> Int {
        let (status, body) = try await served.get("/metrics")
        guard status == 200,
            let line = body.split(separator: "\n").first(where: { $0.hasPrefix("signalbox_amqp_unsettled_publishes{") }),
            let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { throw ServedPipeline.Failure("no signalbox_amqp_unsettled_publishes in /metrics (\(status))") }
        return Int(value)
    }

    /// The serve process's resident set (VmRSS), in MiB.
    static func residentMiB(of served: ServedPipeline) throws -> Double {
        guard let process = served.current?.process else { throw ServedPipeline.Failure("serve is not running") }
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { throw ServedPipeline.Failure("no VmRSS in /proc/\(process.processIdentifier)/status") }
        return kilobytes / 1024
    }

    /// History entries of `action` with `triggerType`, page after page.
    static func historyCount(_ served: ServedPipeline, action: some CustomStringConvertible, triggerType: String) async throws -> Int {
        try await served.historyEntries(of: action, query: "&triggerType=\(triggerType)").count
    }
}
