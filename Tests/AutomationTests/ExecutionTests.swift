import Foundation
import JSONPath
import Testing

@testable import Automation

@Suite("Manual runs, history, completion, retention, filter test")
struct ExecutionTests {
    /// An action with an app item and an interaction item.
    func twoItemAction(_ fixture: Fixture) async throws -> AutomatedAction {
        var request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        request.actions.append(try decode(ActionItem.self, from: SeedJSON.interactionItem))
        return try await fixture.service.createAction(request, namespace: "production", as: admin).action
    }

    @Test("a manual trigger records one pending Manual entry per item and returns their process ids")
    func manualTrigger() async throws {
        let fixture = Fixture()
        let action = try await twoItemAction(fixture)
        let result = try await fixture.service.triggerManually(.name("daily-report", namespace: "production"), as: member)
        #expect(result.processIds.count == 2)
        #expect(Set(result.processIds).count == 2)
        #expect(result.entries.map(\.itemIndex) == [0, 1])
        #expect(result.entries.map(\.processType) == [.app, .interaction])
        #expect(result.entries.allSatisfy { $0.triggerType == .manual && $0.triggerId == nil && $0.outcome == .pending })
        #expect(result.entries.allSatisfy { $0.sourceEventId == result.eventId && $0.dateStarted == seedNow })
        let history = try await fixture.service.history(of: .id(action.id), as: member)
        #expect(Set(history.items.map(\.processId)) == Set(result.processIds))
        let second = try await fixture.service.triggerManually(.id(action.id), as: member)
        #expect(Set(second.processIds).isDisjoint(with: result.processIds), "each manual run is a new run")
    }

