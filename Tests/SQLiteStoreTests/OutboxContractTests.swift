import Automation
import Foundation
import Testing

/// The outbox of `webhook` items' requests and the actions' signing secrets — against both stores.
@Suite("Contract: HTTP request outbox and signing secrets")
struct OutboxContractTests {
    func request(for entry: ExecutionHistoryEntry, tenant: TenantID = acme) -> OutboundHTTPRequest {
        OutboundHTTPRequest(
            deliveryId: entry.id, processId: entry.processId, actionId: entry.actionId, tenantId: tenant,
            url: "https://hooks.example.com/\(entry.sourceEventId)", method: "POST",
            headers: [.init(name: "content-type", value: "application/json")], body: #"{"a":1}"#, timeoutSeconds: 5, expectStatus: nil)
    }

    func webhookEntry(_ action: ActionID, event: String, started: Date) -> ExecutionHistoryEntry {
        var row = entry(action, event: event, started: started)
        row.processType = .webhook
        return row
    }

    @Test(arguments: StoreKind.allCases)
    func aRequestStaysInTheOutboxUntilItsEntryCloses(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("out")
            try await store.insertAction(action)
            let first = webhookEntry(action.id, event: "e-1", started: at(1))
            let second = webhookEntry(action.id, event: "e-2", started: at(2))
            _ = try await store.record(RunRecord(history: [first, second], httpRequests: [request(for: first), request(for: second)], at: at(2)))
            #expect(try await store.pendingHTTPRequests() == [request(for: first), request(for: second)], "oldest first, as planned")

            // Recorded again (a redelivery): not stored twice.
            _ = try await store.record(RunRecord(history: [first], httpRequests: [request(for: first)], at: at(3)))
            #expect(try await store.pendingHTTPRequests().count == 2)

            let closed = try await store.completeExecution(processId: first.processId, outcome: .failed, errorMessage: "HTTP 500", at: at(4))
            #expect(closed?.entry.errorMessage == "HTTP 500")
            #expect(try await store.pendingHTTPRequests() == [request(for: second)])
            #expect(try await store.deleteAction(id: action.id, tenant: acme))
            #expect(try await store.pendingHTTPRequests().isEmpty, "deleting the action empties its outbox")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pruningAPendingEntryDropsItsRequest(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("out")
            try await store.insertAction(action)
            let old = webhookEntry(action.id, event: "e-old", started: at(1))
            let recent = webhookEntry(action.id, event: "e-new", started: at(100))
            _ = try await store.record(RunRecord(history: [old, recent], httpRequests: [request(for: old), request(for: recent)], at: at(100)))
            // Runs under way stay until their process is taken as lost (started before `underWayStartedBefore`).
            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: at(50)) == 0)
            #expect(try await store.pruneHistory(keepLastPerAction: nil, startedBefore: at(50), underWayStartedBefore: at(200), tenant: nil) == 1)
            #expect(try await store.pendingHTTPRequests() == [request(for: recent)], "no entry left to close: not sent")
            #expect(try await store.pruneHistory(keepLastPerAction: 0, startedBefore: nil, underWayStartedBefore: at(200), tenant: nil) == 1)
            #expect(try await store.pendingHTTPRequests().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSigningSecretIsCreatedOnceAndRotatedWithAGrace(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("out")
            try await store.insertAction(action)
            let (one, two, three) = (WebhookSecret.generate(), WebhookSecret.generate(), WebhookSecret.generate())
            let created = try await store.signingCredentials(actionId: action.id, tenant: acme, creating: one, at: at(1))
            #expect(created.secret == one)
            #expect(try await store.signingCredentials(actionId: action.id, tenant: nil, creating: two, at: at(2)).secret == one, "kept, not replaced")
            await #expect(throws: AutomationError.self) {
                try await store.signingCredentials(actionId: action.id, tenant: TenantID("other"), creating: two, at: at(2))
            }
            let rotated = try await store.rotateSigningSecret(to: three, actionId: action.id, tenant: acme, at: at(10), grace: 60)
            #expect(rotated.secrets(at: at(20)) == [three, one])
            #expect(rotated.secrets(at: at(71)) == [three])
            #expect(try await store.signingCredentials(actionId: action.id, tenant: acme, creating: two, at: at(20)) == rotated)
            await #expect(throws: AutomationError.self) {
                try await store.rotateSigningSecret(to: two, actionId: .random(), tenant: acme, at: at(10), grace: 60)
            }
        }
    }
}

