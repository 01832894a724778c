import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

/// Delayed runs against the real broker and a real SQLite file: stored, fired by the scheduler at
/// their instant through the run path, cancellable until then.
@Suite("Delayed runs against the broker")
struct DelayedRunBrokerTests {
    static func trigger(_ delivery: AMQPDelivery) throws -> [String: Any] {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
        return try #require(body["trigger"] as? [String: Any])
    }

    static func config(_ delivery: AMQPDelivery) throws -> [String: Any] {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
        return try #require(body["config"] as? [String: Any])
    }

    /// An action whose item reads `$.payload.who` from the run's event.
    static func createGreeter(_ harness: PipelineHarness) async throws -> AutomatedAction {
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Greet", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1},
              "inputs": [{"name": "who", "value": {"$fromEvent": "$.payload.who", "default": "nobody"}}]}}]
            """#.utf8))
        return try await harness.service.createAction(CreateActionRequest(name: "greeter", actions: items), namespace: "production", as: harness.caller)
            .action
    }

    @Test func aDelayedRunFiresAtItsInstantWithItsPayloadAndIsMarkedDispatched() async throws {
        let harness = try await PipelineHarness()
        let action = try await Self.createGreeter(harness)
        let (run, created) = try await harness.service.scheduleRun(
            ScheduleRunRequest(delaySeconds: 2, payload: ["who": "Ada"], key: "greeting"), of: .id(action.id), idempotencyKey: "req-1",
            as: harness.caller)
        #expect(created && run.status == .scheduled && run.key == "greeting")
        // Stored before the answer: the store has it now.
        #expect(try await harness.store.delayedRun(id: run.id, tenant: .default)?.status == .scheduled)
        let retried = try await harness.service.scheduleRun(
            ScheduleRunRequest(delaySeconds: 2), of: .id(action.id), idempotencyKey: "req-1", as: harness.caller)
        #expect(!retried.created && retried.run.id == run.id, "the same Idempotency-Key answers with the first run")

        try await Task.sleep(for: .milliseconds(1000))
        #expect(harness.commands.all.isEmpty, "not before its instant")
        #expect(await eventually { harness.commands.all.count == 1 })
        let command = try #require(harness.commands.all.first)
        let received = Date()
        #expect(received.timeIntervalSince(run.dueAt) < 1, "fired at its instant: \(received.timeIntervalSince(run.dueAt)) s late")
        let trigger = try Self.trigger(command)
        #expect(trigger["type"] as? String == "Delayed" && trigger["id"] as? String == run.id.description)
        let inputs = try #require(try Self.config(command)["inputs"] as? [[String: Any]])
        #expect(inputs.first?["value"] as? String == "Ada", "the payload is the run's event")

        #expect(try await eventually { try await harness.store.delayedRun(id: run.id, tenant: .default)?.status == .dispatched })
        let history = try await harness.history(action)
        #expect(history.count == 1 && history[0].triggerType == .delayed && history[0].triggerId == ExecutionSourceID(run.id))
        let cancelLate = await #expect(throws: AutomationError.self) {
            try await harness.service.cancelDelayedRun(run.id, of: .id(action.id), as: harness.caller)
        }
        #expect(cancelLate?.code == .conflict && cancelLate?.message.contains("dispatched") == true)
        try await Task.sleep(for: .milliseconds(1000))
        #expect(harness.commands.all.count == 1, "once")
        try await harness.shutDown()
    }

    @Test func cancelledRunsDoNotFireByIdOrByKey() async throws {
        let harness = try await PipelineHarness()
        let action = try await Self.createGreeter(harness)
        let one = try await harness.service.scheduleRun(ScheduleRunRequest(delaySeconds: 2), of: .id(action.id), as: harness.caller).run
        let keyed = try await harness.service.scheduleRun(ScheduleRunRequest(delaySeconds: 2, key: "alert-7"), of: .id(action.id), as: harness.caller).run
        let keyedToo = try await harness.service.scheduleRun(ScheduleRunRequest(delaySeconds: 2, key: "alert-7"), of: .id(action.id), as: harness.caller).run
        let kept = try await harness.service.scheduleRun(ScheduleRunRequest(delaySeconds: 2, key: "other"), of: .id(action.id), as: harness.caller).run

        let cancelled = try await harness.service.cancelDelayedRun(one.id, of: .id(action.id), as: harness.caller)
        #expect(cancelled.status == .cancelled && cancelled.cancelledAt != nil)
        let again = await #expect(throws: AutomationError.self) {
            try await harness.service.cancelDelayedRun(one.id, of: .id(action.id), as: harness.caller)
        }
        #expect(again?.code.httpStatus == 409)
        let byKey = try await harness.service.cancelDelayedRuns(key: "alert-7", of: .id(action.id), as: harness.caller)
        #expect(Set(byKey.map(\.id)) == [keyed.id, keyedToo.id])

        #expect(await eventually { harness.commands.all.count == 1 })
        try await Task.sleep(for: .milliseconds(800))
        #expect(harness.commands.all.count == 1, "only the run not cancelled")
        #expect(try Self.trigger(try #require(harness.commands.all.first))["id"] as? String == kept.id.description)
        let listed = try await harness.service.delayedRuns(of: .id(action.id), status: .cancelled, as: harness.caller)
        #expect(Set(listed.items.map(\.id)) == [one.id, keyed.id, keyedToo.id])
        #expect(try await eventually {
            try await harness.service.delayedRuns(of: .id(action.id), status: .dispatched, as: harness.caller).items.map(\.id) == [kept.id]
        })
        try await harness.shutDown()
    }

    @Test func delaysOutsideTheLimitsAreRefusedNamingThem() async throws {
        let harness = try await PipelineHarness()
        let action = try await Self.createGreeter(harness)
        for (request, field, status) in [
            (ScheduleRunRequest(delaySeconds: 0), "delaySeconds", 422), (ScheduleRunRequest(delaySeconds: 604_801), "delaySeconds", 422),
            (ScheduleRunRequest(runAt: Date().addingTimeInterval(-10)), "runAt", 422),
            (ScheduleRunRequest(runAt: Date().addingTimeInterval(8 * 86_400)), "runAt", 422),
            (ScheduleRunRequest(delaySeconds: 5, runAt: Date().addingTimeInterval(60)), "delaySeconds", 400),
            (ScheduleRunRequest(), "delaySeconds", 400), (ScheduleRunRequest(delaySeconds: 5, key: ""), "key", 400),
        ] {
            let error = await #expect(throws: AutomationError.self) {
                try await harness.service.scheduleRun(request, of: .id(action.id), as: harness.caller)
            }
            #expect(error?.field == field && error?.code.httpStatus == status, "\(String(describing: error))")
        }
        #expect(try await harness.service.delayedRuns(of: .id(action.id), as: harness.caller).items.isEmpty)
        try await harness.shutDown()
    }
}
