import AMQPClient
import Automation
import Foundation
import SignalboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `signalbox serve` as a separate process while things break under it: SIGKILL mid-stream, the
/// broker restarted mid-stream. Delivery is at-least-once (a command may arrive twice), history
/// exactly-once; nothing is lost.
@Suite struct PipelineFaultTests {
    static let environment = ProcessInfo.processInfo.environment
    static let sharedURL = environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
    static let restartableURL = environment["SIGNALBOX_TEST_RESTARTABLE_AMQP_URL"]
    static let restartableCtl = environment["SIGNALBOX_TEST_RESTARTABLE_RABBITMQCTL"]
    static let isCI = environment["CI"] == "true"
    /// Items per action: each matched event yields this many commands and history entries.
    static let items = 2

    @Test func sigkillMidStreamLosesNoCommandAndDuplicatesNoHistory() async throws {
        let served = try await ServedPipeline(url: Self.sharedURL, label: "sigkill")
        do {
            let (action, trigger) = try await Self.startWithLiveTrigger(served)
            let events = TestEvent.mix(20_000, prefix: served.prefix)
            let expectedCommands = Self.commandIDs(events, trigger: trigger).count
            // The events wait in the queue while the service is down: a service that keeps up with
            // the publisher would otherwise drain them before the first kill (CI saw that).
            #expect(try await served.stop() == 0)
            try await served.publish(events)
            try await served.start()

            // SIGKILL whenever another fifth of the events has been taken, and start again. A
            // fast pipeline drains a few thousand between two polls: the steps are wide, the
            // last kill well before the end.
            var readyAtKill: [Int] = []
            var commandsAtKill: [Int] = []
            for threshold in [16_000, 12_000, 8_000, 4_000] {
                guard try await eventually(timeout: .seconds(60), { try await served.eventsReady() <= threshold }) else {
                    throw ServedPipeline.Failure("the events queue stayed above \(threshold) ready:\n\(served.log)")
                }
                readyAtKill.append(try await served.eventsReady())
                commandsAtKill.append(served.commands.all.count)
                try await served.kill()
                try await served.start()
            }
            #expect(readyAtKill.allSatisfy { $0 > 0 } && commandsAtKill.allSatisfy { $0 < expectedCommands },
                "every kill landed mid-stream (ready events at each: \(readyAtKill), distinct commands: \(commandsAtKill) of \(expectedCommands))")
            print("[\(served.prefix)] SIGKILL with \(readyAtKill) events ready, \(commandsAtKill) of \(expectedCommands) commands in")

            try await Self.verify(served, events: events, action: action, trigger: trigger)
            #expect(served.runs.count == 6)
        } catch {
            Issue.record(error)
        }
        await served.cleanUp()
    }

    @Test(.enabled(
        if: restartableURL != nil || isCI,
        "needs SIGNALBOX_TEST_RESTARTABLE_AMQP_URL and _RABBITMQCTL: a broker node of its own, started by scripts/test.sh"))
    func brokerRestartMidStreamReconnectsAndLosesNothing() async throws {
        guard let url = Self.restartableURL, let ctl = Self.restartableCtl else {
            Issue.record("CI: SIGNALBOX_TEST_RESTARTABLE_AMQP_URL or SIGNALBOX_TEST_RESTARTABLE_RABBITMQCTL is missing (scripts/test.sh exports them)")
            return
        }
        // Test runs of other checkouts may share the node: one restart test at a time.
        let lock = try await Self.lockRestartableBroker()
        defer { close(lock) }
        // Classic queues (durable, persistent events): RabbitMQ 3.10 cannot declare a new quorum
        // queue on a node after its stop_app/start_app, and BrokerOutageTests restarts it too.
        let served = try await ServedPipeline(url: url, label: "restart", queueType: .classic)
        do {
            let (action, trigger) = try await Self.startWithLiveTrigger(served)
            // A steady stream (50 events every 200 ms) from before the broker goes down until after
            // the service took events again, however long rabbitmqctl takes.
            let stream = served.stream(pace: .milliseconds(200))
            guard await eventually(timeout: .seconds(60), { served.commands.all.count >= 100 }) else {
                throw ServedPipeline.Failure("the service made no commands:\n\(served.log)")
            }
            try await CommandLineTool(ctl).runDetached(["stop_app"])
            let commandsWhileUp = served.commands.all.count
            do {
                try await Task.sleep(for: .seconds(1))
                try await CommandLineTool(ctl).runDetached(["start_app"])
            } catch {
                _ = try? await CommandLineTool(ctl).runDetached(["start_app"])
                throw error
            }
            let resumed = await eventually(timeout: .seconds(60)) { served.commands.all.count >= commandsWhileUp + 200 }
            let events = await stream.finish()
            try await stream.tally.confirmed()
            #expect(resumed, "commands flowed again after the restart")
            print("[\(served.prefix)] broker stopped after \(commandsWhileUp) commands; \(events.count) events in all")

            try await Self.verify(served, events: events, action: action, trigger: trigger)
            #expect(served.runs.count == 1, "the service was not restarted")
            let log = served.log
            #expect(log.contains("connection lost"), "the service saw the broker go: \(log)")
            #expect(log.components(separatedBy: "msg=connected").count - 1 >= 2, "the service reconnected: \(log)")
        } catch {
            Issue.record(error)
            _ = try? await CommandLineTool(ctl).runDetached(["start_app"])
        }
        await served.cleanUp()
    }

    @Test func aStoreLockedByAnotherProcessForNinetySecondsLosesNothing() async throws {
        let served = try await ServedPipeline(url: Self.sharedURL, label: "outage")
        var holder: Process?
        do {
            let (action, trigger) = try await Self.startWithLiveTrigger(served)
            // Another process takes SQLite's write lock on the file and keeps it for 90 s.
            let locker = try Self.holdWriteLock(on: served.database, seconds: 90)
            holder = locker.process
            guard await eventually(timeout: .seconds(60), { locker.output.current.contains("locked") }) else {
                throw ServedPipeline.Failure("the lock holder did not start: \(locker.output.current)")
            }
            let events = TestEvent.mix(4_000, prefix: served.prefix)  // 1,000 match
            try await served.publish(events)

            // While the file is locked: readiness names the store and its error, no command leaves
            // (each is published only after its history is written), nothing is dead-lettered.
            guard try await eventually(timeout: .seconds(60), {
                let (status, body) = try await served.get("/health/ready")
                return status == 503 && body.contains("cannot write") && body.contains("locked")
            }) else {
                throw ServedPipeline.Failure("readiness did not report the store: \(try await served.get("/health/ready"))\n\(served.log)")
            }
            #expect(served.commands.all.isEmpty, "no command before its history is recorded")
            #expect(try await served.client.queueStatus(served.names.deadLetterQueue).messageCount == 0)
            #expect(!ChildProcess.hasExited(locker.process), "the lock was still held when the checks ran")

            guard await eventually(timeout: .seconds(120), { ChildProcess.hasExited(locker.process) }) else {
                throw ServedPipeline.Failure("the lock holder did not end")
            }
            #expect(ChildProcess.termination(of: locker.process) == .exited(0), "the lock holder failed: \(locker.output.current)")
            // Consumption resumes by itself; every matched event gets its commands and history once.
            try await Self.verify(served, events: events, action: action, trigger: trigger)
            #expect(served.runs.count == 1, "the service was not restarted")
            #expect(served.log.contains("the store cannot write"), "the outage was logged")
            #expect(served.log.contains("the store writes again"), "the recovery was logged")
        } catch {
            Issue.record(error)
        }
        if let holder, !ChildProcess.hasExited(holder) { holder.terminate() }
        await served.cleanUp()
    }

    /// A python3 process (its standard sqlite3 module) that opens `database`, takes the write lock
    /// with `BEGIN IMMEDIATE`, prints "locked", and holds it for `seconds`.
    static func holdWriteLock(on database: String, seconds: Int) throws -> (process: Process, output: SignalboxProcess.OutputCollector) {
        let script = """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            connection.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
            connection.execute("ROLLBACK")
            """
        return try SignalboxProcess.launch(executable: "/usr/bin/env", ["python3", "-c", script, database, "\(seconds)"])
    }

    // MARK: Steps

    /// Starts the service, creates an action of ``items`` items with a trigger for
    /// ``TestEvent/filter``, and waits until the service logs that its index holds the trigger
    /// (it re-reads the definitions every 500 ms and logs after swapping the new index in).
    static func startWithLiveTrigger(_ served: ServedPipeline) async throws -> (ActionID, TriggerID) {
        try await served.start()
        let (action, trigger) = try await served.createAction(items: items, triggerType: .appProcessUpdated, filter: TestEvent.filter)
        guard await eventually(timeout: .seconds(60), {
            served.log.contains(#"msg="trigger index rebuilt" skipped=0 triggers=1"#)
        }) else {
            throw ServedPipeline.Failure("the service did not pick up the trigger:\n\(served.log)")
        }
        return (action, trigger)
    }

    /// Once the events are drained: every matched event's commands arrived, unmatched ones made
    /// none, history holds exactly one entry per matched event and item, and after a graceful
    /// stop nothing is left unacked or dead-lettered.
    static func verify(_ served: ServedPipeline, events: [TestEvent], action: ActionID, trigger: TriggerID) async throws {
        let expected = commandIDs(events, trigger: trigger)
        try await expectDrained(served, commands: expected)
        let history = try await served.history(of: action)
        expectOncePerMatchedItem(history, events: events)

        #expect(try await served.stop() == 0)
        try await expectSettled(served, commands: Set(expected.keys), historyEntries: history.count)
    }

    /// Once every serve of `served` stopped: no command but the `expected` ones arrived, nothing
    /// is left in the events queue, nothing was dead-lettered.
    static func expectSettled(_ served: ServedPipeline, commands expected: Set<String>, historyEntries: Int) async throws {
        // The commands of the last moments may still be on their way to the test's consumer.
        _ = try await eventually(timeout: .seconds(60)) {
            try await served.client.queueStatus(served.commandsQueue).messageCount == 0
        }
        let extra = Set(served.commands.all.keys).subtracting(expected)
        #expect(extra.isEmpty, "commands no matched event explains (unmatched events must make none), e.g. \(extra.prefix(5))")
        let duplicates = served.commands.deliveries - served.commands.all.count
        print("[\(served.prefix)] \(expected.count) commands expected, \(served.commands.deliveries) delivered (\(duplicates) redelivered duplicates), \(historyEntries) history entries, \(served.runs.count) serve runs")
        #expect(try await served.client.queueStatus(served.names.eventsQueue).messageCount == 0, "every event was acked")
        #expect(try await served.client.queueStatus(served.names.deadLetterQueue).messageCount == 0, "nothing was dead-lettered")
    }

    /// Waits until every command of `expected` (command id → event id) arrived and no event is
    /// left ready in the queue; records an issue naming the missing ones if that does not happen.
    static func expectDrained(_ served: ServedPipeline, commands expected: [String: String]) async throws {
        let drained = try await eventually(timeout: .seconds(120)) {
            guard Set(expected.keys).isSubset(of: served.commands.all.keys) else { return false }
            return try await served.eventsReady() == 0
        }
        let received = served.commands.all
        let missing = expected.filter { received[$0.key] == nil }
        #expect(drained && missing.isEmpty, """
            \(missing.count) of \(expected.count) commands missing, e.g. \
            \(missing.prefix(5).map { "\($0.key) (event \($0.value))" }.joined(separator: ", "))
            """)
    }

    /// `history` (source event id and item index per entry) holds exactly one entry per matched
    /// event of `events` and item, and nothing else.
    static func expectOncePerMatchedItem(_ history: [(sourceEventId: String, itemIndex: Int)], events: [TestEvent]) {
        let matched = Set(events.filter(\.matches).map(\.id))
        var perEntry: [String: Int] = [:]
        for entry in history { perEntry["\(entry.sourceEventId)#\(entry.itemIndex)", default: 0] += 1 }
        let duplicated = perEntry.filter { $0.value > 1 }
        let unexpected = history.filter { !matched.contains($0.sourceEventId) }
        let notRecorded = matched.flatMap { id in (0..<items).map { "\(id)#\($0)" } }.filter { perEntry[$0] == nil }
        #expect(duplicated.isEmpty, "duplicated history entries, e.g. \(duplicated.prefix(5))")
        #expect(unexpected.isEmpty, "history entries of unmatched events, e.g. \(unexpected.prefix(5))")
        #expect(notRecorded.isEmpty, "\(notRecorded.count) matched entries missing from history, e.g. \(notRecorded.prefix(5))")
        #expect(history.count == matched.count * items, "one entry per matched event and item")
    }

    /// The deterministic ids of the commands `events` should produce: command id → event id.
    static func commandIDs(_ events: [TestEvent], trigger: TriggerID) -> [String: String] {
        let planner = CommandPlanner()
        var ids: [String: String] = [:]
        for event in events where event.matches {
            for item in 0..<items {
                let id = planner.commandID(eventId: event.id, cause: .message(trigger, .appProcessUpdated), itemIndex: item)
                ids[id.description] = event.id
            }
        }
        return ids
    }

    /// An exclusive lock on a file beside the system's other temporary files, held until the
    /// returned descriptor is closed. The wait is a hang guard, not a timing: the broker outage
    /// test alone holds the lock for over two minutes, and others may queue before this one.
    static func lockRestartableBroker() async throws -> Int32 {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-broker-restart-test.lock").path
        let descriptor = open(path, O_CREAT | O_RDWR, 0o666)
        guard descriptor >= 0 else { throw ServedPipeline.Failure("cannot open \(path): errno \(errno)") }
        guard await eventually(timeout: .seconds(600), { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }) else {
            close(descriptor)
            throw ServedPipeline.Failure("another broker-restart test held \(path) for ten minutes")
        }
        return descriptor
    }
}
