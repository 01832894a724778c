import Automation
import Foundation
import Testing

/// Schedules and message triggers edited one at a time, against both stores.
@Suite("Contract: schedules and triggers")
struct ScheduleTriggerContractTests {
    @Test(arguments: StoreKind.allCases)
    func schedulesAppendUpToTheLimitAndKeepTheirOrder(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            var added: [CronScheduleDefinition] = []
            for index in 0..<5 {
                let next = schedule("s\(index)", next: at(1000 - index * 100))
                let result = try await store.insertSchedule(next, actionId: action.id, tenant: acme, limit: 5, at: at(index + 1))
                added.append(next)
                #expect(result.schedules == added)
                #expect(result.dateUpdated == at(index + 1))
                #expect(result.nextScheduledRunAt == at(1000 - index * 100))
            }
            let sixth = schedule("s5", next: at(1))
            let over = await automationError { try await store.insertSchedule(sixth, actionId: action.id, tenant: acme, limit: 5, at: at(9)) }
            #expect(over?.code == .limitExceeded)
            #expect(over?.field == "schedules")

            let stored = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(stored.schedules.map(\.name) == ["s0", "s1", "s2", "s3", "s4"])
            #expect(stored.dateUpdated == at(5))

            let ghost = schedule("ghost", next: nil)
            #expect(
                await automationError {
                    try await store.insertSchedule(ghost, actionId: .random(), tenant: acme, limit: 5, at: at(9))
                }?.code == .notFound
            )
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentScheduleInsertsNeverPassTheLimit(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        do {
                            _ = try await store.insertSchedule(
                                schedule("s\(index)", next: at(index)),
                                actionId: action.id,
                                tenant: acme,
                                limit: 5,
                                at: at(index)
                            )
                            return true
                        } catch let error as AutomationError where error.code == .limitExceeded {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 5)
            #expect(try await store.action(id: action.id, tenant: acme)?.schedules.count == 5)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func updatingAndDeletingSchedulesKeepsTheNextRunDerived(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let soon = schedule("soon", next: at(100))
            let later = schedule("later", next: at(200))
            let action = makeAction("report", schedules: [soon, later])
            try await store.insertAction(action)

            var disabled = soon
            disabled.isEnabled = false
            disabled.nextOccurrence = nil
            var result = try await store.updateSchedule(disabled, actionId: action.id, tenant: acme, at: at(5))
            #expect(result.schedules == [disabled, later])
            #expect(result.nextScheduledRunAt == at(200))
            #expect(result.dateUpdated == at(5))
            #expect(try await store.action(id: action.id, tenant: acme) == result)

            result = try await store.deleteSchedule(id: later.id, actionId: action.id, tenant: acme, at: at(6))
            #expect(result.schedules == [disabled])
            #expect(result.nextScheduledRunAt == nil)
            #expect(try await store.action(id: action.id, tenant: acme) == result)

            let missing = await automationError { try await store.deleteSchedule(id: later.id, actionId: action.id, tenant: acme, at: at(7)) }
            #expect(missing?.code == .notFound)
            #expect(missing?.field == "scheduleId")
            let unknown = await automationError { try await store.updateSchedule(later, actionId: action.id, tenant: acme, at: at(7)) }
            #expect(unknown?.code == .notFound)
            #expect(try await store.action(id: action.id, tenant: acme)?.dateUpdated == at(6))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pausingClearsTheNextRun(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction("report", schedules: [schedule("s", next: at(100))])
            try await store.insertAction(action)
            action.status = .paused
            #expect(try await store.updateAction(action).nextScheduledRunAt == nil)
            #expect(try await store.actionsWithEnabledSchedules(tenant: acme).isEmpty)
            action.status = .active
            #expect(try await store.updateAction(action).nextScheduledRunAt == at(100))
            #expect(try await store.actionsWithEnabledSchedules(tenant: acme).map(\.id) == [action.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func schedulerBookkeepingLeavesDateUpdatedAlone(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = schedule("first", next: at(100))
            let second = schedule("second", next: at(200))
            let action = makeAction("report", schedules: [first, second])
            try await store.insertAction(action)

            func progress(_ schedule: CronScheduleDefinition, fired: Date?, next: Date?, action id: ActionID? = nil) -> ScheduleProgress {
                ScheduleProgress(actionId: id ?? action.id, scheduleId: schedule.id, lastFired: fired, nextOccurrence: next)
            }
            #expect(try await store.lastFiredOccurrences().isEmpty)
            try await store.recordScheduleProgress([progress(first, fired: at(100), next: at(300))])
            let stored = try #require(try await store.action(id: action.id, tenant: acme))
            #expect(stored.schedules.map(\.nextOccurrence) == [at(300), at(200)])
            #expect(stored.nextScheduledRunAt == at(200))
            #expect(stored.dateUpdated == at(0))
            #expect(try await store.lastFiredOccurrences() == [first.id: at(100)])

            // A step that fired nothing keeps the last fired occurrence.
            try await store.recordScheduleProgress([
                progress(first, fired: nil, next: at(400)), progress(second, fired: nil, next: nil),
            ])
            #expect(try await store.action(id: action.id, tenant: acme)?.nextScheduledRunAt == at(400))
            #expect(try await store.lastFiredOccurrences() == [first.id: at(100)])

            // Gone schedule or action: a no-op, not an error.
            try await store.recordScheduleProgress([
                progress(schedule("gone", next: nil), fired: at(1), next: at(1)),
                progress(first, fired: at(1), next: at(1), action: .random()),
            ])
            #expect(try await store.action(id: action.id, tenant: acme)?.nextScheduledRunAt == at(400))
            #expect(try await store.lastFiredOccurrences() == [first.id: at(100)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func triggersAppendUpdateAndDelete(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report")
            try await store.insertAction(action)
            let first = trigger("first")
            let second = trigger("second", type: .codeGenerationProcessUpdated)
            _ = try await store.insertTrigger(first, actionId: action.id, tenant: acme, limit: 2, at: at(1))
            var result = try await store.insertTrigger(second, actionId: action.id, tenant: acme, limit: 2, at: at(2))
            #expect(result.messageTriggers == [first, second])
            #expect(result.dateUpdated == at(2))
            let third = trigger("third")
            let over = await automationError { try await store.insertTrigger(third, actionId: action.id, tenant: acme, limit: 2, at: at(3)) }
            #expect(over?.code == .limitExceeded)
            #expect(over?.field == "messageTriggers")
            #expect(try await store.actionsWithEnabledTriggers().map(\.id) == [action.id])

            var disabled = first
            disabled.isEnabled = false
            disabled.eventFilter = "$.item.status == 'Failed'"
            result = try await store.updateTrigger(disabled, actionId: action.id, tenant: acme, at: at(4))
            #expect(result.messageTriggers == [disabled, second])
            result = try await store.deleteTrigger(id: second.id, actionId: action.id, tenant: acme, at: at(5))
            #expect(result.messageTriggers == [disabled])
            #expect(result.dateUpdated == at(5))
            #expect(try await store.action(id: action.id, tenant: acme) == result)
            #expect(try await store.actionsWithEnabledTriggers().isEmpty)

            let missing = await automationError { try await store.updateTrigger(second, actionId: action.id, tenant: acme, at: at(6)) }
            #expect(missing?.code == .notFound)
            #expect(missing?.field == "triggerId")
            // Order is kept after a removal: a new trigger goes last.
            let fourth = trigger("fourth")
            result = try await store.insertTrigger(fourth, actionId: action.id, tenant: acme, limit: 2, at: at(7))
            #expect(try await store.action(id: action.id, tenant: acme)?.messageTriggers.map(\.name) == ["first", "fourth"])
        }
    }
}

