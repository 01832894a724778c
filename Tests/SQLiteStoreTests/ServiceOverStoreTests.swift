import Automation
import Foundation
import Testing

/// The domain service driving each store: seed 000's tutorial, as the REST API will run it.
@Suite("Service over the store")
struct ServiceOverStoreTests {
    @Test(arguments: StoreKind.allCases)
    func seedTutorialRunsEndToEnd(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let clock = ManualWallClock(at(0))
            let service = AutomationService(store: store, clock: clock, runner: InMemoryActionRunner(store: store, clock: clock))
            _ = try await service.createTenant(acme, name: "Acme")
            let issued = try await service.issueToken(tenant: acme, role: .admin, name: "ops")
            let caller = try await service.authenticate(bearerToken: issued.secret)
            #expect(caller.tenantId == acme)
            #expect(caller.role == .admin)

            let request = CreateActionRequest(
                name: "daily-report",
                description: "Generates daily summary reports",
                actions: try everyKindOfItem()
            )
            let created = try await service.createAction(request, namespace: production, as: caller).action
            let duplicate = await automationError { try await service.createAction(request, namespace: production, as: caller) }
            #expect(duplicate?.code == .conflict)

            let reference = ActionReference.name("daily-report", namespace: production)
            let scheduled = try await service.addSchedule(
                AddScheduleRequest(name: "Morning", minute: "0", hour: "9"),
                to: reference,
                as: caller
            )
            #expect(scheduled.schedules.count == 1)
            #expect(scheduled.nextScheduledRunAt != nil)
            #expect(scheduled.nextScheduledRunAt == scheduled.schedules.first?.nextOccurrence)

            clock.advance(by: 60)
            let run = try await service.triggerManually(.id(created.id), as: caller)
            #expect(run.entries.count == 4)
            // The interaction-message item reads the interaction from the event; a manual
            // event has none, so that item fails with a reason and starts nothing.
            #expect(run.processIds.count == 3)
            #expect(run.entries.filter { $0.outcome == .failed }.map(\.processType) == [.interaction])
            let completion = try await service.completeExecution(processId: run.processIds[0], outcome: .failed, errorMessage: "boom")
            #expect(completion?.consecutiveFailures == 1)

            let history = try await service.history(of: reference, page: PageRequest(limit: 2), as: caller)
            #expect(history.items.count == 2)
            #expect(history.nextCursor != nil)
            let rest = try await service.history(of: reference, page: PageRequest(limit: 2, cursor: history.nextCursor), as: caller)
            #expect(Set((history.items + rest.items).map(\.processId)) == Set(run.entries.map(\.processId)))
            #expect(try await service.action(reference, as: caller).totalExecutions == 1)

            try await service.deleteAction(reference, as: caller)
            #expect(await automationError { try await service.action(reference, as: caller) }?.code == .notFound)
        }
    }
}
