import AMQPClient
import Automation
import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// The scheduler and manual runs against the real broker and a real SQLite file: they go through
/// the same plan → record → publish as events.
@Suite("Scheduler and manual runs against the broker")
struct SchedulerBrokerTests {
    /// The command's body as JSON.
    static func body(_ delivery: AMQPDelivery) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
    }

    static func scheduledAt(_ delivery: AMQPDelivery) throws -> Date {
        let trigger = try #require(try body(delivery)["trigger"] as? [String: Any])
        let text = try #require(trigger["scheduledAt"] as? String)
        return try Date(text, strategy: .iso8601)
    }

    @Test func aScheduleEverySecondFiresIntoThePipelineAndStoresItsProgress() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport(
            withTrigger: false, schedules: [AddScheduleRequest(name: "every second", cron: "* * * * * *")])
        let schedule = try #require(action.schedules.first)
        // A hang guard: under the whole suite's load the first fire took over 10 s. Required, as
        // the checks below index the first two commands.
        try #require(await eventually(timeout: .seconds(60)) { harness.commands.all.count >= 2 })

        let planner = CommandPlanner()
        var occurrences: [Date] = []
        for command in harness.commands.all.prefix(2) {
            let occurrence = try Self.scheduledAt(command)
            occurrences.append(occurrence)
            let eventId = Event.scheduleEventID(schedule.id, occurrence: occurrence)
            let expected = planner.commandID(eventId: eventId, cause: .schedule(schedule.id, occurrence: occurrence), itemIndex: 0)
            #expect(command.properties.messageID == expected.description)
            #expect(command.routingKey == "process.start.app")
            let trigger = try #require(try Self.body(command)["trigger"] as? [String: Any])
            #expect(trigger["type"] as? String == "Schedule")
            #expect(trigger["id"] as? String == schedule.id.description)
        }
        #expect(occurrences[1] > occurrences[0], "one command per occurrence, in order: \(occurrences)")

        let history = try await harness.history(action)
        let scheduled = history.filter { $0.triggerType == .schedule }
        #expect(scheduled.count >= 2)
        #expect(scheduled.allSatisfy { $0.triggerId == ExecutionSourceID(schedule.id) && $0.outcome == .pending })
        #expect(Set(scheduled.map(\.sourceEventId)).isSuperset(of: occurrences.map { Event.scheduleEventID(schedule.id, occurrence: $0) }))

        // After the confirms the last fired occurrence and the next one are stored.
        #expect(try await eventually {
            try await harness.store.lastFiredOccurrences()[schedule.id].map { $0 >= occurrences[1] } ?? false
        })
        // Read in this order: the schedule keeps firing, and each fire stores both in one
        // transaction, so the next occurrence read later is past the last fired read before.
        let lastFired = try #require(try await harness.store.lastFiredOccurrences()[schedule.id])
        let stored = try #require(try await harness.store.action(id: action.id, tenant: .default)?.schedules.first)
        #expect(stored.nextOccurrence.map { $0 > lastFired } ?? false, "\(String(describing: stored.nextOccurrence)) after \(lastFired)")
        #expect(harness.deadLetters.all.isEmpty)
        try await harness.shutDown()
    }

    @Test func aOneTimeScheduleFiresOnceAndShowsWhen() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport(withTrigger: false)
        let instant = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 2).rounded(.up))
        let added = try await harness.service.addSchedule(
            AddScheduleRequest(name: "once", at: instant.formatted(.iso8601)), to: .id(action.id), as: harness.caller)
        let schedule = try #require(added.schedules.first)
        #expect(schedule.nextOccurrence == instant && schedule.firedAt == nil && schedule.at != nil)
        #expect(added.nextScheduledRunAt == instant)

        #expect(await eventually { harness.commands.all.count == 1 })
        #expect(try Self.scheduledAt(try #require(harness.commands.all.first)) == instant)
        // Once confirmed: fired at its instant, nothing next.
        #expect(try await eventually {
            try await harness.store.action(id: action.id, tenant: .default)?.schedules.first?.firedAt == instant
        })
        let stored = try #require(try await harness.store.action(id: action.id, tenant: .default))
        #expect(stored.schedules[0].nextOccurrence == nil && stored.nextScheduledRunAt == nil)
        let json = try JSONSerialization.jsonObject(with: AutomationJSON.encoder().encode(stored.schedules[0])) as? [String: Any]
        #expect(json?["firedAt"] as? String == instant.formatted(.iso8601) && json?["nextOccurrence"] is NSNull, "\(String(describing: json))")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(harness.commands.all.count == 1, "never again")
        #expect(try await harness.history(action).filter { $0.triggerType == .schedule }.count == 1)
        try await harness.shutDown()
    }

    @Test func aScheduleAddedWhileTheSchedulerSleepsWakesIt() async throws {
        // The only schedule at start fires once a day: the scheduler sleeps for hours.
        let daily = AddScheduleRequest(name: "daily", cron: "0 0 3 * * *")
        let harness = try await PipelineHarness { service in
            try await PipelineHarness.createDailyReport(with: service, withTrigger: false, schedules: [daily])
        }
        #expect(await eventually { harness.scheduler.trackedSchedules == 1 }, "the scheduler loaded the daily schedule")
        let action = try await harness.service.addSchedule(
            AddScheduleRequest(name: "every second", cron: "* * * * * *"), to: .name("daily-report", namespace: "production"),
            as: harness.caller)
        let added = try #require(action.schedules.last)
        #expect(await eventually { harness.commands.all.count >= 1 })
        let command = try #require(harness.commands.all.first)
        let trigger = try #require(try Self.body(command)["trigger"] as? [String: Any])
        #expect(trigger["id"] as? String == added.id.description)

        // Disabling it takes effect at once too: once the scheduler dropped it, no later second
        // fires (a command already prepared may still arrive, so occurrences are compared, not counts).
        _ = try await harness.service.disableSchedule(added.id, of: .id(action.id), as: harness.caller)
        #expect(await eventually { harness.scheduler.trackedSchedules == 1 }, "the scheduler dropped the disabled schedule")
        let dropped = Date()
        try await Task.sleep(for: .milliseconds(3000))
        let late = try harness.commands.all.map(Self.scheduledAt).filter { $0 > dropped.addingTimeInterval(1) }
        #expect(late.isEmpty, "a disabled schedule does not fire: \(late) after \(dropped)")
        try await harness.shutDown()
    }

    /// A daily schedule two minutes ago whose stored next occurrence is three days back, as if
    /// Signalbox had been down since: four occurrences were missed.
    static func missedSchedule(_ policy: MissedRunPolicy) -> (request: AddScheduleRequest, firstMissed: Date, latest: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let latest = calendar.date(bySetting: .second, value: 0, of: Date().addingTimeInterval(-120))!
        let latestMinute = Date(timeIntervalSince1970: (latest.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let parts = calendar.dateComponents([.hour, .minute], from: latestMinute)
        let request = AddScheduleRequest(
            name: "daily \(policy.rawValue)", cron: "0 \(parts.minute!) \(parts.hour!) * * *", missedRunPolicy: policy)
        return (request, latestMinute.addingTimeInterval(-3 * 86_400), latestMinute)
    }

    static func preparingMissedRuns(_ policy: MissedRunPolicy) -> (
        prepare: (AutomationService) async throws -> Void, firstMissed: Date, latest: Date
    ) {
        let missed = missedSchedule(policy)
        let prepare: (AutomationService) async throws -> Void = { service in
            let action = try await PipelineHarness.createDailyReport(with: service, withTrigger: false, schedules: [missed.request])
            let schedule = try #require(action.schedules.first)
            try await service.store.recordScheduleProgress([
                ScheduleProgress(actionId: action.id, scheduleId: schedule.id, lastFired: nil, nextOccurrence: missed.firstMissed)
            ])
        }
        return (prepare, missed.firstMissed, missed.latest)
    }

    @Test func fireOnceRunsTheLatestMissedOccurrenceAndRecordsTheOthers() async throws {
        let missed = Self.preparingMissedRuns(.fireOnce)
        let harness = try await PipelineHarness(beforeStart: missed.prepare)
        #expect(await eventually { harness.commands.all.count >= 1 })
        let action = try #require(try await harness.store.action(named: "daily-report", namespace: "production", tenant: .default))
        let schedule = try #require(action.schedules.first)
        let first = try #require(harness.commands.all.first)
        #expect(try Self.scheduledAt(first) == missed.latest)

        #expect(try await eventually { try await harness.history(action).count == 2 })
        let history = try await harness.history(action)
        let skipped = try #require(history.first { $0.outcome == .skipped })
        #expect(skipped.errorMessage?.contains("3 occurrences from \(missed.firstMissed.formatted(.iso8601))") == true, "\(skipped)")
        #expect(skipped.errorMessage?.contains("fireOnce") == true)
        #expect(history.contains { $0.outcome == .pending && $0.sourceEventId == Event.scheduleEventID(schedule.id, occurrence: missed.latest) })

        #expect(try await eventually { try await harness.store.lastFiredOccurrences()[schedule.id] == missed.latest })
        let stored = try #require(try await harness.store.action(id: action.id, tenant: .default)?.schedules.first)
        #expect(stored.nextOccurrence == missed.latest.addingTimeInterval(86_400))
        #expect(harness.commands.all.count == 1, "one run for everything that was missed")
        try await harness.shutDown()
    }

    @Test func skipRecordsEveryMissedOccurrenceAndFiresNothing() async throws {
        let missed = Self.preparingMissedRuns(.skip)
        let harness = try await PipelineHarness(beforeStart: missed.prepare)
        let action = try #require(try await harness.store.action(named: "daily-report", namespace: "production", tenant: .default))
        let schedule = try #require(action.schedules.first)
        #expect(try await eventually {
            try await harness.store.action(id: action.id, tenant: .default)?.schedules.first?.nextOccurrence
                == missed.latest.addingTimeInterval(86_400)
        })
        let history = try await harness.history(action)
        #expect(history.count == 1)
        #expect(history.first?.outcome == .skipped)
        #expect(history.first?.errorMessage?.contains("4 occurrences") == true, "\(history)")
        #expect(history.first?.errorMessage?.contains("missedRunPolicy skip") == true)
        #expect(try await harness.store.lastFiredOccurrences()[schedule.id] == nil, "nothing fired")
        #expect(harness.commands.all.isEmpty)
        try await harness.shutDown()
    }

    @Test func aManualTriggerPublishesThroughThePipelineBeforeItReturns() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport(withTrigger: false)
        let result = try await harness.service.triggerManually(.id(action.id), as: harness.caller)
        #expect(result.entries.count == 1)
        #expect(result.entries.first?.triggerType == .manual)
        let expected = CommandPlanner().commandID(eventId: result.eventId, cause: .manual, itemIndex: 0)
        #expect(result.processIds == [CommandPlanner.processID(for: expected)])
        #expect(await eventually { harness.commands.all.count == 1 })
        let command = try #require(harness.commands.all.first)
        #expect(command.properties.messageID == expected.description)
        #expect(command.properties.correlationID == result.processIds.first?.description)
        let trigger = try #require(try Self.body(command)["trigger"] as? [String: Any])
        #expect(trigger["type"] as? String == "Manual")
        try await harness.shutDown()
    }
}
