import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

@testable import Automation

@Suite("TriggerIndex: partitions, equality-predicate buckets, brute-force equivalence")
struct TriggerIndexTests {
    // MARK: Behaviour

    @Test("seed 000's trigger matches a data-import Finished event and nothing else")
    func seedScenario() throws {
        let action = IndexFixture.action(
            tenant: "acme",
            triggers: [
                IndexFixture.trigger(
                    .appProcessUpdated,
                    "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"
                )
            ]
        )
        let index = TriggerIndex(actions: [action])
        let finished = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["appId": "data-import-app-id", "status": "Finished"])
        let running = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["appId": "data-import-app-id", "status": "Running"])
        let other = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["appId": "other", "status": "Finished"])

        let matches = index.matches(finished)
        #expect(matches.map(\.trigger.id) == [action.messageTriggers[0].id])
        #expect(matches.first?.action == action)
        #expect(index.matches(running).isEmpty)
        var evaluations = 0
        #expect(index.matches(other, evaluations: &evaluations).isEmpty)
        #expect(evaluations == 0, "no bucket for appId 'other': nothing is evaluated")
        #expect(index.statistics.indexed == 1 && index.statistics.unindexed == 0)
    }

    @Test("paused actions, disabled triggers and filters that do not compile are skipped with a reason")
    func exclusions() {
        let paused = IndexFixture.action(
            tenant: "acme",
            status: .paused,
            triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'")]
        )
        let disabled = IndexFixture.action(
            tenant: "acme",
            triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'", enabled: false)]
        )
        let broken = IndexFixture.action(
            tenant: "acme",
            triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status = 'Finished'")]
        )
        let live = IndexFixture.action(
            tenant: "acme",
            triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'")]
        )
        let index = TriggerIndex(actions: [paused, disabled, broken, live])

        let event = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["status": "Finished"])
        #expect(index.matches(event).map(\.action.id) == [live.id])
        #expect(index.count == 1)
        #expect(index.skipped.count == 3)
        #expect(index.statistics.skipped == 3)
        let reasons = Dictionary(uniqueKeysWithValues: index.skipped.map { ($0.actionId, $0.reason) })
        #expect(reasons[paused.id] == .actionPaused)
        #expect(reasons[disabled.id] == .triggerDisabled)
        guard case .invalidFilter(let message) = reasons[broken.id] else {
            Issue.record("the broken filter is not reported as invalid: \(String(describing: reasons[broken.id]))")
            return
        }
        #expect(message.contains("1:"), "the reason carries the compiler's position: \(message)")
    }

    @Test("events of another tenant, another trigger type, or with no trigger type match nothing")
    func partitions() {
        let action = IndexFixture.action(
            tenant: "acme",
            triggers: [
                IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'"),
                IndexFixture.trigger(.appProcessUpdated, "!$.item.error"),
            ]
        )
        let index = TriggerIndex(actions: [action])
        let item: JSONValue = ["status": "Finished"]
        #expect(index.matches(IndexFixture.event(tenant: "acme", .appProcessUpdated, item: item)).count == 2)

        var evaluations = 0
        #expect(index.matches(IndexFixture.event(tenant: "globex", .appProcessUpdated, item: item), evaluations: &evaluations).isEmpty)
        #expect(index.matches(IndexFixture.event(tenant: "acme", .capsuleProcessUpdated, item: item), evaluations: &evaluations).isEmpty)
        let scheduled = Event.scheduled(.random(), occurrence: seedNow, of: action)
        #expect(index.matches(scheduled, evaluations: &evaluations).isEmpty)
        #expect(evaluations == 0, "other partitions are never evaluated, not even their unindexed triggers")
        #expect(index.statistics.partitions == 1)
    }

    @Test("a trigger whose filter exceeds the work budget does not match, is reported, and the others still match")
    func overBudgetTriggerIsSkipped() throws {
        var deep = JSONValue.array([])
        for _ in 0..<60 { deep = .array([deep]) }
        let hostile = IndexFixture.action(
            tenant: "acme", triggers: [IndexFixture.trigger(.appProcessUpdated, "count($..*..*..*..*..*) > 0")])
        let plain = IndexFixture.action(tenant: "acme", triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'")])
        let unindexed = IndexFixture.action(
            tenant: "acme", triggers: [IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished' || $.item.n > 1")])
        let index = TriggerIndex(actions: [hostile, plain, unindexed])
        let event = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["status": "Finished", "deep": deep])

        var evaluations = 0
        var overBudget: [TriggerMatch] = []
        let matches = index.matches(event, evaluations: &evaluations, overBudget: &overBudget)
        #expect(Set(matches.map(\.trigger.id)) == [plain.messageTriggers[0].id, unindexed.messageTriggers[0].id])
        #expect(overBudget.map(\.trigger.id) == [hostile.messageTriggers[0].id])
        #expect(overBudget.first?.action.id == hostile.id)
        #expect(evaluations == 3)
        // On a shallow event the same filter is cheap and matches: the outcome was the budget's.
        overBudget = []
        let shallow = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["status": "Finished", "deep": [[[[1]]]]])
        #expect(index.matches(shallow, evaluations: &evaluations, overBudget: &overBudget).count == 3)
        #expect(overBudget.isEmpty)
    }

    @Test("matches come in action id then trigger id order, whatever the input order")
    func order() {
        var rng = SeededGenerator(seed: 7)
        let actions = (0..<20).map { _ in
            IndexFixture.action(
                tenant: "acme",
                triggers: (0..<3).map { _ in IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'") }
            )
        }
        let event = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["status": "Finished"])
        var expected: [(ActionID, TriggerID)] = []
        for a in actions {
            for t in a.messageTriggers { expected.append((a.id, t.id)) }
        }
        expected.sort { (x: (ActionID, TriggerID), y: (ActionID, TriggerID)) in x.0 != y.0 ? x.0 < y.0 : x.1 < y.1 }
        for _ in 0..<5 {
            let index = TriggerIndex(actions: actions.shuffled(using: &rng))
            let got = index.matches(event)
            #expect(got.map(\.action.id) == expected.map { $0.0 })
            #expect(got.map(\.trigger.id) == expected.map { $0.1 })
        }
    }

    @Test("numbers are keys by value: 1234 finds 1234.0, and true is not 1")
    func numericKeys() throws {
        let action = IndexFixture.action(
            tenant: "acme",
            triggers: [
                IndexFixture.trigger(.appProcessUpdated, "$.item.durationMs == 1234"),
                IndexFixture.trigger(.appProcessUpdated, "$.item.ok == true"),
            ]
        )
        let index = TriggerIndex(actions: [action])
        let body = try JSONParser.parse(#"{"item": {"durationMs": 1.234e3, "ok": 1}}"#)
        let event = Event(id: "e", tenantId: "acme", triggerType: .appProcessUpdated, source: .message(routingKey: "AppProcessUpdated"), body: body)
        #expect(index.matches(event).map(\.trigger.id) == [action.messageTriggers[0].id])
        #expect(index.statistics.indexedPaths == 2)
    }

    @Test("strings are keys by Unicode scalars: canonically equivalent spellings and look-alike names stay apart")
    func scalarIdentity() throws {
        let precomposed = IndexFixture.trigger(.appProcessUpdated, "$.item.name == '\u{E9}'")  // é
        let decomposed = IndexFixture.trigger(.appProcessUpdated, "$.item.name == 'e\u{301}'")  // e + combining acute
        let kelvin = IndexFixture.trigger(.appProcessUpdated, "$.item.Key == 'k'")
        let action = IndexFixture.action(tenant: "acme", triggers: [precomposed, decomposed, kelvin])
        let index = TriggerIndex(actions: [action])

        func matched(_ json: String) throws -> [TriggerID] {
            let event = Event(
                id: "e",
                tenantId: "acme",
                triggerType: .appProcessUpdated,
                source: .message(routingKey: "AppProcessUpdated"),
                body: try JSONParser.parse(json)
            )
            return index.matches(event).map(\.trigger.id)
        }
        #expect(try matched(#"{"item": {"name": "\u00e9"}}"#) == [precomposed.id])
        #expect(try matched(#"{"item": {"name": "e\u0301"}}"#) == [decomposed.id])
        // U+212A KELVIN SIGN is canonically equivalent to "K" but a different member name.
        #expect(try matched(#"{"item": {"\u212aey": "k"}}"#).isEmpty)
        #expect(try matched(#"{"item": {"\u212aey": "x", "Key": "k"}}"#) == [kelvin.id])
    }

    @Test("member names of key paths are told apart by Unicode scalars too: each spelling is read")
    func scalarIdentityOfPaths() async throws {
        let precomposed = IndexFixture.trigger(.appProcessUpdated, "$.item['\u{E9}t\u{E9}'] == 'x'")
        let decomposed = IndexFixture.trigger(.appProcessUpdated, "$.item['e\u{301}te\u{301}'] == 'x'")
        let nested = IndexFixture.trigger(.appProcessUpdated, "$['\u{E9}'].k == 'x'")
        let nestedDecomposed = IndexFixture.trigger(.appProcessUpdated, "$['e\u{301}'].k == 'x'")
        let action = IndexFixture.action(tenant: "acme", triggers: [precomposed, decomposed, nested, nestedDecomposed])
        for index in [TriggerIndex(actions: [action]), await TriggerIndex.building([action], minimumPart: 1)] {
            func matched(_ json: String) throws -> Set<TriggerID> {
                let event = Event(
                    id: "e", tenantId: "acme", triggerType: .appProcessUpdated,
                    source: .message(routingKey: "AppProcessUpdated"), body: try JSONParser.parse(json))
                return Set(index.matches(event).map(\.trigger.id))
            }
            #expect(try matched(#"{"item": {"\u00e9t\u00e9": "x"}}"#) == [precomposed.id])
            #expect(try matched(#"{"item": {"e\u0301te\u0301": "x"}}"#) == [decomposed.id])
            #expect(try matched(#"{"\u00e9": {"k": "x"}}"#) == [nested.id])
            #expect(try matched(#"{"e\u0301": {"k": "x"}}"#) == [nestedDecomposed.id])
        }
    }

    @Test("the key predicate is the most selective: appId over status")
    func keyChoice() {
        let triggers =
            (0..<1_000).map { i in
                IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished' && $.item.appId == 'app-\(i)'")
            } + [
                IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Error'"),
                IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished'"),
                IndexFixture.trigger(.appProcessUpdated, "$.item.status == 'Finished' || $.item.status == 'Killed'"),
            ]
        let index = TriggerIndex(actions: [IndexFixture.action(tenant: "acme", triggers: triggers)])
        let stats = index.statistics
        #expect(stats.triggers == 1_003)
        #expect(stats.indexed == 1_002)
        #expect(stats.unindexed == 1)
        #expect(stats.indexedPaths == 2, "appId and status")
        #expect(stats.buckets == 1_002, "1,000 appIds + Error + Finished")
        #expect(stats.largestBucket == 1)

        var evaluations = 0
        let event = IndexFixture.event(tenant: "acme", .appProcessUpdated, item: ["appId": "app-42", "status": "Finished"])
        let matched = index.matches(event, evaluations: &evaluations).map(\.trigger.eventFilter)
        #expect(
            Set(matched) == [
                "$.item.status == 'Finished' && $.item.appId == 'app-42'",
                "$.item.status == 'Finished'",
                "$.item.status == 'Finished' || $.item.status == 'Killed'",
            ]
        )
        #expect(evaluations == 3, "app-42's bucket, the Finished bucket and the one unindexed trigger")
    }

    @Test("20,000 keyed triggers cost the same evaluations per event as 10")
    func scale() {
        func evaluations(triggers count: Int) -> Int {
            let triggers = (0..<count).map { i in
                IndexFixture.trigger(
                    .appProcessUpdated,
                    "$.item.status == '\(["Finished", "Error"][i % 2])' && $.item.appId == 'app-\(i)'"
                )
            }
            let index = TriggerIndex(actions: [IndexFixture.action(tenant: "acme", triggers: triggers)])
            var total = 0
            for i in stride(from: 0, to: 1_000, by: 1) {
                let event = IndexFixture.event(
                    tenant: "acme",
                    .appProcessUpdated,
                    item: ["appId": .string("app-\(i % (count * 2))"), "status": "Finished"]
                )
                _ = index.matches(event, evaluations: &total)
            }
            return total
        }
        let small = evaluations(triggers: 10)
        let large = evaluations(triggers: 20_000)
        #expect(small <= 1_000 && large <= 1_000, "at most one candidate per event: \(small), \(large)")
    }

    // MARK: Property: the index equals brute force

    @Test("over random triggers and events the index returns exactly what evaluating every trigger returns", arguments: [1, 2, 3])
    func equalsBruteForce(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let actions = IndexFixture.randomActions(count: 600, using: &rng)
        let index = TriggerIndex(actions: actions)
        let live: [(AutomatedAction, MessageTrigger, TriggerFilter)] = actions.flatMap { action in
            action.messageTriggers.compactMap { trigger in
                guard action.status == .active, trigger.isEnabled, let filter = try? trigger.compiledFilter() else { return nil }
                return (action, trigger, filter)
            }
        }
        #expect(index.count == live.count)
        #expect(index.skipped.count == actions.reduce(0) { $0 + $1.messageTriggers.count } - live.count)

        var indexEvaluations = 0
        var bruteEvaluations = 0
        var partitionEvaluations = 0
        var matchedEvents = 0
        for n in 0..<1_500 {
            let event = IndexFixture.randomEvent(n, using: &rng)
            var expected: [(ActionID, TriggerID)] = []
            for (action, trigger, filter) in live {
                bruteEvaluations += 1
                guard action.tenantId == event.tenantId, trigger.triggerType == event.triggerType else { continue }
                partitionEvaluations += 1
                if try filter.evaluate(event.body) { expected.append((action.id, trigger.id)) }
            }
            expected.sort { (x: (ActionID, TriggerID), y: (ActionID, TriggerID)) in x.0 != y.0 ? x.0 < y.0 : x.1 < y.1 }
            let got = index.matches(event, evaluations: &indexEvaluations)
            if !expected.isEmpty { matchedEvents += 1 }
            #expect(got.map(\.action.id) == expected.map { $0.0 }, "event \(n): \(event.body.jsonText)")
            #expect(got.map(\.trigger.id) == expected.map { $0.1 }, "event \(n): \(event.body.jsonText)")
        }
        let ratio = Double(indexEvaluations) / Double(bruteEvaluations)
        print(
            "TriggerIndex seed \(seed): \(index.statistics); 1500 events, \(matchedEvents) matched; "
                + "evaluations: index \(indexEvaluations), tenant+type partitions alone \(partitionEvaluations), "
                + "brute force \(bruteEvaluations) (index/brute \(String(format: "%.2f", ratio * 100))%)"
        )
        #expect(matchedEvents > 300, "the generator makes matching events")
        #expect(ratio < 0.05, "the index evaluates under 5% of what brute force does: \(indexEvaluations) vs \(bruteEvaluations)")
        #expect(
            indexEvaluations * 5 < partitionEvaluations,
            "the equality buckets save most of what partitioning alone would evaluate: \(indexEvaluations) vs \(partitionEvaluations)"
        )
    }
}

