import Foundation
import JSONPath
import Testing

@testable import Automation

@Suite("CommandPlanner: deterministic ids, item order, routing keys, history rows")
struct CommandPlannerTests {
    let planner = CommandPlanner()
    let triggerId = TriggerID("7c9e6679-7425-40de-944b-e07fc1f90ae7")!

    // MARK: UUIDv5

    @Test(
        "UUIDv5 known vectors (RFC 9562 appendix A.4; Python's uuid.uuid5)",
        arguments: [
            ("www.example.com", "2ed6657d-e927-568b-95e1-2665a8aea6a2"),
            ("python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
        ]
    )
    func uuidV5(name: String, expected: String) {
        #expect(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: name).uuidString.lowercased() == expected)
    }

    @Test("command, process and history ids are UUIDv5 of the documented names (checked with Python's uuid)")
    func documentedIds() throws {
        let action = try seedAction(items: [SeedJSON.createActionItem, SeedJSON.createActionItem])
        let match = TriggerMatch(action: action, trigger: seedTrigger())
        let plan = planner.plan(match, for: seedEvent(id: "evt-42"), at: seedNow)

        // python3 -c "import uuid; c = uuid.uuid5(uuid.UUID('3f1c5b0e-8d2a-4e6b-9a47-51c0d3e2b8f6'),
        //   'evt-42|7c9e6679-7425-40de-944b-e07fc1f90ae7|0'); print(c, uuid.uuid5(c, 'process'), uuid.uuid5(c, 'execution'))"
        #expect(plan.commands.map(\.id.description) == ["4e0d950d-502d-55f2-a391-8c871e54a3cd", "6e8989e2-aba8-5ef5-b3c2-3933f0c3e1bf"])
        #expect(plan.commands[0].processId.description == "4353a0b3-a048-5246-8443-fb2e9e8d2cb8")
        #expect(plan.history[0].id.description == "78b82a9e-437a-5513-9853-889a49a39d19")
        #expect(plan.history[0].processId == plan.commands[0].processId)
    }

    // MARK: Retries

    @Test("a retry runs its one item with the attempt and the entry it retries; an item edited since is skipped, not run")
    func retryPlans() throws {
        let first = ActionItem(name: "Extract", config: .app(AppConfig(version: VersionReference(id: "a", version: 1))))
        let second = ActionItem(name: "Load", config: .app(AppConfig(version: VersionReference(id: "b", version: 1))))
        let action = AutomatedAction(
            tenantId: .default, namespace: "production", name: "etl", actions: [first, second], dateCreated: seedNow, dateUpdated: seedNow)
        let failed = ExecutionID(rawValue: UUID())
        let target = RetryTarget(retryOf: failed, itemIndex: 1, itemName: "Load", processType: .app, attempt: 3)
        let run = DelayedRun(tenantId: .default, actionId: action.id, dueAt: seedNow, dateCreated: seedNow, retry: target)

        let plan = planner.planRetry(run, target, of: action, at: seedNow)
        #expect(plan.commands.map(\.itemIndex) == [1] && plan.history.count == 1)
        #expect(plan.history[0].attempt == 3 && plan.history[0].retryOf == failed && plan.history[0].outcome == .pending)
        #expect(plan.history[0].processId == plan.commands[0].processId)

        var reordered = action
        reordered.actions = [second, first]
        let skipped = planner.planRetry(run, target, of: reordered, at: seedNow)
        #expect(skipped.commands.isEmpty && skipped.history.map(\.outcome) == [.skipped])
        #expect(skipped.history[0].retryOf == failed && skipped.history[0].attempt == 3 && skipped.history[0].dateCompleted == seedNow)
        #expect(skipped.history[0].errorMessage?.contains("item 2 (Load) is no longer in the action") == true)
        var shortened = action
        shortened.actions = [first]
        #expect(planner.planRetry(run, target, of: shortened, at: seedNow).history.map(\.outcome) == [.skipped])
    }

    // MARK: Plans

    @Test("seed 000: a data-import Finished event plans one process.start.app command and one Pending row")
    func seedScenario() throws {
        let action = try seedAction()
        let index = TriggerIndex(actions: [action])
        let event = seedEvent(id: "evt-1")
        let matches = index.matches(event)
        try #require(matches.count == 1)
        let plan = planner.plan(matches[0], for: event, at: seedNow)

        try #require(plan.commands.count == 1)
        let command = plan.commands[0]
        #expect(command.routingKey == "process.start.app")
        #expect(command.itemIndex == 0)
        #expect(command.body.config == action.actions[0].config)
        #expect(command.body.tenantId == "acme")
        #expect(command.body.namespace == "production")
        #expect(command.body.automatedAction == .init(id: action.id, name: "daily-report"))
        #expect(command.body.item == .init(index: 0, name: "Generate Report"))
        #expect(
            command.body.trigger
                == .init(type: .message, id: ExecutionSourceID(triggerId), eventType: .appProcessUpdated, sourceEventId: "evt-1")
        )
        #expect(command.body.commandId == command.id && command.body.processId == command.processId)

        try #require(plan.history.count == 1)
        let entry = plan.history[0]
        #expect(entry.outcome == .pending && entry.dateCompleted == nil && entry.errorMessage == nil)
        #expect(entry.triggerType == .message)
        #expect(entry.triggerId == ExecutionSourceID(triggerId))
        #expect(entry.actionId == action.id)
        #expect(entry.processId == command.processId)
        #expect(entry.processType == .app)
        #expect(entry.dateStarted == seedNow)
        #expect(entry.idempotencyKey == ExecutionKey(sourceEventId: "evt-1", triggerId: ExecutionSourceID(triggerId), itemIndex: 0))
        #expect(plan.failures.isEmpty)
    }

