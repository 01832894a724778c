import Automation
import Foundation
import Testing

/// Actions as aggregates, against both stores.
@Suite("Contract: actions")
struct ActionContractTests {
    @Test(arguments: StoreKind.allCases)
    func actionRoundTripsWithItemsSchedulesAndTriggers(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var action = makeAction(
                "daily-report",
                items: try everyKindOfItem(),
                schedules: [schedule("late", next: at(900)), schedule("off", enabled: false, next: at(100)), schedule("early", next: at(300))],
                triggers: [trigger("b"), trigger("a", enabled: false, type: .capsuleProcessUpdated)]
            )
            action.description = nil
            action.nextScheduledRunAt = at(1)  // stale on purpose: the store derives it
            try await store.insertAction(action)

            let stored = try #require(try await store.action(id: action.id, tenant: acme))
            var expected = action
            expected.nextScheduledRunAt = at(300)  // earliest enabled schedule
            #expect(stored == expected)
            #expect(stored.schedules.map(\.name) == ["late", "off", "early"])
            #expect(stored.messageTriggers.map(\.name) == ["b", "a"])
            #expect(try await store.action(named: "daily-report", namespace: production, tenant: acme) == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func namesAreUniquePerTenantAndNamespace(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertAction(makeAction("report"))
            let clash = await automationError { try await store.insertAction(makeAction("report")) }
            #expect(clash?.code == .conflict)
            #expect(clash?.field == "name")

            try await store.insertAction(makeAction("report", namespace: "staging"))
            try await store.insertAction(makeAction("report", tenant: globex))
            #expect(try await store.action(named: "report", namespace: "staging", tenant: acme)?.namespace == "staging")
            #expect(try await store.action(named: "report", namespace: production, tenant: globex)?.tenantId == globex)

            let sameID = try #require(try await store.action(named: "report", namespace: production, tenant: acme))
            var renamed = sameID
            renamed.name = "other"
            let idClash = await automationError { try await store.insertAction(renamed) }
            #expect(idClash?.code == .conflict)
            #expect(try await store.action(named: "other", namespace: production, tenant: acme) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherTenantsActionIsNotThere(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("report", schedules: [schedule("s", next: at(60))], triggers: [trigger("t")])
            try await store.insertAction(action)

            #expect(try await store.action(id: action.id, tenant: globex) == nil)
            #expect(try await store.action(named: "report", namespace: production, tenant: globex) == nil)
            #expect(try await store.actions(ActionListFilter(namespace: production), tenant: globex, page: PageRequest()).items.isEmpty)
            #expect(try await store.deleteAction(id: action.id, tenant: globex) == false)
            var hijack = action
            hijack.tenantId = globex
            #expect(await automationError { try await store.updateAction(hijack) }?.code == .notFound)
            let newSchedule = schedule("x", next: nil)
            #expect(
                await automationError {
                    try await store.insertSchedule(newSchedule, actionId: action.id, tenant: globex, limit: 5, at: at(1))
                }?.code == .notFound
            )
            #expect(
                await automationError {
                    try await store.deleteTrigger(id: action.messageTriggers[0].id, actionId: action.id, tenant: globex, at: at(1))
                }?.code == .notFound
            )
            #expect(try await store.action(id: action.id, tenant: acme) == action.withNextRun(at(60)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func updateReplacesEverythingButCountersAndCreationDate(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let keep = schedule("keep", next: at(500))
            let drop = schedule("drop", next: at(100))
            let original = makeAction("report", schedules: [drop, keep], triggers: [trigger("t1")])
            try await store.insertAction(original)
            try await store.insertAction(makeAction("taken"))
            let run = entry(original.id, event: "e1", started: at(10))
            _ = try await store.appendHistory([run])
            _ = try await store.completeExecution(processId: run.processId, outcome: .failed, errorMessage: "boom", at: at(11))

            var changed = original
            changed.name = "renamed"
            changed.description = "new text"
            changed.status = .active
            changed.actions = try everyKindOfItem()
            var edited = keep
            edited.isEnabled = false
            changed.schedules = [edited, schedule("new", next: at(700))]
            changed.messageTriggers = [trigger("t2", type: .interactionProcessUpdated)]
            changed.totalExecutions = 99
            changed.consecutiveFailures = 42
            changed.dateCreated = at(12_345)
            changed.dateUpdated = at(50)
            let result = try await store.updateAction(changed)

            var expected = changed
            expected.totalExecutions = 1
            expected.consecutiveFailures = 1
            expected.dateCreated = at(0)
            expected.nextScheduledRunAt = at(700)
            #expect(result == expected)
            #expect(try await store.action(id: original.id, tenant: acme) == expected)
            #expect(try await store.action(named: "report", namespace: production, tenant: acme) == nil)

            var ontoTaken = expected
            ontoTaken.name = "taken"
            #expect(await automationError { try await store.updateAction(ontoTaken) }?.code == .conflict)
            #expect(try await store.action(id: original.id, tenant: acme)?.name == "renamed")

            #expect(await automationError { try await store.updateAction(makeAction("ghost")) }?.code == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func actionsListByNameOnePageAtATime(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            for name in ["delta", "alpha", "echo", "charlie", "bravo"] { try await store.insertAction(makeAction(name)) }
            try await store.insertAction(makeAction("aaa-other-namespace", namespace: "staging"))
            try await store.insertAction(makeAction("aaa-other-tenant", tenant: globex))

            var names: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await store.actions(ActionListFilter(namespace: production), tenant: acme, page: PageRequest(limit: 2, cursor: cursor))
                #expect(page.items.count <= 2)
                names += page.items.map(\.name)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(names == ["alpha", "bravo", "charlie", "delta", "echo"])
            #expect(pages == 3)

            let whole = try await store.actions(ActionListFilter(namespace: production), tenant: acme, page: PageRequest(limit: 5))
            #expect(whole.items.count == 5)
            #expect(whole.nextCursor == nil)

            let bad = await automationError {
                try await store.actions(ActionListFilter(namespace: production), tenant: acme, page: PageRequest(cursor: "garbage"))
            }
            #expect(bad?.code == .invalidInput)
            #expect(bad?.field == "cursor")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listsFilterByStatusAndTriggerKindAndLeaveArchivedOut(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertAction(makeAction("scheduled", schedules: [schedule("daily", next: at(60))]))
            try await store.insertAction(makeAction("listening", status: .paused, triggers: [trigger("on finish")]))
            try await store.insertAction(makeAction("sketch", status: .draft))
            try await store.insertAction(makeAction("retired", status: .archived, schedules: [schedule("old", next: nil)]))
            let hooked = makeAction("hooked", namespace: "staging")
            try await store.insertAction(hooked)
            _ = try await store.insertWebhook(
                WebhookTrigger(name: "ci", dateCreated: at(1)), credentials: WebhookCredentials(secret: .generate()),
                actionId: hooked.id, tenant: acme, limit: 5, at: at(1))
            try await store.insertAction(makeAction("elsewhere", tenant: globex, schedules: [schedule("daily", next: at(60))]))

            func names(_ filter: ActionListFilter) async throws -> [String] {
                try await store.actions(filter, tenant: acme, page: PageRequest()).items.map(\.name)
            }
            // Every namespace, by namespace then name; archived left out.
            #expect(try await names(ActionListFilter()) == ["listening", "scheduled", "sketch", "hooked"])
            #expect(try await names(ActionListFilter(status: .archived)) == ["retired"])
            #expect(try await names(ActionListFilter(status: .draft)) == ["sketch"])
            #expect(try await names(ActionListFilter(status: .paused)) == ["listening"])
            #expect(try await names(ActionListFilter(trigger: .schedule)) == ["scheduled"])
            #expect(try await names(ActionListFilter(status: .archived, trigger: .schedule)) == ["retired"])
            #expect(try await names(ActionListFilter(trigger: .message)) == ["listening"])
            #expect(try await names(ActionListFilter(trigger: .webhook)) == ["hooked"])
            #expect(try await names(ActionListFilter(namespace: "staging")) == ["hooked"])

            // A cursor crosses namespaces.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.actions(ActionListFilter(), tenant: acme, page: PageRequest(limit: 1, cursor: cursor))
                seen += page.items.map(\.name)
                cursor = page.nextCursor
            } while cursor != nil && seen.count < 10
            #expect(seen == ["listening", "scheduled", "sketch", "hooked"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anArchivedActionIsNotUpdatedEvenByAWriterThatReadItBefore(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let original = makeAction("old")
            try await store.insertAction(original)
            var archived = original
            archived.status = .archived
            _ = try await store.updateAction(archived, statusRead: nil)
            var renamed = original
            renamed.name = "renamed"
            let refused = await automationError { try await store.updateAction(renamed, statusRead: .active) }
            #expect(refused?.code == .conflict)
            #expect(refused?.message.contains("archived") == true)
            #expect(try await store.action(id: original.id, tenant: acme)?.name == "old")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pipelineQueriesReturnActiveActionsWithSomethingEnabled(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let scheduled = makeAction("b-scheduled", schedules: [schedule("off", enabled: false, next: nil), schedule("on", next: at(60))])
            let scheduledElsewhere = makeAction("a-scheduled", tenant: globex, schedules: [schedule("on", next: at(60))])
            let allDisabled = makeAction(
                "c-disabled",
                schedules: [schedule("off", enabled: false, next: nil)],
                triggers: [trigger("off", enabled: false)]
            )
            let paused = makeAction("d-paused", status: .paused, schedules: [schedule("on", next: at(60))], triggers: [trigger("on")])
            let triggered = makeAction("e-triggered", triggers: [trigger("off", enabled: false), trigger("on")])
            let triggeredElsewhere = makeAction("a-triggered", namespace: "staging", triggers: [trigger("on")])
            for action in [scheduled, scheduledElsewhere, allDisabled, paused, triggered, triggeredElsewhere] {
                try await store.insertAction(action)
            }

            #expect(try await store.actionsWithEnabledSchedules(tenant: nil).map(\.name) == ["b-scheduled", "a-scheduled"])
            #expect(try await store.actionsWithEnabledSchedules(tenant: acme).map(\.id) == [scheduled.id])
            #expect(try await store.actionsWithEnabledSchedules(tenant: acme).first?.schedules.count == 2)
            #expect(try await store.actionsWithEnabledTriggers().map(\.name) == ["e-triggered", "a-triggered"])
            #expect(try await store.actionsWithEnabledTriggers().first?.messageTriggers.map(\.name) == ["off", "on"])

            // The index's read leaves schedules out and keeps items: equal items (decoded once by
            // the SQLite store) and different ones each read back as stored.
            let other = [ActionItem(name: "Other", config: .app(AppConfig(version: VersionReference(id: "b2", version: 2))))]
            let both = makeAction("f-both", items: other, schedules: [schedule("on", next: at(60))], triggers: [trigger("on")])
            try await store.insertAction(both)
            let read = try await store.actionsWithEnabledTriggers()
            #expect(read.map(\.name) == ["e-triggered", "f-both", "a-triggered"])
            #expect(read.allSatisfy { $0.schedules.isEmpty })
            #expect(read.map(\.actions) == [triggered.actions, both.actions, triggeredElsewhere.actions])
            #expect(read.map(\.id) == [triggered.id, both.id, triggeredElsewhere.id])

        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingAnActionDeletesItsHistory(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let doomed = makeAction("doomed", schedules: [schedule("s", next: at(60))], triggers: [trigger("t")])
            let survivor = makeAction("survivor")
            try await store.insertAction(doomed)
            try await store.insertAction(survivor)
            let doomedRun = entry(doomed.id, event: "e", started: at(1))
            _ = try await store.appendHistory([doomedRun, entry(survivor.id, event: "f", started: at(1))])

            #expect(try await store.deleteAction(id: doomed.id, tenant: acme) == true)
            #expect(try await store.action(id: doomed.id, tenant: acme) == nil)
            #expect(try await store.history(actionId: doomed.id, page: PageRequest()).items.isEmpty)
            #expect(try await store.historyEntry(processId: doomedRun.processId) == nil)
            #expect(try await store.history(actionId: survivor.id, page: PageRequest()).items.count == 1)
            #expect(try await store.deleteAction(id: doomed.id, tenant: acme) == false)
            // The name is free again.
            try await store.insertAction(makeAction("doomed"))
        }
    }
}

