import Automation
import Definitions
import Foundation
import Testing

/// Definitions as code through the service over the in-memory store: the plan of an apply, dry
/// runs, pruning, the export round trip, the directory's ownership, and seed 002's task list.
@Suite struct DefinitionsApplyTests {
    let store = InMemoryAutomationStore()
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_607_200))  // 2026-01-05T10:00:00Z
    var service: AutomationService { AutomationService(store: store, clock: clock) }
    let admin = Caller(tenantId: "acme", role: .admin)

    @Test func applyCreatesThenReapplyIsUnchanged() async throws {
        let definitions = try DefinitionsLoader.load(path: Examples.reports)
        let dry = try await service.applyDefinitions(definitions.request(dryRun: true), as: admin)
        #expect(dry.dryRun && dry.changes.map(\.change) == [.create, .create])
        #expect(try await store.actions(tenant: "acme").isEmpty, "a dry run writes nothing")

        let first = try await service.applyDefinitions(definitions.request(), as: admin)
        #expect(first.changes.map(\.change) == [.create, .create])
        #expect(first.webhookSecrets.map(\.webhook) == ["from-ci"])
        let stored = try #require(try await store.action(named: "daily-report", namespace: "reports", tenant: "acme"))
        #expect(stored.schedules.map(\.name) == ["weekday-mornings", "month-start"])
        #expect(stored.actions[0].runAs == "reports@example.com")
        #expect(stored.policies.pauseAfterConsecutiveFailures == 5)
        #expect(stored.managedBy == nil)

        let again = try await service.applyDefinitions(definitions.request(), as: admin)
        #expect(again.changes.allSatisfy { $0.change == .unchanged })
        #expect(try #require(try await store.action(id: stored.id, tenant: "acme")) == stored, "an unchanged apply writes nothing")
    }

    /// A draft activated by an apply days after it was created runs from then on, as
    /// `POST …/activate` does: its schedule's next occurrence is the first after the apply, not
    /// one it would have had while it was a draft (which the missed-run policy would fire).
    @Test func activatingADraftByApplyRunsItsSchedulesFromNow() async throws {
        func document(_ status: String) -> String {
            """
            automatedActions:
              - name: nightly
                namespace: ops
                status: \(status)
                actions:
                  - name: Export
                    config: {$type: app, version: {id: a1b2c3d4-5678-90ab-cdef-1234567890ab, version: 1}}
                schedules:
                  - {name: hourly, cron: "0 * * * *"}
            """
        }
        _ = try await service.applyDefinitions(DefinitionSet(entries: try DefinitionsLoader.load(text: document("draft"), file: "a.yaml")).request(), as: admin)
        let draft = try #require(try await store.action(named: "nightly", namespace: "ops", tenant: "acme"))
        #expect(draft.status == .draft && draft.nextScheduledRunAt == nil)

        clock.advance(by: 2 * 86_400 + 1_800)  // two days and a half hour later: 2026-01-07T10:30Z
        let plan = try await service.applyDefinitions(
            DefinitionSet(entries: try DefinitionsLoader.load(text: document("active"), file: "a.yaml")).request(), as: admin)
        #expect(plan.changes.map(\.fields) == [["status"]])
        let active = try #require(try await store.action(id: draft.id, tenant: "acme"))
        let next = Date(timeIntervalSince1970: 1_767_607_200 + 2 * 86_400 + 3_600)  // 11:00Z that day
        #expect(active.status == .active)
        #expect(active.schedules.first?.nextOccurrence == next, "\(String(describing: active.schedules.first?.nextOccurrence))")
        #expect(active.nextScheduledRunAt == next)
    }

    /// A tenant's actions are capped (`quotas.actionsPerTenant`): creating or applying past the
    /// cap answers 422 naming it, a dry run included; deletions in the same apply make room.
    @Test func theTenantsActionQuotaHolds() async throws {
        let capped = AutomationService(store: store, clock: clock, limits: AutomationService.Limits(actionsPerTenant: 2))
        let item = ActionItem(name: "Step", config: .app(AppConfig(version: VersionReference(id: "a1", version: 1))))
        _ = try await capped.createAction(CreateActionRequest(name: "one", actions: [item]), namespace: "ops", as: admin)
        _ = try await capped.createAction(CreateActionRequest(name: "two", actions: [item]), namespace: "ops", as: admin)
        let third = try #require(await expectError { _ = try await capped.createAction(CreateActionRequest(name: "three", actions: [item]), namespace: "ops", as: admin) })
        #expect(third.code == .limitExceeded && third.message.contains("at most 2 actions"), "\(third)")
        // Another tenant has its own quota.
        _ = try await capped.createAction(CreateActionRequest(name: "one", actions: [item]), namespace: "ops", as: Caller(tenantId: "globex", role: .admin))

        let one = ActionDefinition(name: "three", namespace: "ops", actions: [item])
        let dry = try #require(await expectError { _ = try await capped.applyDefinitions(ApplyDefinitionsRequest(automatedActions: [one], dryRun: true), as: admin) })
        #expect(dry.code == .limitExceeded)
        // Pruning "one" and "two" while creating "three" fits.
        let pruned = try await capped.applyDefinitions(ApplyDefinitionsRequest(automatedActions: [one], prune: true), as: admin)
        #expect(pruned.count(.create) == 1 && pruned.count(.delete) == 2)
    }

    @Test func exportAppliedAgainIsANoOp() async throws {
        _ = try await service.applyDefinitions(try DefinitionsLoader.load(path: Examples.reports).request(), as: admin)
        let exported = try await service.exportDefinitions(as: admin)
        let yaml = try DefinitionsWriter.yaml(exported)
        let reread = try DefinitionsLoader.load(text: yaml, file: "export.yaml")
        #expect(reread.map(\.definition) == exported.automatedActions)
        let plan = try await service.applyDefinitions(DefinitionSet(entries: reread).request(), as: admin)
        #expect(plan.changes.count == 2 && plan.changes.allSatisfy { $0.change == .unchanged })
    }

    @Test func changesAreUpdatesKeepingIdsAndPruneDeletes() async throws {
        _ = try await service.applyDefinitions(try DefinitionsLoader.load(path: Examples.reports).request(), as: admin)
        let before = try #require(try await store.action(named: "daily-report", namespace: "reports", tenant: "acme"))
        let changed = """
            automatedActions:
              - name: daily-report
                namespace: reports
                actions:
                  - name: Generate Report
                    config: {$type: app, version: {id: a1b2c3d4-5678-90ab-cdef-1234567890ab, version: 2}}
                schedules:
                  - {name: weekday-mornings, cron: "0 10 * * 1-5", timeZone: Europe/Berlin}
                webhooks:
                  - name: from-ci
                    filter: "$.payload.ref == 'refs/heads/main'"
            """
        let set = DefinitionSet(entries: try DefinitionsLoader.load(text: changed, file: "changed.yaml"))
        let plan = try await service.applyDefinitions(set.request(prune: true), as: admin)
        #expect(plan.changes.map(\.change) == [.update, .delete])
        #expect(plan.changes[0].fields == ["description", "actions", "schedules", "messageTriggers", "policies"])
        #expect(plan.changes[1].name == "cleanup")
        let after = try #require(try await store.action(named: "daily-report", namespace: "reports", tenant: "acme"))
        #expect(after.id == before.id)
        #expect(after.schedules.map(\.id) == [before.schedules[0].id], "a changed schedule keeps its id")
        #expect(after.webhooks == before.webhooks, "the webhook (URL, secret) stays")
        #expect(try await store.action(named: "cleanup", namespace: "reports", tenant: "acme") == nil)
    }

    @Test func anInvalidEntryAppliesNothingAndIsLocated() async throws {
        let text = """
            automatedActions:
              - name: good
                namespace: ops
                actions: [{name: a, config: {$type: app, version: {id: x, version: 1}}}]
              - name: bad
                namespace: ops
                actions: [{name: a, config: {$type: app, version: {id: x, version: 1}}}]
                schedules:
                  - name: broken
                    cron: "0 25 * * *"
            """
        let set = DefinitionSet(entries: try DefinitionsLoader.load(text: text, file: "ops.yaml"))
        let error = try #require(await expectError { try await service.applyDefinitions(set.request(), as: admin) })
        #expect(error.field == "automatedActions[1].schedules[0].cron")
        let located = try #require(set.locate(field: error.field, message: error.message))
        #expect(located.file == "ops.yaml" && located.line == 10 && located.column == 15)
        #expect(located.description.hasPrefix("ops.yaml:10:15: automatedActions[1].schedules[0].cron: "))
        #expect(try await store.actions(tenant: "acme").isEmpty, "all or nothing")
    }

    @Test func invalidYAMLAndUnknownMembersNameTheirPosition() throws {
        let syntax = "automatedActions:\n  - name: a\n    actions: [unclosed\n"
        #expect(throws: DefinitionsError.self) { try DefinitionsLoader.load(text: syntax, file: "bad.yaml") }
        do {
            _ = try DefinitionsLoader.load(text: syntax, file: "bad.yaml")
        } catch {
            #expect(error.file == "bad.yaml" && error.line == 4)
            #expect(error.description.hasPrefix("bad.yaml:4:1: YAML syntax"))
        }
        let typo = "automatedActions:\n  - name: a\n    namespace: ops\n    schedule: []\n    actions: []\n"
        do {
            _ = try DefinitionsLoader.load(text: typo, file: "typo.yaml")
            Issue.record("a misspelt member must fail")
        } catch {
            #expect(error.line == 4 && error.column == 15)
            #expect(error.description.contains("unknown member schedule"))
        }
        let wrongType = "automatedActions:\n  - name: a\n    namespace: ops\n    actions: {name: x}\n"
        do {
            _ = try DefinitionsLoader.load(text: wrongType, file: "type.yaml")
            Issue.record("a mapping where a list belongs must fail")
        } catch {
            #expect(error.line == 4 && error.column == 14)
        }
    }

    @Test func fileManagedActionsRefuseAPIEdits() async throws {
        let directory = try Examples.copyToTemporaryDirectory()
        let set = try DefinitionsLoader.load(path: directory)
        let plan = try await service.applyDefinitions(set.request(), from: .directory, as: admin)
        #expect(plan.changes.allSatisfy { $0.change == .create })
        let action = try #require(try await store.action(named: "daily-report", namespace: "reports", tenant: "acme"))
        #expect(action.managedBy == .file && action.definedIn == "reports.yaml")

        let edits: [(String, () async throws -> Void)] = [
            ("update", { _ = try await service.updateAction(.id(action.id), UpdateActionRequest(description: "x"), as: admin) }),
            ("pause", { _ = try await service.pauseAction(.id(action.id), as: admin) }),
            ("delete", { try await service.deleteAction(.id(action.id), as: admin) }),
            ("schedule", { _ = try await service.addSchedule(AddScheduleRequest(name: "s", cron: "@daily"), to: .id(action.id), as: admin) }),
            ("trigger", { _ = try await service.removeTrigger(action.messageTriggers[0].id, from: .id(action.id), as: admin) }),
            ("webhook", { _ = try await service.disableWebhook(action.webhooks[0].id, of: .id(action.id), as: admin) }),
        ]
        for (name, edit) in edits {
            let error = try #require(await expectError(edit), "\(name)")
            #expect(error.code == .conflict && error.message.contains("reports.yaml"), "\(name): \(error)")
        }
        // Over the API, apply may leave it unchanged but not change it.
        #expect(try await service.applyDefinitions(set.request(), as: admin).changes.allSatisfy { $0.change == .unchanged })
        var changed = set
        changed.entries[0].definition.description = "changed"
        let refused = try #require(await expectError { try await service.applyDefinitions(changed.request(), as: admin) })
        #expect(refused.code == .conflict && refused.field == "automatedActions[0].name")

        // The directory no longer defining it deletes it.
        try FileManager.default.removeItem(atPath: directory + "/reports.yaml")
        let pruned = try await service.applyDefinitions(try DefinitionsLoader.load(path: directory).request(), from: .directory, as: admin)
        #expect(pruned.changes.filter { $0.change == .delete }.map(\.name) == ["cleanup", "daily-report"])
    }

    @Test func seed002TaskListFromTheSeedFile() async throws {
        let tasks = try SeedTasks.load()
        let set = DefinitionSet(entries: try DefinitionsLoader.load(text: tasks, file: "002.yaml"))
        #expect(set.definitions.map(\.name) == ["daily_report", "hourly_sync"])
        let plan = try await service.applyDefinitions(set.request(namespace: "daptin"), as: admin)
        #expect(plan.changes.map(\.change) == [.create, .create])
        let report = try #require(try await store.action(named: "daily_report", namespace: "daptin", tenant: "acme"))
        #expect(report.description == "Generate Daily Report")
        #expect(report.actions[0].runAs == "admin@example.com")
        #expect(report.schedules.map(\.cron) == ["@daily"])
        guard case .app(let app) = report.actions[0].config else { Issue.record("an app item"); return }
        #expect(app.version == VersionReference(id: "generate_report", version: 1))
        #expect(app.inputs.map(\.name) == ["report_type", "format"])
        #expect(app.additionalFields["entityName"] == AnyJSON(.string("report")))
        let sync = try #require(try await store.action(named: "hourly_sync", namespace: "daptin", tenant: "acme"))
        #expect(sync.schedules.map(\.cron) == ["@every 1h"] && sync.status == .active)

        let paused = tasks.replacingOccurrences(of: "    EntityName: integration", with: "    EntityName: integration\n    IsActive: false")
        let again = DefinitionSet(entries: try DefinitionsLoader.load(text: paused, file: "002.yaml"))
        let second = try await service.applyDefinitions(again.request(namespace: "daptin"), as: admin)
        #expect(second.changes.map(\.change) == [.unchanged, .update])
        #expect(try await store.action(id: sync.id, tenant: "acme")?.status == .paused)

        let missing = "Tasks:\n  - Name: x\n    Schedule: \"@every 1h\"\n"
        do {
            _ = try DefinitionsLoader.load(text: missing, file: "t.yaml")
            Issue.record("ActionName is required")
        } catch {
            #expect(error.line == 2 && error.description.contains("ActionName is missing"))
        }
    }

    @Test func exampleTaskFileMapsIsActive() async throws {
        let set = try DefinitionsLoader.load(path: Examples.tasks)
        _ = try await service.applyDefinitions(set.request(namespace: "daptin"), as: admin)
        #expect(try await store.action(named: "hourly_sync", namespace: "daptin", tenant: "acme")?.status == .paused)
    }

    /// The ``AutomationError`` `body` throws; nil when it throws none.
    private func expectError(_ body: () async throws -> some Any) async -> AutomationError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? AutomationError
        }
    }
}