    @Test("the same event plans the same commands and rows; another event, trigger or item does not")
    func determinism() throws {
        let action = try seedAction(items: [SeedJSON.createActionItem, SeedJSON.createActionItem])
        let match = TriggerMatch(action: action, trigger: seedTrigger())
        let first = planner.plan(match, for: seedEvent(id: "evt-1"), at: seedNow)
        let again = CommandPlanner().plan(match, for: seedEvent(id: "evt-1"), at: seedNow)
        #expect(first == again)
        #expect(try first.commands.map { try $0.encodedBody() } == again.commands.map { try $0.encodedBody() })

        let other = planner.plan(match, for: seedEvent(id: "evt-2"), at: seedNow)
        let otherTrigger = planner.plan(
            TriggerMatch(action: action, trigger: seedTrigger(id: .random())),
            for: seedEvent(id: "evt-1"),
            at: seedNow
        )
        let ids = Set((first.commands + other.commands + otherTrigger.commands).map(\.id))
        let processIds = Set((first.commands + other.commands + otherTrigger.commands).map(\.processId))
        #expect(ids.count == 6 && processIds.count == 6)
        #expect(Set(first.history.map(\.id)).count == 2)
    }

    @Test("one command per item, in item order, with each kind's routing key")
    func orderAndRoutingKeys() throws {
        let action = try seedAction(items: [
            SeedJSON.createActionItem, SeedJSON.interactionItem, SeedJSON.interactionMessageItem, SeedJSON.capsuleItem,
        ])
        let plan = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: seedEvent(id: "evt-1"), at: seedNow)
        #expect(plan.commands.map(\.itemIndex) == [0, 1, 2, 3])
        #expect(
            plan.commands.map(\.routingKey) == [
                "process.start.app", "process.start.interaction", "interaction.message.send", "process.start.capsule",
            ]
        )
        #expect(plan.commands.map(\.body.item.name) == ["Generate Report", "Start Conversation", "Send Follow-up", "Run Container"])
        #expect(plan.history.map(\.itemIndex) == [0, 1, 2, 3])
        #expect(plan.history.map(\.processType) == [.app, .interaction, .interaction, .capsule])
        #expect(plan.commands[2].body.interactionProcessId == "p-data-import-1")
        #expect(plan.commands.filter { $0.itemIndex != 2 }.allSatisfy { $0.body.interactionProcessId == nil })
        #expect(ActionConfig.Kind.allCases.compactMap(\.commandRoutingKey).count == 4, "every kind but webhook publishes")
    }

    @Test("interaction-message: a query selecting nothing gives a Failed row naming the path and no command")
    func interactionMessageSelectsNothing() throws {
        let action = try seedAction(items: [SeedJSON.createActionItem, SeedJSON.interactionMessageItem, SeedJSON.capsuleItem])
        var event = seedEvent(id: "evt-9")
        event.body = ["type": "AppProcessUpdated", "tenantId": "acme", "item": ["status": "Finished", "appId": "data-import-app-id"]]
        let later = seedNow.addingTimeInterval(60)
        let plan = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: event, at: later)

        #expect(plan.commands.map(\.itemIndex) == [0, 2], "the other items still run")
        #expect(plan.history.map(\.itemIndex) == [0, 1, 2])
        let failed = plan.history[1]
        #expect(failed.outcome == .failed)
        #expect(failed.dateCompleted == later)
        #expect(failed.idempotencyKey == ExecutionKey(sourceEventId: "evt-9", triggerId: ExecutionSourceID(triggerId), itemIndex: 1))
        let message = try #require(failed.errorMessage)
        #expect(message.contains("interactionProcessIdFromEvent \"$.item.id\""), "\(message)")
        #expect(message.contains("selected nothing") && message.contains("evt-9"), "\(message)")
        #expect(plan.failures == [failed])
        #expect(plan.history[0].outcome == .pending && plan.history[2].outcome == .pending)
    }

    @Test(
        "interaction-message: a non-string, empty or multiple selection fails too",
        arguments: [
            (#"{"item": {"id": 17}}"#, "$.item.id", "a number, not a string"),
            (#"{"item": {"id": ""}}"#, "$.item.id", "an empty string"),
            (#"{"item": {"id": null}}"#, "$.item.id", "a null, not a string"),
            (#"{"item": {"ids": ["a", "b"]}}"#, "$.item.ids[*]", "selected 2 values"),
            (#"{"item": {"id": "x"}}"#, "$.item.id[", "not a valid JSONPath query"),
        ]
    )
    func interactionMessageBadSelection(body: String, path: String, expected: String) throws {
        let item = ActionItem(
            name: "Send Follow-up",
            config: .interactionMessage(InteractionMessageConfig(interactionProcessIdFromEvent: path, message: "hi"))
        )
        let action = AutomatedAction(
            tenantId: "acme",
            namespace: "production",
            name: "follow-up",
            actions: [item],
            dateCreated: seedNow,
            dateUpdated: seedNow
        )
        let event = Event(
            id: "evt-3",
            tenantId: "acme",
            triggerType: .interactionProcessUpdated,
            source: .message(routingKey: "InteractionProcessUpdated"),
            body: try JSONParser.parse(body)
        )
        let plan = planner.plan(action, cause: .message(triggerId, .interactionProcessUpdated), for: event, at: seedNow)
        #expect(plan.commands.isEmpty)
        #expect(plan.history.count == 1 && plan.history[0].outcome == .failed)
        #expect(plan.history[0].errorMessage?.contains(expected) == true, "\(plan.history[0].errorMessage ?? "nil")")
    }

    @Test("a schedule occurrence plans Schedule rows keyed by scheduleId@occurrence, with the scheduled instant")
    func scheduleRun() throws {
        let action = try seedAction()
        let schedule = ScheduleID("51234567-89ab-cdef-0123-456789abcdef")!
        let occurrence = instant("2026-01-05T09:00:00Z")
        let event = Event.scheduled(schedule, occurrence: occurrence, of: action)
        #expect(event.id == "51234567-89ab-cdef-0123-456789abcdef@2026-01-05T09:00:00Z")
        #expect(event.tenantId == action.tenantId && event.namespace == action.namespace && event.triggerType == nil)
        let cause = try #require(RunCause(event.source))
        #expect(cause == .schedule(schedule, occurrence: occurrence))

        let fired = seedNow.addingTimeInterval(0.004)
        let plan = planner.plan(action, cause: cause, for: event, at: fired)
        let command = try #require(plan.commands.first)
        #expect(
            command.body.trigger
                == .init(type: .schedule, id: ExecutionSourceID(schedule), sourceEventId: event.id, scheduledAt: occurrence)
        )
        #expect(plan.history[0].triggerType == .schedule)
        #expect(plan.history[0].triggerId == ExecutionSourceID(schedule))
        #expect(plan.history[0].sourceEventId == event.id)
        #expect(plan.history[0].dateStarted == fired)
        #expect(command.id == planner.commandID(eventId: event.id, cause: cause, itemIndex: 0))
        // Firing the same occurrence again (restart, second replica) plans the same command.
        let refired = planner.plan(action, cause: cause, for: Event.scheduled(schedule, occurrence: occurrence, of: action), at: fired)
        #expect(refired == plan)
    }

    @Test("a manual run has no trigger id; its command id uses the name 'manual'")
    func manualRun() throws {
        let action = try seedAction()
        let event = Event.manual(id: "5f0c0b9e-0d6c-4b7e-9a53-6b7c1d2e3f40", of: action)
        let cause = try #require(RunCause(event.source))
        #expect(RunCause(.message(routingKey: "AppProcessUpdated")) == nil)
        let plan = planner.plan(action, cause: cause, for: event, at: seedNow)
        #expect(plan.history[0].triggerType == .manual)
        #expect(plan.history[0].triggerId == nil)
        #expect(plan.commands[0].body.trigger == .init(type: .manual, id: nil, sourceEventId: event.id))
        let expected = UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "\(event.id)|manual|0")
        #expect(plan.commands[0].id.rawValue == expected)
    }

    @Test("the JSON body carries config, tenant, namespace, action, trigger, commandId and processId")
    func bodyJSON() throws {
        let action = try seedAction()
        let plan = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: seedEvent(id: "evt-1"), at: seedNow)
        let command = try #require(plan.commands.first)
        let data = try command.encodedBody()
        let json = try JSONParser.parse(data)
        #expect(json["commandId"] == .string(command.id.description))
        #expect(json["processId"] == .string(command.processId.description))
        #expect(json["tenantId"] == "acme")
        #expect(json["namespace"] == "production")
        #expect(json["automatedAction"]?["id"] == .string(action.id.description))
        #expect(json["automatedAction"]?["name"] == "daily-report")
        #expect(json["item"] == ["index": 0, "name": "Generate Report"])
        #expect(json["trigger"]?["type"] == "Message")
        #expect(json["trigger"]?["id"] == .string(triggerId.description))
        #expect(json["trigger"]?["eventType"] == "AppProcessUpdated")
        #expect(json["trigger"]?["sourceEventId"] == "evt-1")
        #expect(json["config"]?["$type"] == "app")
        #expect(json["config"]?["inputs"]?[0] == ["name": "reportType", "value": "daily-summary"])
        #expect(ProcessStartCommand.contentType == "application/json")
        let decoded = try AutomationJSON.decoder().decode(ProcessStartCommand.Body.self, from: Data(data))
        #expect(decoded == command.body)
    }

    // MARK: Events from deliveries

    @Test("a delivery becomes an Event: routing key, message-id, tenant and namespace from the body")
    func eventFromDelivery() throws {
        let body = try JSONParser.parse(
            #"{"type": "AppProcessUpdated", "id": "body-id", "tenantId": "acme", "namespace": "production", "item": {}}"#
        )
        let event = try Event(messageId: "msg-1", routingKey: "AppProcessUpdated", body: body)
        #expect(event.id == "msg-1")
        #expect(event.tenantId == "acme" && event.namespace == "production")
        #expect(event.triggerType == .appProcessUpdated)
        #expect(event.source == .message(routingKey: "AppProcessUpdated"))
        #expect(try Event(messageId: nil, routingKey: "events.other", body: body).id == "body-id")
        #expect(try Event(messageId: "", routingKey: "events.other", body: body).triggerType == .appProcessUpdated)
    }

    @Test(
        "deliveries that cannot become events say why",
        arguments: [
            (#"[1, 2]"#, "AppProcessUpdated", EventError.Code.notAnObject),
            (#"{"tenantId": "acme", "id": "x"}"#, "SomethingElse", .unknownTriggerType),
            (#"{"type": "Nope", "tenantId": "acme", "id": "x"}"#, "SomethingElse", .unknownTriggerType),
            (#"{"id": "x"}"#, "AppProcessUpdated", .missingTenant),
            (#"{"tenantId": "acme"}"#, "AppProcessUpdated", .missingID),
        ]
    )
    func eventErrors(body: String, routingKey: String, code: EventError.Code) throws {
        let value = try JSONParser.parse(body)
        #expect(throws: EventError.self) { try Event(messageId: nil, routingKey: routingKey, body: value) }
        do {
            _ = try Event(messageId: nil, routingKey: routingKey, body: value)
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }

    @Test("a default tenant stands in for a missing tenantId")
    func defaultTenant() throws {
        let event = try Event(
            messageId: "m",
            routingKey: "CapsuleProcessUpdated",
            body: ["item": [:]],
            tenancy: .body(defaultTenant: .default)
        )
        #expect(event.tenantId == .default)
    }

    // MARK: Fixtures

    @Test("command bodies are byte for byte what JSONEncoder with sorted keys writes, for every kind and cause")
    func bodyBytesMatchTheEncoder() throws {
        var action = try seedAction(items: [
            SeedJSON.createActionItem, SeedJSON.interactionItem, SeedJSON.interactionMessageItem, SeedJSON.capsuleItem,
        ])
        // An item run as a user (seed 002's AsUserEmail): `runAs` sits between processId and tenantId.
        action.actions[0].runAs = "admin@example.com"
        var odd = action
        odd.name = "quotes \" and \\ back/slashes, ünïcödé 🚦 and a tab\tinside"
        odd.namespace = "näme-space"
        let schedule = ScheduleID.random()
        let occurrence = instant("2026-01-06T09:00:00Z")
        var plans = [
            planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: seedEvent(id: #"evt "1" \ /x"#), at: seedNow),
            planner.plan(odd, cause: .manual, for: .manual(id: "manual-1", of: odd), at: seedNow),
            planner.plan(
                action, cause: .schedule(schedule, occurrence: occurrence),
                for: .scheduled(schedule, occurrence: occurrence, of: action), at: seedNow),
        ]
        // A fractional instant takes the encoder's own path.
        let fractional = occurrence.addingTimeInterval(0.25)
        plans.append(planner.plan(
            action, cause: .schedule(schedule, occurrence: fractional),
            for: .scheduled(schedule, occurrence: fractional, of: action), at: seedNow))
        var compared = 0
        for command in plans.flatMap(\.commands) {
            let fast = try command.encodedBody()
            let reference = Array(try CommandBodyWriter.slowEncode(command.body))
            #expect(fast == reference, "\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))")
            compared += 1
        }
        #expect(compared == 13)
        // The fast path is the one taken, except for the tab and the fractional instant (the
        // interaction-message item has no command in the manual and schedule runs).
        let fastPathTaken = try plans.map { try $0.commands.map { try CommandBodyWriter.shared.fastEncode($0.body) != nil } }
        #expect(fastPathTaken == [[true, true, true, true], [false, false, false], [true, true, true], [false, false, false]])
    }

    // MARK: webhook items

    static let webhookItem = #"""
        {"name": "Notify", "config": {"$type": "webhook", "url": "https://hooks.example.com/in", "method": "PUT",
         "headers": {"X-App": {"$fromEvent": "$.item.appId"}, "X-Fixed": "yes"},
         "body": {"status": {"$fromEvent": "$.item.status"}, "count": 2}, "timeoutSeconds": 5, "expectStatus": 204}}
        """#

    @Test("a webhook item plans a request, not a command: its entry's id is the webhook-id, values read from the event")
    func webhookItemPlansARequest() throws {
        let action = try seedAction(items: [SeedJSON.createActionItem, Self.webhookItem])
        let plan = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: seedEvent(id: "evt-1"), at: seedNow)
        #expect(plan.commands.map(\.itemIndex) == [0], "only the app item publishes")
        try #require(plan.history.count == 2 && plan.httpRequests.count == 1)
        let entry = plan.history[1]
        let request = plan.httpRequests[0]
        #expect(entry.processType == .webhook && entry.outcome == .pending && entry.dateCompleted == nil)
        #expect(request.deliveryId == entry.id && request.processId == entry.processId && request.actionId == action.id)
        #expect(request.tenantId == "acme" && request.method == "PUT" && request.url == "https://hooks.example.com/in")
        #expect(request.headers == [
            .init(name: "X-App", value: "data-import-app-id"), .init(name: "X-Fixed", value: "yes"),
            .init(name: "content-type", value: "application/json"),
        ])
        let body = try JSONSerialization.jsonObject(with: Data(try #require(request.body).utf8)) as? NSDictionary
        #expect(body == ["status": "Finished", "count": 2])
        #expect(request.timeoutSeconds == 5 && request.expectStatus == 204)
        #expect(request.succeeds(withStatus: 204) && !request.succeeds(withStatus: 200))
        // Planned again (a redelivery): the same ids, so the receiver sees the same webhook-id.
        let again = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: seedEvent(id: "evt-1"), at: seedNow)
        #expect(again.httpRequests == plan.httpRequests)
    }

    @Test("a text body is sent as it is, as text/plain unless a content-type is given")
    func webhookTextBody() throws {
        let item = #"{"name": "T", "config": {"$type": "webhook", "url": "http://h.example/x", "body": {"$fromEvent": "$.item.id"}}}"#
        let typed = #"{"name": "T", "config": {"$type": "webhook", "url": "http://h.example/x", "headers": {"Content-Type": "text/csv"}, "body": "a,b"}}"#
        let plan = planner.plan(TriggerMatch(action: try seedAction(items: [item, typed]), trigger: seedTrigger()), for: seedEvent(id: "e"), at: seedNow)
        #expect(plan.httpRequests.map(\.body) == ["p-data-import-1", "a,b"])
        #expect(plan.httpRequests[0].method == "POST" && plan.httpRequests[0].expectStatus == nil)
        #expect(plan.httpRequests[0].headers == [.init(name: "content-type", value: "text/plain; charset=utf-8")])
        #expect(plan.httpRequests[1].headers == [.init(name: "Content-Type", value: "text/csv")])
        #expect(plan.httpRequests[0].succeeds(withStatus: 299) && !plan.httpRequests[0].succeeds(withStatus: 302))
    }

    @Test("a header read from the event that is not one line of text fails the entry and sends nothing")
    func webhookHeaderFromEventMustBeText() throws {
        let item = #"{"name": "H", "config": {"$type": "webhook", "url": "http://h.example/x", "headers": {"X-Item": {"$fromEvent": "$.item"}, "X-Note": {"$fromEvent": "$.note"}}}}"#
        let action = try seedAction(items: [item])
        var event = seedEvent(id: "e")
        let object = try #require(event.body.objectValue)
        var changed = object
        changed["note"] = "a\r\nInjected: yes"
        event.body = .object(changed)
        let plan = planner.plan(TriggerMatch(action: action, trigger: seedTrigger()), for: event, at: seedNow)
        #expect(plan.httpRequests.isEmpty && plan.commands.isEmpty)
        #expect(plan.history.map(\.outcome) == [.failed])
        #expect(plan.history[0].errorMessage == #"item "H": config.headers.X-Item read from the event is a JSON object, not text; no request was sent"#)

        let lineBreak = #"{"name": "H", "config": {"$type": "webhook", "url": "http://h.example/x", "headers": {"X-Note": {"$fromEvent": "$.note"}}}}"#
        let second = planner.plan(TriggerMatch(action: try seedAction(items: [lineBreak]), trigger: seedTrigger()), for: event, at: seedNow)
        #expect(second.httpRequests.isEmpty)
        #expect(second.history[0].errorMessage?.contains("contains a line break or another control character; no request was sent") == true)
    }

    private func seedTrigger(id: TriggerID? = nil) -> MessageTrigger {
        MessageTrigger(
            id: id ?? triggerId,
            name: "On Data Import Complete",
            triggerType: .appProcessUpdated,
            eventFilter: "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"
        )
    }

    /// Seed 000's `daily-report` in tenant `acme`, with its trigger and the given item JSON.
    private func seedAction(items: [String] = [SeedJSON.createActionItem]) throws -> AutomatedAction {
        AutomatedAction(
            tenantId: "acme",
            namespace: "production",
            name: "daily-report",
            actions: try items.map { try decode(ActionItem.self, from: $0) },
            messageTriggers: [seedTrigger()],
            dateCreated: seedNow,
            dateUpdated: seedNow
        )
    }

    private func seedEvent(id: String) -> Event {
        Event(
            id: id,
            tenantId: "acme",
            namespace: "production",
            triggerType: .appProcessUpdated,
            source: .message(routingKey: "AppProcessUpdated"),
            body: [
                "type": "AppProcessUpdated", "id": .string(id), "tenantId": "acme", "namespace": "production",
                "item": ["id": "p-data-import-1", "appId": "data-import-app-id", "status": "Finished"],
            ]
        )
    }
}

extension SeedJSON {
    /// The item of seed 000's `action-create` (`Generate Report`, an app with three inputs).
    static let createActionItem = """
        {
            "name": "Generate Report",
            "config": {
                "$type": "app",
                "version": { "id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1 },
                "inputs": [
                    { "name": "reportType", "value": "daily-summary" },
                    { "name": "format", "value": "pdf" },
                    { "name": "sendEmail", "value": "true" }
                ]
            }
        }
        """
}