/// Delayed runs in both stores: idempotent insert, claim against cancel, dispatch, pruning.
@Suite("Contract: delayed runs")
struct DelayedRunContractTests {
    @Test(arguments: StoreKind.allCases)
    func aClaimedRunCannotBeCancelledAndFinishedRunsArePruned(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("later")
            try await store.insertAction(action)
            func run(_ key: String, due: Date) -> DelayedRun {
                DelayedRun(tenantId: acme, actionId: action.id, key: key, dueAt: due, payload: ["k": .string(key)], dateCreated: at(0))
            }
            let (first, second, third) = (run("a", due: at(10)), run("a", due: at(20)), run("b", due: at(30)))
            for candidate in [first, second, third] { _ = try await store.insertDelayedRun(candidate, requestKey: nil, limit: 10) }
            let again = try await store.insertDelayedRun(run("x", due: at(40)), requestKey: "req", limit: 10)
            let retried = try await store.insertDelayedRun(run("y", due: at(50)), requestKey: "req", limit: 10)
            await #expect(throws: AutomationError.self, "a fifth scheduled run over a limit of 4") {
                try await store.insertDelayedRun(run("z", due: at(60)), requestKey: nil, limit: 4)
            }
            #expect(again.created && !retried.created && retried.run.id == again.run.id, "one run per Idempotency-Key")
            #expect(try await store.pendingDelayedRuns().count == 4)

            // Claimed: no longer cancellable, by id or by key.
            #expect(try await store.claimDelayedRuns([first.id], at: at(9)).map(\.id) == [first.id])
            #expect(try await store.cancelDelayedRuns(actionId: action.id, tenant: acme, ids: nil, key: "a", at: at(9)).map(\.id) == [second.id])
            #expect(try await store.cancelDelayedRuns(actionId: action.id, tenant: acme, ids: [first.id], key: nil, at: at(9)).isEmpty)
            #expect(
                try await store.claimDelayedRuns([first.id, second.id, first.id], at: at(10)).map(\.id) == [first.id],
                "a cancelled run is not claimed; a claimed one is again, once")
            #expect(try await store.cancelDelayedRuns(actionId: action.id, tenant: TenantID("other"), ids: [third.id], key: nil, at: at(9)).isEmpty)
            #expect(try await store.delayedRun(id: third.id, tenant: TenantID("other")) == nil)

            try await store.finishDelayedRuns([first.id], as: .dispatched, at: at(11))
            let dispatched = try await store.delayedRun(id: first.id, tenant: acme)
            #expect(dispatched?.status == .dispatched && dispatched?.dispatchedAt == at(11) && dispatched?.payload == nil, "its payload is not kept")
            #expect(Set(try await store.pendingDelayedRuns().map(\.id)) == [third.id, again.run.id])
            let page = try await store.delayedRuns(actionId: action.id, tenant: acme, status: nil, page: PageRequest(limit: 2))
            let rest = try await store.delayedRuns(actionId: action.id, tenant: acme, status: nil, page: PageRequest(limit: 2, cursor: page.nextCursor))
            #expect((page.items + rest.items).map(\.id) == [first.id, second.id, third.id, again.run.id], "by due instant, paged")

            #expect(try await store.pruneDelayedRuns(finishedBefore: at(10)) == 1, "the cancelled one (at 9)")
            #expect(try await store.pruneDelayedRuns(finishedBefore: at(100)) == 1, "the dispatched one")
            #expect(try await store.pendingDelayedRuns().count == 2, "scheduled runs are kept")
            #expect(try await store.deleteAction(id: action.id, tenant: acme))
            #expect(try await store.pendingDelayedRuns().isEmpty, "deleting the action deletes its runs")
        }
    }
}