    @Test("history is idempotent on source event + trigger + item index")
    func idempotentHistory() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let trigger = ExecutionSourceID(TriggerID.random())
        func entry(_ event: String, _ item: Int) -> ExecutionHistoryEntry {
            ExecutionHistoryEntry(
                triggerType: .message, triggerId: trigger, actionId: action.id, processId: .random(), processType: .app,
                dateStarted: seedNow, sourceEventId: event, itemIndex: item)
        }
        let first = try await fixture.store.appendHistory([entry("msg-1", 0), entry("msg-1", 1)])
        let redelivered = try await fixture.store.appendHistory([entry("msg-1", 0), entry("msg-2", 0)])
        #expect(redelivered[0] == first[0], "the duplicate returns the entry stored first")
        #expect(redelivered[1].sourceEventId == "msg-2")
        let page = try await fixture.service.history(of: .id(action.id), as: admin)
        #expect(page.items.count == 3)
        let otherTrigger = ExecutionHistoryEntry(
            triggerType: .message, triggerId: ExecutionSourceID(TriggerID.random()), actionId: action.id, processId: .random(),
            processType: .app, dateStarted: seedNow, sourceEventId: "msg-1", itemIndex: 0)
        _ = try await fixture.store.appendHistory([otherTrigger])
        let after = try await fixture.service.history(of: .id(action.id), as: admin)
        #expect(after.items.count == 4, "the same event through another trigger is another run")
    }

    @Test("history is newest first, 50 by default, and pages with a cursor")
    func historyPaging() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        for minute in 0..<60 {
            fixture.clock.set(seedNow.addingTimeInterval(Double(minute) * 60))
            _ = try await fixture.service.triggerManually(.id(action.id), as: admin)
        }
        let first = try await fixture.service.history(of: .id(action.id), as: admin)
        #expect(first.items.count == 50)
        #expect(first.items.first?.dateStarted == seedNow.addingTimeInterval(59 * 60))
        #expect(zip(first.items, first.items.dropFirst()).allSatisfy { $0.dateStarted >= $1.dateStarted })
        let cursor = try #require(first.nextCursor)
        let rest = try await fixture.service.history(of: .id(action.id), page: PageRequest(limit: 50, cursor: cursor), as: admin)
        #expect(rest.items.count == 10)
        #expect(rest.nextCursor == nil)
        #expect(rest.items.last?.dateStarted == seedNow)
        #expect(Set(first.items.map(\.id)).isDisjoint(with: rest.items.map(\.id)))
        let ten = try await fixture.service.history(of: .id(action.id), page: PageRequest(limit: 10), as: admin)
        #expect(ten.items.map(\.id) == Array(first.items.prefix(10)).map(\.id))
        for limit in [0, 1001] {
            let error = await expectAutomationError { () async throws(AutomationError) in
                try await fixture.service.history(of: .id(action.id), page: PageRequest(limit: limit), as: admin)
            }
            #expect(error?.field == "limit")
        }
        let badCursor = await expectAutomationError { () async throws(AutomationError) in
            try await fixture.service.history(of: .id(action.id), page: PageRequest(cursor: "garbage"), as: admin)
        }
        #expect(badCursor?.field == "cursor")
    }

    @Test("completion closes the entry once and keeps the counters")
    func completion() async throws {
        let fixture = Fixture()
        let action = try await fixture.createDailyReport()
        let runs = try await fixture.service.triggerManually(.id(action.id), as: admin)
        let more = try await fixture.service.triggerManually(.id(action.id), as: admin)
        let third = try await fixture.service.triggerManually(.id(action.id), as: admin)
        fixture.clock.advance(by: 135)
        let failed = try #require(
            try await fixture.service.completeExecution(processId: runs.processIds[0], outcome: .failed, errorMessage: "Input validation failed"))
        #expect(failed.entry.outcome == .failed)
        #expect(failed.entry.errorMessage == "Input validation failed")
        #expect(failed.entry.dateCompleted == seedNow.addingTimeInterval(135))
        #expect(failed.totalExecutions == 1 && failed.consecutiveFailures == 1)
        let again = try await fixture.service.completeExecution(processId: runs.processIds[0], outcome: .success)
        #expect(again == nil, "a redelivered completion changes nothing")
        let secondFailure = try await fixture.service.completeExecution(processId: more.processIds[0], outcome: .failed)
        #expect(secondFailure?.consecutiveFailures == 2)
        let success = try await fixture.service.completeExecution(processId: third.processIds[0], outcome: .success, errorMessage: "ignored")
        #expect(success?.consecutiveFailures == 0)
        #expect(success?.totalExecutions == 3)
        #expect(success?.entry.errorMessage == nil)
        let stored = try await fixture.service.action(.id(action.id), as: admin)
        #expect(stored.totalExecutions == 3 && stored.consecutiveFailures == 0)
        let unknown = try await fixture.service.completeExecution(processId: .random(), outcome: .success)
        #expect(unknown == nil)
        // An update must not overwrite the counters the completion tracker owns.
        let renamed = try await fixture.service.updateAction(.id(action.id), UpdateActionRequest(name: "renamed"), as: admin)
        #expect(renamed.action.totalExecutions == 3)
    }

    @Test("retention keeps the newest N per action and drops entries older than D days")
    func retention() async throws {
        let fixture = Fixture()
        let a = try await fixture.createDailyReport(name: "a")
        let b = try await fixture.createDailyReport(name: "b")
        for day in 0..<10 {
            fixture.clock.set(seedNow.addingTimeInterval(Double(day) * 86_400))
            // Finished runs: retention keeps runs under way longer (tested with the stores).
            for action in day >= 8 ? [a, b] : [a] {
                let run = try await fixture.service.triggerManually(.id(action.id), as: admin)
                for process in run.processIds { _ = try await fixture.service.completeExecution(processId: process, outcome: .success) }
            }
        }
        // Now is day 9. Keep the last 5 per action, nothing older than 3 days.
        let deleted = try await fixture.service.pruneHistory(RetentionPolicy(keepLastPerAction: 5, maximumAgeDays: 3))
        let keptA = try await fixture.service.history(of: .id(a.id), as: admin)
        let keptB = try await fixture.service.history(of: .id(b.id), as: admin)
        #expect(keptA.items.map(\.dateStarted) == (6...9).reversed().map { seedNow.addingTimeInterval(Double($0) * 86_400) })
        #expect(keptB.items.count == 2)
        #expect(deleted == 6)
        let byCount = try await fixture.service.pruneHistory(RetentionPolicy(keepLastPerAction: 1, maximumAgeDays: nil))
        #expect(byCount == 4)
    }

    @Test("a filter test explains each event")
    func filterTest() throws {
        let fixture = Fixture()
        let finished = try JSONParser.parse(#"{"type": "AppProcessUpdated", "item": {"status": "Finished", "appId": "data-import-app-id"}}"#)
        let failed = try JSONParser.parse(#"{"type": "AppProcessUpdated", "item": {"status": "Error", "appId": "data-import-app-id"}}"#)
        let filter = "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"
        let result = try fixture.service.testFilter(FilterTestRequest(filter: filter, events: [AnyJSON(finished), AnyJSON(failed)]))
        #expect(result.results.map(\.matched) == [true, false])
        #expect(result.results.map(\.index) == [0, 1])
        #expect(result.results[1].explanation.contains("\"Error\""))
        #expect(result.results[0].explanation.hasPrefix("true"))
        do {
            _ = try fixture.service.testFilter(FilterTestRequest(filter: "$.item.status ==", events: [AnyJSON(finished)]))
            Issue.record("a broken filter was accepted")
        } catch {
            #expect(error.field == "filter")
            #expect(error.position != nil)
        }
        do {
            _ = try fixture.service.testFilter(FilterTestRequest(filter: filter, events: []))
            Issue.record("no events was accepted")
        } catch {
            #expect(error.field == "events")
        }
    }

    @Test("a filter test over the work budget, or a filter over the text limit, is a 422 naming the limit")
    func filterTestLimits() throws {
        let fixture = Fixture()
        let limits = AutomationService.Limits(filterTextBytes: 64, filterWorkBudget: 5_000)
        let service = AutomationService(store: fixture.store, clock: fixture.clock, limits: limits)
        var deep = JSONValue.array([])
        for _ in 0..<60 { deep = .array([deep]) }
        let plain = try JSONParser.parse(#"{"item": {"status": "Finished"}}"#)

        // The event that blows the budget is named; the one before it was fine.
        let overBudget = FilterTestRequest(filter: "count($..*..*..*..*..*) > 0", events: [AnyJSON(plain), AnyJSON(deep)])
        let budgetError = #expect(throws: AutomationError.self) { try service.testFilter(overBudget) }
        #expect(budgetError?.code == .limitExceeded && budgetError?.code.httpStatus == 422)
        #expect(budgetError?.message.contains("events[1]") == true)
        #expect(budgetError?.message.contains("work budget of 5000") == true)
        // An existence test stops at its first node: the same descent is cheap.
        let exists = try service.testFilter(FilterTestRequest(filter: "$..*..*..*..*..*", events: [AnyJSON(deep)]))
        #expect(exists.results.map(\.matched) == [true])

        let long = String(repeating: "$.a == 1 || ", count: 10) + "$.a == 2"
        let lengthError = #expect(throws: AutomationError.self) {
            try service.testFilter(FilterTestRequest(filter: long, events: [AnyJSON(plain)]))
        }
        #expect(lengthError?.code == .limitExceeded && lengthError?.field == "filter")
        #expect(lengthError?.message.contains("at most 64 bytes") == true)

        let trigger = try decode(
            AddTriggerRequest.self,
            from: #"{"name": "t", "triggerType": "AppProcessUpdated", "eventFilter": "\#(long)"}"#)
        let saveError = #expect(throws: AutomationError.self) { try AutomationValidator.makeTrigger(trigger, filterTextBytes: 64) }
        #expect(saveError?.code == .limitExceeded && saveError?.field == "eventFilter")
        #expect(throws: Never.self) { try AutomationValidator.makeTrigger(trigger) }
    }

    @Test("a filter test's explanations share one cap: a thousand events do not each get 64 KiB")
    func filterTestExplanationsShareACap() throws {
        // 60 nested negations around 1,550 terms: about 250 KB per event when each line's
        // indentation went uncounted, 64 KiB per event with only a per-explanation cap.
        let terms = Array(repeating: "$.b", count: 1_550).joined(separator: " || ")
        let filter = String(repeating: "!(", count: 60) + terms + String(repeating: ")", count: 60)
        let event = AnyJSON(try JSONParser.parse(#"{"a": 1}"#))
        let limits = AutomationService.Limits(filterTextBytes: 16 * 1024)
        let fixture = Fixture()
        let service = AutomationService(store: fixture.store, clock: fixture.clock, limits: limits)
        let result = try service.testFilter(FilterTestRequest(filter: filter, events: Array(repeating: event, count: 1_000)))
        let total = result.results.reduce(0) { $0 + $1.explanation.utf8.count }
        #expect(result.results.count == 1_000)
        // The shared megabyte, plus each later event's first steps and its truncation line.
        #expect(total <= FilterTestResult.maximumExplanationBytes + 1_000 * 2 * FilterTestResult.minimumExplanationBytes, "\(total) bytes")
        #expect(result.results.allSatisfy { $0.explanation.contains("explanation truncated") })
        #expect(result.results.last?.explanation.hasPrefix("false") == true, "60 negations of false")
    }

    @Test("the filter test body decodes arbitrary event JSON")
    func filterTestBody() throws {
        let json = #"{"filter": "$.item.n > 2", "events": [{"item": {"n": 3}}, {"item": {"n": 1.5}}, [1], null]}"#
        let request = try decode(FilterTestRequest.self, from: json)
        let result = try Fixture().service.testFilter(request)
        #expect(result.results.map(\.matched) == [true, false, false, false])
    }
}
