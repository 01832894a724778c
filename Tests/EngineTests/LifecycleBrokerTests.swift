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

/// Pending → Running → Success from the process's own ProcessUpdated events.
@Suite("Run states against the broker")
struct RunStateBrokerTests {
    @Test func aStartedEventMarksTheRunRunningAndTheFinishedOneKeepsItsOutput() async throws {
        let harness = try await PipelineHarness()
        let action = try await harness.createDailyReport(withTrigger: false)
        let run = try await harness.service.triggerManually(.id(action.id), as: harness.caller)
        let processId = try #require(run.processIds.first).description
        func event(_ id: String, _ status: String, extra: String = "") -> String {
            #"{"type":"AppProcessUpdated","id":"\#(id)","tenantId":"default","item":{"id":"\#(processId)","status":"\#(status)"\#(extra)}}"#
        }
        try await harness.publishEvent(event("evt-started", "Running"), messageID: "evt-started")
        #expect(try await eventually { try await harness.history(action).first?.outcome == .running })
        let running = try #require(try await harness.history(action).first)
        #expect(running.dateRunning != nil && running.dateCompleted == nil && running.durationSeconds == nil)

        try await harness.publishEvent(event("evt-finished", "Finished", extra: #","output":{"pages":12}"#), messageID: "evt-finished")
        #expect(try await eventually { try await harness.history(action).first?.outcome == .success })
        let done = try #require(try await harness.history(action).first)
        #expect(done.result?.jsonText == #"{"pages":12}"#)
        #expect(done.dateRunning == running.dateRunning)
        #expect((done.durationSeconds ?? -1) >= 0)
        #expect(try await harness.store.action(id: action.id, tenant: .default)?.totalExecutions == 1, "counted once, at the end")
        try await harness.shutDown()
    }
}
