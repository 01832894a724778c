import AMQPClient
import Automation
import Engine
import Foundation
import SignalboxTestSupport
import Testing

/// What each status lets run, against the real broker and a real SQLite file.
@Suite("Action statuses against the broker")
struct LifecycleBrokerTests {
    @Test func aDraftIgnoresAMatchingEventAndADueScheduleButRunsManuallyAndOnceActivated() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport(
            schedules: [AddScheduleRequest(name: "every second", cron: "* * * * * *")], status: .draft)
        #expect(action.nextScheduledRunAt == nil, "a draft has no next run")
        try await harness.triggers.refresh()
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-draft-1"), messageID: "evt-draft-1")
        // The event was consumed (and the schedule came due twice) without a command.
        #expect(await eventually { harness.counters.snapshot.acked >= 1 })
        try await Task.sleep(for: .milliseconds(2200))
        #expect(harness.commands.all.isEmpty, "neither the event nor the schedule starts a draft")
        #expect(try await harness.history(action).isEmpty)

        let test = try await harness.service.triggerManually(.id(action.id), as: harness.caller)
        #expect(test.entries.map(\.triggerType) == [.manual])
        #expect(await eventually { harness.commands.all.count == 1 }, "a manual run of a draft is its test run")

        _ = try await harness.service.activateAction(.id(action.id), as: harness.caller)
        try await harness.triggers.refresh()
        try await harness.publishEvent(PipelineHarness.dataImportEvent(id: "evt-draft-2"), messageID: "evt-draft-2")
        #expect(await eventually {
            let types = (try? await harness.history(action).map(\.triggerType)) ?? []
            return types.contains(.message) && types.contains(.schedule)
        }, "once active, the event and the schedule start it")
        try await harness.shutDown()
    }
}
