import Automation
import Foundation
import Testing

/// `applyDefinitions(_:)` and `actions(tenant:)` (definitions as code), against both stores: one
/// call creates, updates and deletes; it is all or nothing; it touches one tenant only; created
/// webhooks get their credentials.
@Suite("Contract: definitions apply")
struct DefinitionsContractTests {
    static func webhook(_ name: String) -> WebhookTrigger {
        WebhookTrigger(name: name, isEnabled: true, filter: "$.payload.ref == 'main'", dateCreated: at(1))
    }

    /// A stored action of acme with one run completed (counters 1), one of globex of the same
    /// name, and one of acme to delete with a history entry.
    struct Stored {
        var kept: AutomatedAction
        var doomed: AutomatedAction
        var foreign: AutomatedAction
    }

    static func prepare(_ store: any AutomationStore) async throws -> Stored {
        let kept = makeAction("kept", schedules: [schedule("morning", next: at(900))])
        let doomed = makeAction("doomed")
        let foreign = makeAction("kept", tenant: globex)
        for action in [kept, doomed, foreign] { try await store.insertAction(action) }
        let run = entry(kept.id, event: "e1", started: at(10))
        _ = try await store.appendHistory([run])
        _ = try await store.completeExecution(processId: run.processId, outcome: .failed, errorMessage: "boom", at: at(11))
        _ = try await store.appendHistory([entry(doomed.id, event: "e2", started: at(12))])
        return Stored(
            kept: try #require(try await store.action(id: kept.id, tenant: acme)),
            doomed: try #require(try await store.action(id: doomed.id, tenant: acme)),
            foreign: try #require(try await store.action(id: foreign.id, tenant: globex)))
    }

    @Test(arguments: StoreKind.allCases)
    func createsUpdatesAndDeletesInOneCall(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)

            // Update: new description and items, the schedule replaced, a webhook added; the
            // caller's counters and creation date are not the store's.
            var updated = stored.kept
            updated.description = "changed"
            updated.actions = try everyKindOfItem()
            updated.schedules = [schedule("evening", next: at(2_000))]
            let updatedHook = Self.webhook("from-ci")
            updated.webhooks = [updatedHook]
            updated.totalExecutions = 77
            updated.consecutiveFailures = 9
            updated.dateCreated = at(5_000)
            updated.dateUpdated = at(60)
            updated.managedBy = .file
            updated.definedIn = "reports.yaml"
            // Create: takes the name the deletion frees, with a schedule and a webhook.
            var created = makeAction("doomed", schedules: [schedule("nightly", next: at(300))])
            let createdHook = Self.webhook("incoming")
            created.webhooks = [createdHook]
            created.nextScheduledRunAt = nil  // derived by the store
            let createdSecret = WebhookSecret.generate(), updatedSecret = WebhookSecret.generate()

            try await store.applyDefinitions(DefinitionChanges(
                tenant: acme, created: [created], updated: [updated], deleted: [stored.doomed.id],
                webhookCredentials: [
                    createdHook.id: WebhookCredentials(secret: createdSecret), updatedHook.id: WebhookCredentials(secret: updatedSecret),
                ]))

            let all = try await store.actions(tenant: acme)
            #expect(all.map(\.name) == ["doomed", "kept"], "by namespace and name")
            #expect(!all.contains { $0.id == stored.doomed.id })
            #expect(try await store.action(id: stored.doomed.id, tenant: acme) == nil)
            #expect(try await store.history(actionId: stored.doomed.id, page: PageRequest()).items.isEmpty, "history goes with it")

            let reread = try #require(all.first { $0.id == stored.kept.id })
            var expectedUpdate = updated
            expectedUpdate.totalExecutions = 1
            expectedUpdate.consecutiveFailures = 1
            expectedUpdate.dateCreated = at(0)
            expectedUpdate.nextScheduledRunAt = at(2_000)
            #expect(reread == expectedUpdate)
            #expect(reread.managedBy == .file && reread.definedIn == "reports.yaml")
            #expect(try await store.history(actionId: stored.kept.id, page: PageRequest()).items.count == 1, "an update keeps history")

            var expectedCreate = created
            expectedCreate.nextScheduledRunAt = at(300)
            #expect(all.first { $0.id == created.id } == expectedCreate)
            #expect(try await store.action(named: "doomed", namespace: production, tenant: acme) == expectedCreate)

            // Webhook credentials stored, for the created action's webhook and the updated one's.
            let createdTarget = try #require(try await store.webhookTarget(id: createdHook.id))
            #expect(createdTarget.action.id == created.id && createdTarget.webhook == createdHook)
            #expect(createdTarget.credentials.secret == createdSecret)
            #expect(try await store.webhookTarget(id: updatedHook.id)?.credentials.secret == updatedSecret)

            // A second apply removing the webhook removes its target too.
            var withoutHook = reread
            withoutHook.webhooks = []
            try await store.applyDefinitions(DefinitionChanges(tenant: acme, updated: [withoutHook]))
            #expect(try await store.webhookTarget(id: updatedHook.id) == nil)
            #expect(try await store.action(id: stored.kept.id, tenant: acme)?.webhooks == [])

            // The other tenant's action of the same name is untouched.
            #expect(try await store.actions(tenant: globex) == [stored.foreign])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCollidingCreationWritesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)
            let before = try await store.actions(tenant: acme)
            let version = try await store.definitionsVersion()

            var updated = stored.kept
            updated.description = "should not land"
            var fresh = makeAction("fresh")
            let hook = Self.webhook("hook")
            fresh.webhooks = [hook]
            let clash = makeAction("kept")  // another id, the name of a stored action
            let error = await automationError {
                try await store.applyDefinitions(DefinitionChanges(
                    tenant: acme, created: [fresh, clash], updated: [updated], deleted: [stored.doomed.id],
                    webhookCredentials: [hook.id: WebhookCredentials(secret: .generate())]))
            }
            #expect(error?.code == .conflict && error?.field == "name", "\(String(describing: error))")

            #expect(try await store.actions(tenant: acme) == before, "nothing was written: no deletion, update or creation")
            #expect(try await store.action(named: "fresh", namespace: production, tenant: acme) == nil)
            #expect(try await store.webhookTarget(id: hook.id) == nil, "no credentials either")
            #expect(try await store.history(actionId: stored.doomed.id, page: PageRequest()).items.count == 1)
            if kind != .inMemory {
                #expect(try await store.definitionsVersion() == version, "a rolled-back apply changes no definitions")
            }

            // Two creations of one name in one call collide with each other the same way.
            let twice = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: acme, created: [makeAction("twin"), makeAction("twin")]))
            }
            #expect(twice?.code == .conflict)
            #expect(try await store.action(named: "twin", namespace: production, tenant: acme) == nil)

            // An update of an action that is gone fails the whole call too.
            let ghost = makeAction("ghost")
            let gone = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: acme, created: [makeAction("other")], updated: [ghost]))
            }
            #expect(gone?.code == .notFound)
            #expect(try await store.action(named: "other", namespace: production, tenant: acme) == nil)
            #expect(try await store.actions(tenant: acme) == before)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anApplyTouchesItsTenantOnly(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)
            let acmeBefore = try await store.actions(tenant: acme)
            #expect(acmeBefore.map(\.name) == ["doomed", "kept"])
            #expect(acmeBefore.allSatisfy { $0.tenantId == acme })
            #expect(try await store.actions(tenant: globex) == [stored.foreign])
            #expect(try await store.actions(tenant: "initech").isEmpty)

            // Globex's apply cannot delete acme's action: the id is not its own.
            try await store.applyDefinitions(DefinitionChanges(tenant: globex, deleted: [stored.doomed.id]))
            #expect(try await store.action(id: stored.doomed.id, tenant: acme) == stored.doomed)

            // Nor update it, even through a copy claiming globex: not found, nothing written.
            var hijack = stored.kept
            hijack.description = "hijacked"
            let asGlobex = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: globex, updated: [hijack]))
            }
            #expect(asGlobex?.code == .notFound)
            hijack.tenantId = globex
            let claimed = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: globex, created: [makeAction("new", tenant: globex)], updated: [hijack]))
            }
            #expect(claimed?.code == .notFound)
            #expect(try await store.actions(tenant: acme) == acmeBefore)
            #expect(try await store.actions(tenant: globex) == [stored.foreign])

            // A creation for another tenant than the apply's is refused, not written.
            let misfiled = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: acme, created: [makeAction("misfiled", tenant: globex)]))
            }
            #expect(misfiled?.code == .invalidInput && misfiled?.field == "tenantId")
            #expect(try await store.action(named: "misfiled", namespace: production, tenant: globex) == nil)
            #expect(try await store.actions(tenant: globex) == [stored.foreign])

            // The same name in both tenants is no clash: each apply sees its own.
            try await store.applyDefinitions(DefinitionChanges(tenant: globex, created: [makeAction("doomed", tenant: globex)]))
            #expect(try await store.actions(tenant: globex).map(\.name) == ["doomed", "kept"])
            #expect(try await store.actions(tenant: acme) == acmeBefore)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUpdateOntoATakenNameWritesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)
            let before = try await store.actions(tenant: acme)
            var renamed = stored.kept
            renamed.name = "doomed"
            let error = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: acme, created: [makeAction("fresh")], updated: [renamed]))
            }
            #expect(error?.code == .conflict && error?.field == "name")
            #expect(try await store.actions(tenant: acme) == before)

            // Once the holder of the name is deleted in the same call, the rename goes through.
            try await store.applyDefinitions(DefinitionChanges(tenant: acme, updated: [renamed], deleted: [stored.doomed.id]))
            #expect(try await store.actions(tenant: acme).map(\.id) == [stored.kept.id])
            #expect(try await store.action(named: "doomed", namespace: production, tenant: acme)?.id == stored.kept.id)
        }
    }

    /// An apply is planned on what it read; whatever changed an action's definition since (a PUT,
    /// a pause) makes the whole apply `conflict`, and the scheduler's progress on a schedule the
    /// plan kept is not rewound.
    @Test(arguments: StoreKind.allCases)
    func anApplyPlannedOnAStaleDefinitionWritesNothing(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)
            var edited = stored.kept
            edited.description = "edited through the API after the plan read it"
            _ = try await store.updateAction(edited)
            let before = try await store.actions(tenant: acme)

            var planned = stored.kept
            planned.description = "from the file"
            let stale = await automationError {
                try await store.applyDefinitions(DefinitionChanges(
                    tenant: acme, created: [makeAction("fresh")], updated: [planned], planned: [stored.kept.id: stored.kept]))
            }
            #expect(stale?.code == .conflict && stale?.message.contains("changed while this apply was planned") == true, "\(String(describing: stale))")
            #expect(try await store.actions(tenant: acme) == before, "the API's edit stays, the creation did not land")

            // A deletion planned before the action was paused is refused the same way.
            var paused = stored.doomed
            paused.status = .paused
            _ = try await store.updateAction(paused)
            let deletion = await automationError {
                try await store.applyDefinitions(DefinitionChanges(tenant: acme, deleted: [stored.doomed.id], planned: [stored.doomed.id: stored.doomed]))
            }
            #expect(deletion?.code == .conflict)
            #expect(try await store.action(id: stored.doomed.id, tenant: acme)?.status == .paused)

            // The scheduler moving a schedule on is no definition change: the apply lands, and the
            // schedule it kept as read keeps the stored next occurrence, not the one read.
            let current = try #require(try await store.action(id: stored.kept.id, tenant: acme))
            var moved = try #require(current.schedules.first)
            moved.nextOccurrence = at(86_400)
            _ = try await store.updateSchedule(moved, actionId: current.id, tenant: acme, at: at(70))
            var update = current
            update.description = "from the file"
            try await store.applyDefinitions(DefinitionChanges(tenant: acme, updated: [update], planned: [current.id: current]))
            let reread = try #require(try await store.action(id: current.id, tenant: acme))
            #expect(reread.description == "from the file")
            #expect(reread.schedules.first?.nextOccurrence == at(86_400))
            #expect(reread.nextScheduledRunAt == at(86_400))
        }
    }

    /// Only an apply changes a file-managed action: a store update of one (a PUT that read it
    /// before a reload made it file-managed) is `conflict` naming the file, and changes nothing.
    @Test(arguments: StoreKind.allCases)
    func anUpdateOfAFileManagedActionIsRefused(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let stored = try await Self.prepare(store)
            var managed = stored.kept
            managed.managedBy = .file
            managed.definedIn = "reports.yaml"
            try await store.applyDefinitions(DefinitionChanges(tenant: acme, updated: [managed], planned: [stored.kept.id: stored.kept]))
            let before = try await store.actions(tenant: acme)

            var edit = stored.kept  // read before the reload: not file-managed
            edit.description = "edited"
            let error = await automationError { _ = try await store.updateAction(edit) }
            #expect(error?.code == .conflict && error?.message.contains("reports.yaml") == true, "\(String(describing: error))")
            #expect(try await store.actions(tenant: acme) == before)
        }
    }
}