extension TriggerIndexTests {
    @Test("an index built on several tasks matches and skips exactly as one built on one")
    func parallelBuildEqualsSerial() async {
        var rng = SeededGenerator(seed: 11)
        let actions = IndexFixture.randomActions(count: 600, using: &rng)
        let serial = TriggerIndex(actions: actions)
        let parallel = await TriggerIndex.building(actions, parallelism: 3, minimumPart: 100)
        #expect(parallel.statistics == serial.statistics)
        #expect(parallel.skipped.map(\.triggerId) == serial.skipped.map(\.triggerId))
        var matched = 0
        for n in 0..<400 {
            let event = IndexFixture.randomEvent(n, using: &rng)
            let expected = serial.matches(event)
            matched += expected.isEmpty ? 0 : 1
            #expect(parallel.matches(event) == expected, "event \(n)")
        }
        #expect(matched > 50, "the generator makes matching events")
    }
}

// MARK: - Fixtures

enum IndexFixture {
    static let item = ActionItem(
        name: "Generate Report",
        config: .app(AppConfig(version: VersionReference(id: "a1b2c3d4-5678-90ab-cdef-1234567890ab", version: 1)))
    )

    static func action(
        tenant: TenantID,
        status: ActionStatus = .active,
        triggers: [MessageTrigger],
        id: ActionID = .random()
    ) -> AutomatedAction {
        AutomatedAction(
            id: id,
            tenantId: tenant,
            namespace: "production",
            name: "action-\(id)",
            status: status,
            actions: [item],
            messageTriggers: triggers,
            dateCreated: seedNow,
            dateUpdated: seedNow
        )
    }