extension AutomatedAction {
    func withNextRun(_ date: Date?) -> AutomatedAction {
        var copy = self
        copy.nextScheduledRunAt = date
        return copy
    }
}

/// `quotas.actionsPerTenant` counted in the write transaction, so concurrent creations and
/// applies cannot pass it (the service's early check alone let them through by their number).
@Suite("Contract: the tenant's action quota")
struct ActionQuotaContractTests {
    @Test(arguments: StoreKind.allCases)
    func concurrentInsertsStopAtTheLimit(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.insertTenant(Tenant(id: acme, name: "Acme", dateCreated: at(0)))
            try await store.insertTenant(Tenant(id: globex, name: "Globex", dateCreated: at(0)))
            try await store.insertAction(makeAction("theirs", tenant: globex), tenantLimit: 5)
            let outcomes = await withTaskGroup(of: AutomationError?.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            try await store.insertAction(makeAction("a\(index)"), tenantLimit: 5)
                            return nil
                        } catch {
                            return error as? AutomationError ?? AutomationError.unavailable("\(error)")
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let refused = outcomes.compactMap { $0 }
            #expect(refused.count == 15, "\(refused)")
            #expect(refused.allSatisfy { $0.code == .limitExceeded && $0.message.contains("at most 5 actions") })
            #expect(try await store.actionCount(tenant: acme) == 5)
            #expect(try await store.actionCount(tenant: globex) == 1, "another tenant's actions do not count")

            // An apply past the limit writes nothing; one that deletes as many as it creates fits.
            let existing = try await store.actions(tenant: acme)
            var over = DefinitionChanges(tenant: acme, created: [makeAction("b0"), makeAction("b1")])
            over.tenantLimit = 6
            let refusedApply = await automationError { try await store.applyDefinitions(over) }
            #expect(refusedApply?.code == .limitExceeded)
            #expect(try await store.actionCount(tenant: acme) == 5)
            let b0 = try await store.action(named: "b0", namespace: production, tenant: acme)
            #expect(b0 == nil, "nothing of the refused apply written")
            var swap = DefinitionChanges(
                tenant: acme, created: [makeAction("b0"), makeAction("b1")], deleted: existing.prefix(2).map(\.id),
                planned: Dictionary(uniqueKeysWithValues: existing.prefix(2).map { ($0.id, $0) }))
            swap.tenantLimit = 5
            try await store.applyDefinitions(swap)
            #expect(try await store.actionCount(tenant: acme) == 5)
        }
    }
}