/// `definitionsVersion()`: what the trigger index polls instead of every definition.
@Suite("Contract: definitions version")
struct DefinitionsVersionContractTests {
    @Test(arguments: StoreKind.allCases)
    func everyDefinitionChangeChangesTheVersion(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var seen: Set<Int64> = [try await store.definitionsVersion()]
            func expectNewVersion(_ what: Comment, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let version = try await store.definitionsVersion()
                #expect(seen.insert(version).inserted, what, sourceLocation: sourceLocation)
            }
            var action = makeAction("report")
            try await store.insertAction(action)
            try await expectNewVersion("action inserted")
            action.name = "renamed"
            action = try await store.updateAction(action)
            try await expectNewVersion("action renamed")
            var added = trigger("t")
            _ = try await store.insertTrigger(added, actionId: action.id, tenant: acme, limit: 5, at: at(1))
            try await expectNewVersion("trigger added")
            added.isEnabled = false
            _ = try await store.updateTrigger(added, actionId: action.id, tenant: acme, at: at(2))
            try await expectNewVersion("trigger disabled")
            let daily = schedule("daily", next: at(3600))
            _ = try await store.insertSchedule(daily, actionId: action.id, tenant: acme, limit: 5, at: at(3))
            try await expectNewVersion("schedule added")
            _ = try await store.deleteTrigger(id: added.id, actionId: action.id, tenant: acme, at: at(4))
            try await expectNewVersion("trigger removed")
            _ = try await store.deleteAction(id: action.id, tenant: acme)
            try await expectNewVersion("action deleted")
        }
    }

    @Test func sqliteKeepsTheVersionWhenOnlyCountersAndProgressChange() async throws {
        try await StoreKind.sqliteFile.withStore { store in
            let daily = schedule("daily", next: at(3600))
            let action = makeAction("report", schedules: [daily], triggers: [trigger("t")])
            try await store.insertAction(action)
            let before = try await store.definitionsVersion()
            let run = entry(action.id, event: "evt-1", started: at(1))
            _ = try await store.appendHistory([run])
            _ = try await store.completeExecution(processId: run.processId, outcome: .success, errorMessage: nil, at: at(2))
            try await store.recordScheduleProgress([
                ScheduleProgress(actionId: action.id, scheduleId: daily.id, lastFired: at(3600), nextOccurrence: at(7200)),
            ])
            #expect(try await store.definitionsVersion() == before)
        }
    }
}