    static func trigger(_ type: TriggerType, _ filter: String, enabled: Bool = true) -> MessageTrigger {
        MessageTrigger(name: "t", isEnabled: enabled, triggerType: type, eventFilter: filter)
    }

    static func event(tenant: TenantID, _ type: TriggerType, item: JSONValue, id: String = "evt-1") -> Event {
        Event(
            id: id,
            tenantId: tenant,
            triggerType: type,
            source: .message(routingKey: type.routingKey),
            body: ["type": .string(type.rawValue), "id": .string(id), "tenantId": .string(tenant.rawValue), "item": item]
        )
    }

    static let tenants: [TenantID] = ["acme", "globex", "initech"]
    static let types: [TriggerType] = [.appProcessUpdated, .interactionProcessUpdated, .capsuleProcessUpdated]
    static let statuses = ["Running", "Finished", "Error", "Killed", "Queued"]
    static let apps = 150

    /// Mostly equality filters on status and appId, as in real use, with the shapes the index must
    /// not get wrong: `||`, `!`, nested filters, ranges, `@` and bracket paths, contradictions,
    /// numbers spelled differently, `null`, and filters that do not compile.
    static func randomActions(count: Int, using rng: inout SeededGenerator) -> [AutomatedAction] {
        (0..<count).map { _ in
            let triggers = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
                MessageTrigger(
                    name: "t",
                    isEnabled: Int.random(in: 0..<20, using: &rng) != 0,
                    triggerType: types.randomElement(using: &rng)!,
                    eventFilter: randomFilter(using: &rng)
                )
            }
            return action(
                tenant: tenants.randomElement(using: &rng)!,
                status: Int.random(in: 0..<15, using: &rng) == 0 ? .paused : .active,
                triggers: triggers
            )
        }
    }

    static func randomFilter(using rng: inout SeededGenerator) -> String {
        let s = statuses.randomElement(using: &rng)!
        let s2 = statuses.randomElement(using: &rng)!
        let app = "app-\(Int.random(in: 0..<apps, using: &rng))"
        let n = Int.random(in: 0..<10, using: &rng)
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<30: return "$.item.status == '\(s)' && $.item.appId == '\(app)'"
        case 30..<45: return "$.item.appId == '\(app)'"
        case 45..<52: return "$.item.status == '\(s)'"
        case 52..<57: return "$.item.appId == '\(app)' && $.item.durationMs > \(n * 100)"
        case 57..<61: return "@.item.retries == \(n % 4).0 && $['item']['appId'] == \"\(app)\""
        case 61..<64: return "'\(app)' == $.item.appId && !$.item.error"
        case 64..<67: return "($.item.status == '\(s)' || $.item.appId == '\(app)') && $.item.region == 'eu'"
        case 67..<70: return "$.item.tags[?@ == 'nightly'] && $.item.appId == '\(app)'"
        case 70..<72: return "$.item.status == '\(s)' && $.item.status == '\(s2)'"
        case 72..<74: return "$.item.error == null && $.item.status == '\(s)'"
        case 74..<76: return "$.item == {'x': 1} || $.item.appId == '\(app)' && $.item.status == '\(s)'"
        case 76..<78: return "$.item.status == '\(s)' || $.item.status == '\(s2)'"
        case 78..<79: return "!($.item.status == '\(s)' || $.item.durationMs > \(n * 100))"
        case 79..<80: return "$.item.result.rows >= \(n) && $.item.result.rows < \(n + 3)"
        case 80..<83: return "$.type == 'AppProcessUpdated' && $.item.appId == '\(app)'"
        case 83..<86: return "$.item.retries == \(n % 4) && $.item.status == '\(s)'"
        case 86..<89: return "$.item.tags == ['nightly', 'eu'] && $.item.status == '\(s)'"
        case 89..<91: return "match($.item.appId, 'app-1[0-9]') && $.item.status == '\(s)'"
        case 91..<93: return "$.item.status = '\(s)'"  // does not compile
        default: return "$.item.appId == '\(app)' && ($.item.status == '\(s)' || $.item.status == '\(s2)')"
        }
    }

    static func randomEvent(_ n: Int, using rng: inout SeededGenerator) -> Event {
        let tenant: TenantID = Int.random(in: 0..<10, using: &rng) == 0 ? "umbrella" : tenants.randomElement(using: &rng)!
        let type = TriggerType.allCases.randomElement(using: &rng)!
        var item: [(String, JSONValue)] = []
        if Int.random(in: 0..<20, using: &rng) != 0 {
            item.append(("status", .string(statuses.randomElement(using: &rng)!)))
        }
        if Int.random(in: 0..<20, using: &rng) != 0 {
            item.append(("appId", .string("app-\(Int.random(in: 0..<apps, using: &rng))")))
        }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: item.append(("durationMs", .int(Int.random(in: 0..<1_000, using: &rng))))
        case 1: item.append(("durationMs", .double(Double(Int.random(in: 0..<1_000, using: &rng)))))
        default: break
        }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: item.append(("retries", .int(Int.random(in: 0..<4, using: &rng))))
        case 1: item.append(("retries", .double(Double(Int.random(in: 0..<4, using: &rng)))))
        default: break
        }
        if Bool.random(using: &rng) { item.append(("region", .string(Bool.random(using: &rng) ? "eu" : "us"))) }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: item.append(("tags", ["nightly", "eu"]))
        case 1: item.append(("tags", ["eu"]))
        default: break
        }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: item.append(("error", .null))
        case 1: item.append(("error", "boom"))
        default: break
        }
        if Bool.random(using: &rng) { item.append(("result", ["rows": .int(Int.random(in: 0..<12, using: &rng))])) }
        let itemValue: JSONValue =
            switch Int.random(in: 0..<40, using: &rng) {
            case 0: "not an object"
            case 1: ["x": 1]
            default: .object(JSONObject(item))
            }
        var body: [(String, JSONValue)] = [("type", .string(type.rawValue)), ("id", .string("evt-\(n)"))]
        if Int.random(in: 0..<50, using: &rng) != 0 { body.append(("item", itemValue)) }
        return Event(
            id: "evt-\(n)",
            tenantId: tenant,
            triggerType: type,
            source: .message(routingKey: type.routingKey),
            body: .object(JSONObject(body))
        )
    }
}
