import Automation
import Engine
import Foundation
import PostgresNIO
import PostgresStore
import PostgresTestSupport
import SignalboxTestSupport
import Synchronization
import Testing

/// Several `signalbox serve` processes as replicas of one service (issue 17): one PostgreSQL
/// database, one broker, one events queue they compete for. Delivery is at-least-once, history
/// exactly-once, whichever replica takes an event or leads the scheduler, whichever is killed.
///
/// Serialized: each test runs two or three services and measures what they share; two of them at
/// once on a small machine would only blur the figures.
@Suite(.serialized) struct ServeReplicaTests {
    @Test(.enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
    func twoReplicasShareTenThousandEventsAndRecordEachRunOnce() async throws {
        try await Self.withReplicas(2, label: "replicas") { replicas, action, trigger, configuration in
            let (primary, second) = (replicas[0], replicas[1])
            // Published once both consume, so that the queue has two consumers to give them to.
            let events = TestEvent.mix(10_000, prefix: primary.prefix)
            let started = ContinuousClock.now
            try await primary.publish(events)
            try await PipelineFaultTests.expectDrained(primary, commands: PipelineFaultTests.commandIDs(events, trigger: trigger))
            let elapsed = ContinuousClock.now - started

            // Each replica counts the deliveries it acked: history cannot say who recorded a row.
            var acked: [Int] = []
            var requeued: [Int] = []
            for replica in replicas {
                acked.append(Int(try await replica.metric(EngineMetrics.Name.eventsAcked) ?? 0))
                requeued.append(Int(try await replica.metric(EngineMetrics.Name.eventsRequeued) ?? 0))
            }
            print("[test.replicas] \(events.count) events drained by two replicas in \(elapsed); acked per replica \(acked), requeued \(requeued)")
            #expect(acked.allSatisfy { $0 > 0 }, "both replicas took a share of the events: \(acked)")
            #expect(acked.reduce(0, +) >= events.count, "every event acked by one replica or the other: \(acked)")

            // The rows themselves, as PostgreSQL holds them; then the same through the API.
            PipelineFaultTests.expectOncePerMatchedItem(try await Self.messageHistory(action, configuration), events: events)
            #expect(try await second.stop() == 0, "the second replica stops cleanly:\n\(second.log)")
            try await PipelineFaultTests.verify(primary, events: events, action: action, trigger: trigger)
        }
    }

    @Test(.enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
    func threeReplicasKilledInTurnLoseNoEventAndFireEverySecondOnce() async throws {
        try await Self.withReplicas(3, label: "chaos") { replicas, action, trigger, configuration in
            let primary = replicas[0]
            let (scheduled, schedules) = try await Self.createEverySecondSchedules(primary, count: 10)
            let watch = LeaderWatch(ports: replicas.map(\.port))
            let watching = Task { await watch.run() }
            defer { watch.stop() }
            // Every schedule fired before the first kill: its first fired second opens its window.
            guard try await eventually(timeout: .seconds(60), {
                Set(try await Self.scheduleHistory(scheduled, configuration).filter(\.fired).map(\.schedule)) == Set(schedules)
            }) else {
                throw ServedPipeline.Failure("not every schedule fired:\n\(replicas.map(\.log).joined(separator: "\n---\n"))")
            }

            // 20,000 events over about 60 s, and a SIGKILL every 10 s: the scheduler leader at
            // the first, third and fifth (restarted once a follower leads), a replica at random
            // otherwise (restarted at once).
            let clock = ContinuousClock()
            let start = clock.now
            let stream = primary.stream(pace: .milliseconds(150), limit: 20_000)
            var kills: [String] = []
            var firstKill: Date?
            for round in 1...6 {
                try await Task.sleep(until: start + .seconds(10 * round), clock: clock)
                var victim = Int.random(in: 0..<replicas.count)
                var role = "at random"
                if round % 2 == 1 {
                    var leader: Int?
                    _ = await eventually(timeout: .seconds(60)) {
                        leader = await Self.leader(among: replicas)
                        return leader != nil
                    }
                    guard let leader else { throw ServedPipeline.Failure("no scheduler leader to kill in round \(round)") }
                    victim = leader
                    role = "the leader"
                } else if (try? await ServePostgresTests.schedulerRole(replicas[victim])) == "leader" {
                    role = "at random, the leader"
                }
                firstKill = firstKill ?? Date()
                try await replicas[victim].kill()
                if round % 2 == 1 {
                    // A follower takes over before the killed leader is back: restarted at once,
                    // it would often win the lock again first.
                    let others = replicas.indices.filter { $0 != victim }.map { replicas[$0] }
                    guard await eventually(timeout: .seconds(60), { await Self.leader(among: others) != nil }) else {
                        throw ServedPipeline.Failure("no follower took the lead in round \(round)")
                    }
                }
                try await replicas[victim].start()
                watch.watch(replicas.map(\.port))
                kills.append("\(clock.now - start): replica \(victim) (\(role))")
            }
            let events = await stream.sent()
            try await stream.tally.confirmed()
            let chaosEnded = Date()
            print("[test.chaos] \(events.count) events published in \(clock.now - start); SIGKILLs: \(kills.joined(separator: "; "))")

            let messageCommands = PipelineFaultTests.commandIDs(events, trigger: trigger)
            try await PipelineFaultTests.expectDrained(primary, commands: messageCommands)
            // The schedules outlive the chaos: every one fires a second after its end.
            guard try await eventually(timeout: .seconds(60), {
                let fired = try await Self.scheduleHistory(scheduled, configuration).filter(\.fired)
                return schedules.allSatisfy { schedule in fired.contains { $0.schedule == schedule && $0.occurrence > chaosEnded } }
            }) else {
                let summary = Self.summary(try await Self.scheduleHistory(scheduled, configuration))
                throw ServedPipeline.Failure("the schedules did not fire after the chaos (ended \(chaosEnded)): \(summary)")
            }
            // One leader among the three once things settle.
            var leaders: [String?] = []
            let settled = await eventually(timeout: .seconds(60)) {
                leaders = []
                for replica in replicas { leaders.append(try? await ServePostgresTests.schedulerRole(replica)) }
                return leaders.filter { $0 == "leader" }.count == 1 && leaders.filter { $0 == "follower" }.count == 2
            }
            #expect(settled, "one leader and two followers after the chaos: \(leaders)")
            watch.stop()
            _ = await watching.value

            for replica in replicas {
                #expect(try await replica.stop() == 0, "replica stops cleanly:\n\(replica.log.suffix(4_000))")
            }
            // Read once nothing writes any more.
            let messageHistory = try await Self.messageHistory(action, configuration)
            PipelineFaultTests.expectOncePerMatchedItem(messageHistory, events: events)
            let scheduleHistory = try await Self.scheduleHistory(scheduled, configuration)
            Self.expectEverySecondOnce(scheduleHistory, schedules: schedules, from: firstKill ?? chaosEnded, to: chaosEnded)

            let scheduleCommands = Set(scheduleHistory.filter(\.fired).map(\.commandID))
            // Published before the stops; the test's consumer may not have them all yet.
            var missing = scheduleCommands
            _ = await eventually { missing = scheduleCommands.subtracting(primary.commands.all.keys); return missing.isEmpty }
            #expect(missing.isEmpty, "\(missing.count) of \(scheduleCommands.count) fired occurrences without their command")
            try await PipelineFaultTests.expectSettled(
                primary, commands: scheduleCommands.union(messageCommands.keys),
                historyEntries: messageHistory.count + scheduleHistory.count)

            let fired = scheduleHistory.filter(\.fired).sorted { $0.recorded < $1.recorded }
            let historyGap = zip(fired, fired.dropFirst()).map { $1.recorded.timeIntervalSince($0.recorded) }.max() ?? 0
            let latest = fired.map { $0.recorded.timeIntervalSince($0.occurrence) }.max() ?? 0
            print("""
                [test.chaos] longest time without a leader seen in /health/ready: \(watch.longestGap) \
                (\(watch.polls) polls, at most \(watch.mostLeaders) replicas said leader at once); \
                longest pause between two recorded occurrences in history (1 s when none is late): \(String(format: "%.3f", historyGap)) s; \
                latest occurrence fired \(String(format: "%.3f", latest)) s after its second; \
                \(fired.count) occurrences fired, \(scheduleHistory.count - fired.count) Skipped entries; \
                \(replicas.map(\.runs.count).reduce(0, +)) serve runs
                """)
        }
    }

    @Test(.enabled(if: PrivatePostgresServer.canStart || PipelineFaultTests.isCI, PrivatePostgresServer.skipReason))
    func aReplicaThatLosesPostgreSQLStopsConsumingFailsReadinessAndResumes() async throws {
        let server = try await PrivatePostgresServer()
        let served = try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: "pg-outage")
        served.extraEnvironment["SIGNALBOX_DATABASE_URL"] = server.url
        var serverStopped = false
        do {
            let (action, trigger) = try await PipelineFaultTests.startWithLiveTrigger(served)
            // A steady stream (50 events every 200 ms) from before the outage until after it.
            let stream = served.stream(pace: .milliseconds(200))
            guard await eventually(timeout: .seconds(60), { served.commands.all.count >= 100 }) else {
                throw ServedPipeline.Failure("the service made no commands:\n\(served.log)")
            }

            try await server.stop()
            serverStopped = true
            let clock = ContinuousClock()
            let stoppedAt = clock.now
            guard try await eventually(timeout: .seconds(60), { try await served.get("/health/ready").status != 200 }) else {
                throw ServedPipeline.Failure("readiness still passes without PostgreSQL: \(try await served.get("/health/ready"))")
            }
            let unreadyAfter = clock.now - stoppedAt
            // What was in flight when the server went settles; from then until the server is back
            // (20 s after it stopped) readiness fails, no delivery is acked and no command leaves.
            // Settled: acks and commands unchanged for a second (a loaded machine may take longer
            // than a second to deliver what left before the stop).
            var acked = try await served.metric(EngineMetrics.Name.eventsAcked) ?? 0
            var commands = served.commands.deliveries
            for _ in 0..<8 {
                try await Task.sleep(for: .seconds(1))
                let (ackedNow, commandsNow) = (try await served.metric(EngineMetrics.Name.eventsAcked) ?? 0, served.commands.deliveries)
                if ackedNow == acked && commandsNow == commands { break }
                (acked, commands) = (ackedNow, commandsNow)
            }
            let readyAtFirst = try await served.eventsReady()
            var readiness: [Int] = []
            while clock.now < stoppedAt + .seconds(20) {
                readiness.append(try await served.get("/health/ready").status)
                try await Task.sleep(for: .milliseconds(500))
            }
            let ackedAtEnd = try await served.metric(EngineMetrics.Name.eventsAcked) ?? 0
            let commandsAtEnd = served.commands.deliveries
            let readyAtEnd = try await served.eventsReady()
            let database = Self.databaseCheck(try await served.get("/health/ready").body)
            try await server.start()
            serverStopped = false
            let restartedAt = clock.now

            print("""
                [test.pg-outage] readiness failed \(unreadyAfter) after PostgreSQL stopped, answered \(Set(readiness)) \
                in \(readiness.count) polls; acked \(Int(acked)) → \(Int(ackedAtEnd)), commands \(commands) → \(commandsAtEnd), \
                events ready in the queue \(readyAtFirst) → \(readyAtEnd)
                """)
            #expect(!readiness.isEmpty && readiness.allSatisfy { $0 != 200 }, "readiness fails throughout the outage: \(readiness)")
            #expect(database?["status"] as? String == "fail", "readiness names the store: \(database ?? [:])")
            #expect(ackedAtEnd == acked, "no delivery acked without PostgreSQL: \(acked) → \(ackedAtEnd)")
            #expect(commandsAtEnd == commands, "no command without its history: \(commands) → \(commandsAtEnd)")
            #expect(readyAtEnd > readyAtFirst, "the events wait in the queue: \(readyAtFirst) → \(readyAtEnd)")

            // Back by itself: ready, and commands flow again.
            guard try await eventually(timeout: .seconds(60), { try await served.get("/health/ready").status == 200 }) else {
                throw ServedPipeline.Failure("readiness did not pass again: \(try await served.get("/health/ready"))")
            }
            let readyAfter = clock.now - restartedAt
            let resumed = await eventually(timeout: .seconds(60)) { served.commands.deliveries >= commandsAtEnd + 100 }
            let resumedAfter = clock.now - restartedAt
            let events = await stream.finish()
            try await stream.tally.confirmed()
            #expect(resumed, "commands flow again after PostgreSQL is back")
            print("[test.pg-outage] ready again \(readyAfter) and 100 more commands \(resumedAfter) after PostgreSQL started; \(events.count) events in all")

            try await PipelineFaultTests.verify(served, events: events, action: action, trigger: trigger)
            #expect(served.runs.count == 1, "the service was not restarted")
        } catch {
            Issue.record("\(error)\n\(served.log.suffix(8_000))\n--- PostgreSQL\n\(server.log.suffix(4_000))")
        }
        if serverStopped { try? await server.start() }
        await served.cleanUp()
        await server.remove()
    }

    /// Runs `body` with `count` replicas of one service on a new database of the test server,
    /// the first started with ``PipelineFaultTests/startWithLiveTrigger(_:)`` (its action and
    /// trigger), the others then; records what `body` throws with the replicas' logs, and removes
    /// them all.
    static func withReplicas(
        _ count: Int, label: String,
        _ body: (_ replicas: [ServedPipeline], _ action: ActionID, _ trigger: TriggerID, _ configuration: PostgresStoreConfiguration) async throws -> Void
    ) async throws {
        try await TestDatabase.withDatabase { configuration in
            let databaseURL: String = try #require(TestDatabase.url(of: configuration))
            let primary = try await ServedPipeline(url: PipelineFaultTests.sharedURL, label: label)
            primary.extraEnvironment["SIGNALBOX_DATABASE_URL"] = databaseURL
            var replicas = [primary]
            do {
                let (action, trigger) = try await PipelineFaultTests.startWithLiveTrigger(primary)
                for _ in 1..<count {
                    replicas.append(ServedPipeline(replicaOf: primary))
                    try await replicas[replicas.count - 1].start()
                }
                try await body(replicas, action, trigger, configuration)
            } catch {
                Issue.record("\(error)\n\(replicas.map { $0.log.suffix(8_000) }.joined(separator: "\n---\n"))")
            }
            for replica in replicas.reversed() { await replica.cleanUp() }
        }
    }

    /// The `database` check of a `/health/ready` answer.
    static func databaseCheck(_ body: String) -> [String: Any]? {
        let report = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (report?["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "database" }
    }

    // MARK: Schedules

    /// One schedule occurrence's history entry.
    struct ScheduleEntry {
        var schedule: ScheduleID
        /// The second it stands for (the last one of a Skipped entry's range).
        var occurrence: Date
        /// The seconds a Skipped entry stands for; just ``occurrence`` for a fired one.
        var covered: ClosedRange<Date>
        var fired: Bool
        /// When it was recorded: the instant the leader fired it.
        var recorded: Date
        var commandID: String
    }

    /// `count` every-second schedules, made through the API, on actions of one app item each
    /// (an action has at most five schedules).
    static func createEverySecondSchedules(_ served: ServedPipeline, count: Int) async throws -> ([ActionID], [ScheduleID]) {
        let item = #"{"name":"Tick","config":{"$type":"app","version":{"id":"tick-app","version":1},"inputs":[]}}"#
        var actions: [ActionID] = []
        var schedules: [ScheduleID] = []
        for index in 0..<count {
            if index % 5 == 0 {
                let body = Data(#"{"name":"every-second-\#(index / 5)","actions":[\#(item)]}"#.utf8)
                let created = try await served.call("POST", "/namespaces/faults/automated-actions", body: body)
                guard created.status == 201, let object = try JSONSerialization.jsonObject(with: created.body) as? [String: Any],
                    let action = (object["id"] as? String).flatMap(ActionID.init)
                else { throw ServedPipeline.Failure("creating an action answered \(created.status): \(created.text)") }
                actions.append(action)
            }
            let name = "every second \(index)"
            let body = Data(#"{"name":"\#(name)","cron":"* * * * * *"}"#.utf8)
            // The answer is the action, the new schedule among its schedules.
            let added = try await served.call("POST", "/automated-actions/by-id/\(actions[actions.count - 1])/schedules", body: body)
            guard added.status == 201, let action = try JSONSerialization.jsonObject(with: added.body) as? [String: Any],
                let schedule = (action["schedules"] as? [[String: Any]])?.first(where: { $0["name"] as? String == name }),
                let id = (schedule["id"] as? String).flatMap(ScheduleID.init)
            else { throw ServedPipeline.Failure("adding a schedule answered \(added.status): \(added.text)") }
            schedules.append(id)
        }
        return (actions, schedules)
    }

    /// Every schedule of `schedules` has, from its first fired second to its last one, exactly
    /// one entry per second, fired or Skipped; the window spans `start` (the first kill) to `end`.
    static func expectEverySecondOnce(_ entries: [ScheduleEntry], schedules: [ScheduleID], from start: Date, to end: Date) {
        for schedule in schedules {
            let own = entries.filter { $0.schedule == schedule }
            guard let first = own.map(\.covered.lowerBound).min(), let last = own.map(\.covered.upperBound).max() else {
                Issue.record("schedule \(schedule) has no history")
                continue
            }
            var perSecond: [Int: Int] = [:]
            for entry in own {
                for second in stride(from: Int(entry.covered.lowerBound.timeIntervalSince1970), through: Int(entry.covered.upperBound.timeIntervalSince1970), by: 1) {
                    perSecond[second, default: 0] += 1
                }
            }
            let seconds = Int(first.timeIntervalSince1970)...Int(last.timeIntervalSince1970)
            let missing = seconds.filter { perSecond[$0] == nil }
            let twice = perSecond.filter { $0.value > 1 }.keys.sorted()
            #expect(first <= start && last >= end, "schedule \(schedule) fired from before the first kill to after the last: \(first) to \(last)")
            #expect(missing.isEmpty, "schedule \(schedule): \(missing.count) seconds neither fired nor Skipped, e.g. \(missing.prefix(5).map { Date(timeIntervalSince1970: TimeInterval($0)) })")
            #expect(twice.isEmpty, "schedule \(schedule): seconds recorded twice, e.g. \(twice.prefix(5).map { Date(timeIntervalSince1970: TimeInterval($0)) })")
        }
    }

    /// Per schedule: how many occurrences fired, the last one, when it was recorded, and how many
    /// Skipped entries; for failure messages.
    static func summary(_ entries: [ScheduleEntry]) -> String {
        Dictionary(grouping: entries, by: \.schedule).values.map { own in
            let fired = own.filter(\.fired)
            let last = fired.max { $0.occurrence < $1.occurrence }
            return "\(fired.count) fired, last \(last.map { "\($0.occurrence) recorded \($0.recorded)" } ?? "none"), \(own.count - fired.count) Skipped"
        }.joined(separator: "; ")
    }

    /// The index of the replica whose readiness says it leads the scheduler, if any. A replica
    /// that does not answer (busy on 2 cores, or just killed) counts as not leading: callers poll.
    static func leader(among replicas: [ServedPipeline]) async -> Int? {
        for (index, replica) in replicas.enumerated() {
            if (try? await ServePostgresTests.schedulerRole(replica)) == "leader" { return index }
        }
        return nil
    }

    // MARK: History, read from PostgreSQL

    /// `action`'s history entries: source event id and item index each.
    static func messageHistory(_ action: ActionID, _ configuration: PostgresStoreConfiguration) async throws -> [(sourceEventId: String, itemIndex: Int)] {
        try await TestDatabase.withClient(configuration) { client in
            var entries: [(sourceEventId: String, itemIndex: Int)] = []
            let rows = try await client.query(
                "SELECT source_event_id, item_index FROM execution_history WHERE action_id = \(action.rawValue)", logger: TestDatabase.logger)
            for try await (event, item) in rows.decode((String, Int).self) { entries.append((event, item)) }
            return entries
        }
    }

    /// The schedule entries of `actions`' history. A fired one's second is in its source event id
    /// (`scheduleId@occurrence`); a Skipped one's range in its explanation.
    static func scheduleHistory(_ actions: [ActionID], _ configuration: PostgresStoreConfiguration) async throws -> [ScheduleEntry] {
        let planner = CommandPlanner()
        return try await TestDatabase.withClient(configuration) { client in
            var entries: [ScheduleEntry] = []
            let rows = try await client.query(
                """
                SELECT trigger_id::text, source_event_id, item_index, outcome, error_message, date_started
                FROM execution_history WHERE action_id = ANY(\(actions.map(\.rawValue))) AND trigger_type = 'Schedule'
                """, logger: TestDatabase.logger)
            for try await (trigger, event, item, outcome, explanation, recorded) in rows.decode((String, String, Int, String, String?, Date).self) {
                guard let schedule = ScheduleID(trigger), let at = event.split(separator: "@").last,
                    let occurrence = try? Date(String(at), strategy: .iso8601)
                else { throw ServedPipeline.Failure("a schedule entry of another shape: \(trigger) \(event)") }
                let fired = outcome != ExecutionOutcome.skipped.rawValue
                var covered = occurrence...occurrence
                if !fired {
                    // "N occurrences from A to B were missed …" or "occurrence A was missed …".
                    let seconds = (explanation ?? "").matches(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/).compactMap { try? Date(String($0.output), strategy: .iso8601) }
                    guard let from = seconds.first else { throw ServedPipeline.Failure("a Skipped entry without its seconds: \(explanation ?? "")") }
                    covered = from...(explanation?.contains("occurrences from") == true && seconds.count > 1 ? seconds[1] : from)
                }
                let command = planner.commandID(eventId: event, cause: .schedule(schedule, occurrence: occurrence), itemIndex: item)
                entries.append(ScheduleEntry(
                    schedule: schedule, occurrence: occurrence, covered: covered, fired: fired, recorded: recorded, commandID: command.description))
            }
            return entries
        }
    }
}

/// Polls `/health/ready` of every replica, by port, and keeps when one said it leads the
/// scheduler: the longest time without a leader, as the replicas themselves saw it.
final class LeaderWatch: Sendable {
    private struct State {
        var ports: [Int]
        /// When a poll found a leader.
        var led: [ContinuousClock.Instant] = []
        var polls = 0
        var mostLeaders = 0
        var stopped = false
    }

    private let state: Mutex<State>

    init(ports: [Int]) {
        state = Mutex(State(ports: ports))
    }

    /// The replicas' ports now (a restarted one may have moved).
    func watch(_ ports: [Int]) {
        state.withLock { $0.ports = ports }
    }

    /// Polls until ``stop()``.
    func run() async {
        while !state.withLock({ $0.stopped }) {
            var leaders = 0
            for port in state.withLock({ $0.ports }) {
                if (try? await ServePostgresTests.schedulerRole(port: port)) == "leader" { leaders += 1 }
            }
            let now = ContinuousClock.now
            state.withLock { state in
                state.polls += 1
                state.mostLeaders = max(state.mostLeaders, leaders)
                if leaders > 0 { state.led.append(now) }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Ends ``run()`` after the poll under way.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// The longest time between two polls that found a leader.
    var longestGap: Duration {
        state.withLock { state in zip(state.led, state.led.dropFirst()).map { $1 - $0 }.max() ?? .zero }
    }

    var polls: Int { state.withLock { $0.polls } }
    var mostLeaders: Int { state.withLock { $0.mostLeaders } }
}
