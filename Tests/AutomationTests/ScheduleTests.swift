import Foundation
import Testing

@testable import Automation

@Suite("Schedules: next occurrences, limits, enable/disable, pause, upcoming")
struct ScheduleTests {
    @Test("seed 000: daily 9am added at 2026-01-05T10:00Z next runs 2026-01-06T09:00Z")
    func seedNextOccurrence() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let updated = try await fixture.service.addSchedule(
            decode(AddScheduleRequest.self, from: SeedJSON.addSchedule), to: .id(action.id), as: admin)
        #expect(updated.schedules.count == 1)
        #expect(updated.schedules[0].nextOccurrence == instant("2026-01-06T09:00:00Z"))
        #expect(updated.nextScheduledRunAt == instant("2026-01-06T09:00:00Z"))
        #expect(updated.schedules[0].timeZone == "UTC")
        #expect(updated.schedules[0].missedRunPolicy == .fireOnce)
        #expect(updated.dateUpdated == seedNow)
        let object = try encodeObject(updated)
        #expect(object["nextScheduledRunAt"] as? String == "2026-01-06T09:00:00Z")
    }

    @Test(
        "9:00 is read in the schedule's time zone",
        arguments: [
            ("Europe/Berlin", "2026-01-06T08:00:00Z"),
            ("America/New_York", "2026-01-05T14:00:00Z"),
            ("Asia/Kolkata", "2026-01-06T03:30:00Z"),
        ])
    func timeZones(zone: String, expected: String) async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let request = AddScheduleRequest(name: "9am", minute: "0", hour: "9", timeZone: zone)
        let updated = try await fixture.service.addSchedule(request, to: .id(action.id), as: admin)
        #expect(updated.schedules[0].nextOccurrence == instant(expected))
        #expect(updated.schedules[0].timeZone == zone)
    }

    @Test("the action's next run is the earliest enabled schedule's")
    func earliestOfSeveral() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        _ = try await fixture.service.addSchedule(AddScheduleRequest(name: "daily", cron: "@daily"), to: .id(action.id), as: admin)
        let updated = try await fixture.service.addSchedule(
            AddScheduleRequest(name: "30s", second: "*/30"), to: .id(action.id), as: admin)
        #expect(updated.schedules[1].nextOccurrence == instant("2026-01-05T10:00:30Z"))
        #expect(updated.nextScheduledRunAt == instant("2026-01-05T10:00:30Z"))
        let disabled = try await fixture.service.disableSchedule(updated.schedules[1].id, of: .id(action.id), as: member)
        #expect(disabled.schedules[1].nextOccurrence == nil)
        #expect(disabled.schedules[1].isEnabled == false)
        #expect(disabled.nextScheduledRunAt == instant("2026-01-06T00:00:00Z"))
    }

    @Test("@every counts from the schedule's creation")
    func everyInterval() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        fixture.clock.set(instant("2026-01-05T10:00:07Z"))
        let updated = try await fixture.service.addSchedule(AddScheduleRequest(name: "5m", cron: "@every 5m"), to: .id(action.id), as: admin)
        #expect(updated.schedules[0].nextOccurrence == instant("2026-01-05T10:05:07Z"))
    }

    @Test("a sixth schedule is refused with limitExceeded (422) and nothing changes")
    func fiveScheduleLimit() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        for hour in 1...5 {
            _ = try await fixture.service.addSchedule(AddScheduleRequest(name: "h\(hour)", minute: "0", hour: "\(hour)"), to: .id(action.id), as: admin)
        }
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.addSchedule(AddScheduleRequest(name: "h6", minute: "0", hour: "6"), to: .id(action.id), as: admin)
        }
        #expect(error?.code == .limitExceeded)
        #expect(error?.code.httpStatus == 422)
        #expect(error?.field == "schedules")
        let stored = try await fixture.service.action(.id(action.id), as: admin)
        #expect(stored.schedules.map(\.name) == ["h1", "h2", "h3", "h4", "h5"])
    }

    @Test("the store enforces the limit too, for concurrent adds")
    func storeLimit() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let schedule = CronScheduleDefinition(name: "s", minute: "0", dateCreated: seedNow)
        _ = try await fixture.store.insertSchedule(schedule, actionId: action.id, tenant: "acme", limit: 1, at: seedNow)
        await #expect(throws: AutomationError.self) {
            try await fixture.store.insertSchedule(
                CronScheduleDefinition(name: "t", minute: "1", dateCreated: seedNow), actionId: action.id, tenant: "acme", limit: 1, at: seedNow)
        }
    }

    @Test("six schedules at creation are refused")
    func sixAtCreation() async throws {
        let fixture = Fixture()
        var request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        request.schedules = (0..<6).map { AddScheduleRequest(name: "s\($0)", minute: "\($0)") }
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.createAction(request, namespace: "production", as: admin)
        }
        #expect(error?.code == .limitExceeded)
    }

    @Test("enable recomputes from the current time; remove needs admin")
    func enableAndRemove() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let added = try await fixture.service.addSchedule(
            AddScheduleRequest(name: "9am", isEnabled: false, minute: "0", hour: "9"), to: .id(action.id), as: admin)
        #expect(added.schedules[0].nextOccurrence == nil)
        #expect(added.nextScheduledRunAt == nil)
        let id = added.schedules[0].id
        fixture.clock.set(instant("2026-01-10T09:30:00Z"))
        let enabled = try await fixture.service.enableSchedule(id, of: .name("daily-report", namespace: "production"), as: member)
        #expect(enabled.schedules[0].nextOccurrence == instant("2026-01-11T09:00:00Z"))
        #expect(enabled.nextScheduledRunAt == instant("2026-01-11T09:00:00Z"))
        let forbidden = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.removeSchedule(id, from: .id(action.id), as: member)
        }
        #expect(forbidden?.code == .forbidden)
        let removed = try await fixture.service.removeSchedule(id, from: .id(action.id), as: admin)
        #expect(removed.schedules.isEmpty)
        #expect(removed.nextScheduledRunAt == nil)
        let missing = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.enableSchedule(id, of: .id(action.id), as: admin)
        }
        #expect(missing?.code == .notFound)
    }

    @Test("pause clears the next run; resume recomputes it from now")
    func pauseResume() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        _ = try await fixture.service.addSchedule(decode(AddScheduleRequest.self, from: SeedJSON.addSchedule), to: .id(action.id), as: admin)
        let paused = try await fixture.service.pauseAction(.id(action.id), as: member)
        #expect(paused.status == .paused)
        #expect(paused.nextScheduledRunAt == nil)
        let upcomingWhilePaused = try await fixture.service.upcomingRuns(as: admin)
        #expect(upcomingWhilePaused.isEmpty)
        fixture.clock.set(instant("2026-01-08T12:00:00Z"))
        let resumed = try await fixture.service.resumeAction(.id(action.id), as: member)
        #expect(resumed.status == .active)
        #expect(resumed.nextScheduledRunAt == instant("2026-01-09T09:00:00Z"))
        #expect(resumed.dateUpdated == instant("2026-01-08T12:00:00Z"))
    }

    @Test("upcoming runs merge schedules across actions, earliest first, bounded by limit and until")
    func upcoming() async throws {
        let fixture = Fixture()
        let report = try await fixture.createDailyReport()
        let other = try await fixture.createDailyReport(name: "hourly")
        _ = try await fixture.service.addSchedule(decode(AddScheduleRequest.self, from: SeedJSON.addSchedule), to: .id(report.id), as: admin)
        _ = try await fixture.service.addSchedule(AddScheduleRequest(name: "6h", minute: "0", hour: "*/6"), to: .id(other.id), as: admin)
        let runs = try await fixture.service.upcomingRuns(limit: 5, as: admin)
        #expect(runs.map(\.scheduledAt) == [
            instant("2026-01-05T12:00:00Z"), instant("2026-01-05T18:00:00Z"), instant("2026-01-06T00:00:00Z"),
            instant("2026-01-06T06:00:00Z"), instant("2026-01-06T09:00:00Z"),
        ])
        #expect(runs.last?.actionName == "daily-report")
        #expect(runs.first?.scheduleName == "6h")
        let bounded = try await fixture.service.upcomingRuns(limit: 100, until: instant("2026-01-06T00:00:00Z"), as: admin)
        #expect(bounded.count == 3)
        let otherTenant = try await fixture.service.upcomingRuns(as: otherTenantAdmin)
        #expect(otherTenant.isEmpty)
        let error = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.upcomingRuns(limit: 0, as: admin)
        }
        #expect(error?.field == "limit")
    }

    /// The merge over many schedules (most due at the same minutes) gives exactly what computing
    /// every schedule's first `limit` occurrences and sorting them all would: order, ties by
    /// action then schedule name, and the cut.
    @Test func upcomingRunsOfManySchedulesEqualTheFullSort() async throws {
        let fixture = Fixture()
        var all: [(Date, String, String)] = []
        for index in 0..<24 {
            let action = try await fixture.createDailyReport(name: "report-\(String(format: "%02d", 23 - index))")
            let step = index % 6 + 1
            let added = try await fixture.service.addSchedule(
                AddScheduleRequest(name: "every \(step)m", cron: "*/\(step) * * * *"), to: .id(action.id), as: admin)
            for definition in added.schedules {
                let schedule = try definition.makeSchedule()
                for date in schedule.occurrences(after: fixture.clock.now()).prefix(200) { all.append((date, added.name, definition.name)) }
            }
        }
        all.sort { $0 < $1 }
        let runs = try await fixture.service.upcomingRuns(limit: 200, as: admin)
        #expect(runs.count == 200)
        #expect(runs.map { "\($0.scheduledAt) \($0.actionName) \($0.scheduleName)" } == all.prefix(200).map { "\($0.0) \($0.1) \($0.2)" })
    }
}
