import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import Logging
import Testing
import Yams

/// `docs/asyncapi.yaml` tells the truth: every command example is what the planner encodes and
/// the pipeline publishes (ids and AMQP properties included) for the event example it names, the
/// dead-letter example is what a poison event becomes, the payload schemas declare every field the
/// code writes, and the routing keys and default names are the code's.
@Suite("AsyncAPI contract")
struct AsyncAPIContractTests {
    /// The command channels, each carrying one message.
    static let commandChannels = ["startApp", "startInteraction", "startCapsule", "sendInteractionMessage"]
    static let now = Date(timeIntervalSince1970: 1_767_603_600)  // 2026-01-05T09:00:00Z

    // MARK: Examples against the code

    @Test func everyCommandExampleIsWhatThePlannerEncodes() throws {
        let document = try AsyncAPIDocument()
        for channel in Self.commandChannels {
            let message = try document.messageName(ofChannel: channel)
            for example in try document.examples(ofMessage: message) {
                let expected = try AsyncAPIDocument.json(try #require(example["payload"]))
                let body = try AutomationJSON.decoder().decode(ProcessStartCommand.Body.self, from: Data(expected.jsonText.utf8))
                let command = try Self.plannedCommand(for: body, document: document)
                let produced = try JSONParser.parse(command.encodedBody())
                #expect(produced == expected, "\(message): the planner encodes \(produced.jsonText)")
                #expect(command.routingKey == (try document.string(["channels", channel, "address"])), "\(message)")

                let properties = try AsyncAPIDocument.amqpProperties(of: example)
                #expect(properties["message-id"] == command.id.description, "\(message): message-id")
                #expect(properties["correlation-id"] == command.processId.description, "\(message): correlation-id")
                #expect(properties["routing-key"] == command.routingKey && properties["type"] == command.routingKey, "\(message)")
                #expect(properties["content-type"] == ProcessStartCommand.contentType, "\(message)")
                let messageType = try document.string(["components", "messages", message, "bindings", "amqp", "messageType"])
                #expect(messageType == command.routingKey, "\(message): bindings.amqp.messageType")
                try Self.validate(produced, against: try document.mapping(["components", "messages", message, "payload"]),
                                  in: document, at: message)
            }
        }
    }

    @Test func thePipelinePublishesTheMessageTriggeredExamplesForTheEventExamples() async throws {
        let document = try AsyncAPIDocument()
        let store = InMemoryAutomationStore()
        _ = try await AutomationService(store: store, clock: ManualWallClock(Self.now)).bootstrap()

        // Each message-triggered command example's action, with a trigger matching only its source event.
        var expected: [String: (routingKey: String, payload: JSONValue, properties: [String: String])] = [:]
        for channel in Self.commandChannels {
            for example in try document.examples(ofMessage: try document.messageName(ofChannel: channel)) {
                let payload = try AsyncAPIDocument.json(try #require(example["payload"]))
                let body = try AutomationJSON.decoder().decode(ProcessStartCommand.Body.self, from: Data(payload.jsonText.utf8))
                guard body.trigger.type == .message else { continue }
                let trigger = MessageTrigger(
                    id: TriggerID(rawValue: try #require(body.trigger.id).rawValue), name: "example",
                    triggerType: try #require(body.trigger.eventType), eventFilter: "$.id == '\(body.trigger.sourceEventId)'")
                try await store.insertAction(Self.action(for: body, triggers: [trigger]))
                let properties = try AsyncAPIDocument.amqpProperties(of: example)
                expected[try #require(properties["message-id"])] = (
                    try document.string(["channels", channel, "address"]), payload, properties
                )
            }
        }
        #expect(expected.count >= 3, "the app, interaction and interaction-message examples are message-triggered")

        let triggers = TriggerIndexProvider(store: store)
        try await triggers.refresh()
        let commandsExchange = try document.string(["components", "channelBindings", "commandsExchange", "amqp", "exchange", "name"])
        let pipeline = Self.pipeline(store: store, triggers: triggers)
        let deliveries = try document.examples(ofMessage: "processUpdated").map { example in
            let properties = try AsyncAPIDocument.amqpProperties(of: example)
            return EventPipelineTests.FakeDelivery(
                try AsyncAPIDocument.json(try #require(example["payload"])).jsonText, id: properties["message-id"],
                routingKey: try #require(properties["routing-key"]))
        }
        let publisher = EventPipelineTests.FakePublisher()
        let report = await pipeline.process(deliveries, publisher: publisher)
        #expect(report.poison == 0 && report.unknownType == 0)
        let published = publisher.handOffs.flatMap { $0 }
        #expect(published.count == expected.count, "one command per message-triggered example, nothing else")
        for message in published {
            let id = try #require(message.properties.messageID)
            let example = try #require(expected[id], "published \(id), which no example shows")
            #expect(message.exchange == commandsExchange && message.routingKey == example.routingKey)
            #expect(try JSONParser.parse(message.body) == example.payload, "\(example.routingKey): body")
            #expect(message.properties.correlationID == example.properties["correlation-id"])
            #expect(message.properties.contentType == example.properties["content-type"])
            #expect(message.properties.type == example.properties["type"])
            #expect(message.properties.persistent && example.properties["delivery-mode"] == "2")
            #expect(message.properties.headers.isEmpty && message.mandatory)
        }
    }

    /// Each event example reaches the tenant its body names under `tenantSource: body`, and the
    /// tenant of its `user-id` under `userId`; the reasons the document gives for refusing a
    /// delivery are the codes the code uses.
    @Test func eventExamplesFollowTheDocumentedTenancyRules() throws {
        let document = try AsyncAPIDocument()
        let described = try document.string(["components", "messages", "processUpdated", "description"])
        for rule in ["events.tenantSource", "events.tenants", "PRECONDITION_FAILED", "\(EventError.Code.missingUserID)", "\(EventError.Code.unknownUser)"] {
            #expect(described.contains(rule), "processUpdated's description mentions \(rule)")
        }
        let stages = try document.string(["components", "messages", "deadLetteredEvent", "headers", "properties", "x-signalbox-stage", "description"])
        for code in [EventError.Code.missingTenant, .missingUserID, .unknownUser] {
            #expect(stages.contains("`\(code)`"), "x-signalbox-stage names \(code)")
        }
        for example in try document.examples(ofMessage: "processUpdated") {
            let properties = try AsyncAPIDocument.amqpProperties(of: example)
            let body = try AsyncAPIDocument.json(try #require(example["payload"]))
            let user = try #require(properties["user-id"], "\(example["name"] ?? "?") shows its publisher's user-id")
            let routingKey = try #require(properties["routing-key"])
            let claimed = TenantID(try #require(body["tenantId"]?.stringValue))
            func tenant(_ tenancy: EventTenancy, userId: String? = user) throws -> TenantID {
                try Event(messageId: properties["message-id"], userId: userId, routingKey: routingKey, body: body, tenancy: tenancy).tenantId
            }
            #expect(try tenant(.body(defaultTenant: nil)) == claimed)
            #expect(try tenant(.userID([user: "mapped"])) == "mapped", "the body's tenantId is ignored")
            #expect(throws: EventError.self) { try tenant(.userID([user: "mapped"]), userId: nil) }
            #expect(throws: EventError.self) { try tenant(.userID(["someone-else": claimed])) }
        }
    }

    @Test func theDeadLetterExampleIsWhatAPoisonEventBecomes() async throws {
        let document = try AsyncAPIDocument()
        let store = InMemoryAutomationStore()
        let pipeline = Self.pipeline(store: store, triggers: TriggerIndexProvider(store: store))
        let example = try #require(try document.examples(ofMessage: "deadLetteredEvent").first)
        let properties = try AsyncAPIDocument.amqpProperties(of: example)
        let body = try #require(example["payload"] as? String)
        let delivery = EventPipelineTests.FakeDelivery(body, id: properties["message-id"], routingKey: try #require(properties["routing-key"]))
        let publisher = EventPipelineTests.FakePublisher()
        #expect(await pipeline.process([delivery], publisher: publisher).poison == 1)
        let message = try #require(publisher.handOffs.first?.first)

        #expect(message.exchange == (try document.string(["channels", "deadLetter", "bindings", "amqp", "exchange", "name"])))
        #expect(message.routingKey == properties["routing-key"])
        #expect(message.body == Array(body.utf8))
        #expect(message.properties.messageID == properties["message-id"])
        #expect(message.properties.persistent && properties["delivery-mode"] == "2")
        let exampleHeaders = try #require(example["headers"] as? [String: String])
        #expect(message.properties.headers == exampleHeaders.mapValues { .string($0) }, "published \(message.properties.headers)")

        let schema = try document.mapping(["components", "messages", "deadLetteredEvent", "headers"])
        let declared = Set(try #require(schema["properties"] as? [String: Any]).keys)
        #expect(Set(message.properties.headers.keys).isSubset(of: declared))
        #expect(Set(try #require(schema["required"] as? [String])).isSubset(of: Set(message.properties.headers.keys)))
    }

    // MARK: Names

    @Test func theCommandsQueueIsDeclaredAsDocumentedAndCatchesEveryCommand() throws {
        let document = try AsyncAPIDocument()
        let names = BrokerNames()
        let queue = try #require(names.commandsQueue)
        #expect(queue == (try document.string(["channels", "commandsQueue", "bindings", "amqp", "queue", "name"])))
        let keys = try #require(try document.value(["channels", "commandsQueue", "x-signalbox-binding-keys"]) as? [String])
        let declared = names.topology.bindings.filter { $0.queue == queue }
        #expect(declared.map(\.routingKey) == keys && declared.allSatisfy { $0.exchange == names.commandsExchange })
        #expect(names.topology.queues.first { $0.name == queue }?.arguments["x-queue-type"] == .string(names.eventsQueueType.rawValue))
        // Every command channel's routing key reaches the queue through one of the bindings.
        for channel in Self.commandChannels {
            let key = try document.string(["channels", channel, "address"])
            #expect(keys.contains { $0 == key || ($0.hasSuffix(".#") && key.hasPrefix($0.dropLast())) }, "\(key) is not bound")
        }
        var none = names
        none.commandsQueue = nil
        #expect(!none.topology.queues.contains { $0.name == queue }, "no commands queue when none is configured")
    }

    @Test func routingKeysAreTheCodes() throws {
        let document = try AsyncAPIDocument()
        let eventKeys = try #require(try document.value(["channels", "processUpdated", "parameters", "triggerType", "enum"]) as? [String])
        #expect(eventKeys == TriggerType.allCases.map(\.routingKey))
        let eventTypes = try #require(try document.value(["components", "schemas", "ProcessUpdatedEvent", "properties", "type", "enum"]) as? [String])
        #expect(eventTypes == TriggerType.allCases.map(\.rawValue))

        let commandKeys = try Self.commandChannels.map { try document.string(["channels", $0, "address"]) }
        // Every kind that publishes has its channel (`webhook` items are sent over HTTP instead).
        let publishedKeys = ActionConfig.Kind.allCases.compactMap(\.commandRoutingKey)
        #expect(Set(commandKeys) == Set(publishedKeys))
        #expect(commandKeys.count == publishedKeys.count)
        // Every channel on the commands exchange is one of them.
        let channels = try document.mapping(["channels"])
        let onCommandsExchange = try channels.keys.filter {
            (try document.amqpBinding(ofChannel: $0)["exchange"] as? [String: Any])?["name"] as? String
                == BrokerNames().commandsExchange
        }
        #expect(Set(onCommandsExchange) == Set(Self.commandChannels))
    }

    @Test func defaultNamesAreTheCodesAndEachNamesItsConfigurationKey() throws {
        let document = try AsyncAPIDocument()
        let names = BrokerNames()
        let exchange = { (channel: String) in
            (try document.amqpBinding(ofChannel: channel)["exchange"] as? [String: Any])?["name"] as? String
        }
        #expect(try exchange("processUpdated") == names.eventsExchange)
        #expect(try exchange("startApp") == names.commandsExchange)
        #expect(try exchange("deadLetter") == names.deadLetterExchange)
        let queue = (try document.amqpBinding(ofChannel: "eventsQueue")["queue"] as? [String: Any])?["name"] as? String
        #expect(queue == names.eventsQueue)

        // x-signalbox-config names a key of config/signalbox.yaml whose value is the documented name.
        let configURL = AsyncAPIDocument.repositoryRoot.appendingPathComponent("config/signalbox.yaml")
        let configuration = try #require(try Yams.load(yaml: String(contentsOf: configURL, encoding: .utf8)) as? [String: Any])
        for (channel, _) in try document.mapping(["channels"]) {
            let key = try document.string(["channels", channel, "x-signalbox-config"])
            var node: Any? = configuration
            for part in key.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
            let binding = try document.amqpBinding(ofChannel: channel)
            let documented = ((binding["exchange"] ?? binding["queue"]) as? [String: Any])?["name"] as? String
            #expect(node as? String == documented, "\(channel): \(key) in config/signalbox.yaml")
        }
    }

    // MARK: Support

    /// The action an example body belongs to: its item at `body.item.index` (earlier items are
    /// placeholders), in its tenant and namespace.
    static func action(for body: ProcessStartCommand.Body, triggers: [MessageTrigger] = [],
                       schedules: [CronScheduleDefinition] = []) -> AutomatedAction {
        let filler = ActionItem(name: "earlier", config: .app(AppConfig(version: VersionReference(id: "x", version: 1))))
        return AutomatedAction(
            id: body.automatedAction.id, tenantId: body.tenantId, namespace: body.namespace, name: body.automatedAction.name,
            actions: Array(repeating: filler, count: body.item.index) + [ActionItem(name: body.item.name, config: body.config)],
            schedules: schedules, messageTriggers: triggers, dateCreated: now, dateUpdated: now)
    }

    /// What the planner makes of the run the example describes.
    static func plannedCommand(for body: ProcessStartCommand.Body, document: AsyncAPIDocument) throws -> ProcessStartCommand {
        let action = action(for: body)
        let cause: RunCause
        let event: Event
        switch body.trigger.type {
        case .message:
            let source = try document.examples(ofMessage: "processUpdated").first {
                try AsyncAPIDocument.amqpProperties(of: $0)["message-id"] == body.trigger.sourceEventId
            }
            let example = try #require(source, "no processUpdated example has message-id \(body.trigger.sourceEventId)")
            let properties = try AsyncAPIDocument.amqpProperties(of: example)
            event = try Event(
                messageId: properties["message-id"], routingKey: try #require(properties["routing-key"]),
                body: try AsyncAPIDocument.json(try #require(example["payload"])))
            cause = .message(TriggerID(rawValue: try #require(body.trigger.id).rawValue), try #require(event.triggerType))
        case .schedule:
            let schedule = ScheduleID(rawValue: try #require(body.trigger.id).rawValue)
            let occurrence = try #require(body.trigger.scheduledAt)
            event = Event.scheduled(schedule, occurrence: occurrence, of: action)
            cause = .schedule(schedule, occurrence: occurrence)
        case .manual:
            event = Event.manual(id: body.trigger.sourceEventId, of: action)
            cause = .manual
        case .webhook:
            let webhook = WebhookTrigger(
                id: WebhookID(rawValue: try #require(body.trigger.id).rawValue), name: "example", dateCreated: now)
            event = Event.webhook(webhook, of: action, id: body.trigger.sourceEventId, messageID: nil, receivedAt: now, payload: .null)
            cause = .webhook(webhook.id)
        case .delayed:
            let run = DelayedRun(
                id: DelayedRunID(rawValue: try #require(body.trigger.id).rawValue), tenantId: body.tenantId, actionId: action.id,
                dueAt: now, dateCreated: now)
            event = Event.delayed(run, of: action)
            cause = .delayed(run.id)
        }
        let plan = CommandPlanner().plan(action, cause: cause, for: event, at: now)
        return try #require(plan.commands.first { $0.itemIndex == body.item.index }, "the planner made no command for \(body.item)")
    }

    static func pipeline(store: InMemoryAutomationStore, triggers: TriggerIndexProvider) -> EventPipeline {
        var logger = Logger(label: "asyncapi-tests")
        logger.logLevel = .error
        return EventPipeline(
            store: store, triggers: triggers, clock: ManualWallClock(now), configuration: .init(names: BrokerNames()),
            logger: logger)
    }

    /// A small JSON Schema check, enough for the document's payloads: `$ref`, `allOf`, `type`,
    /// `const`, `enum`, `required`, `properties`, `items` and `additionalProperties: false`. An
    /// object member no schema of the `allOf` declares is an error: the document must name
    /// every field the code writes.
    static func validate(_ value: JSONValue, against schema: [String: Any], in document: AsyncAPIDocument, at path: String) throws {
        let schema = try document.resolved(schema)
        if let parts = schema["allOf"] as? [[String: Any]] {
            let resolved = try parts.map { try document.resolved($0) }
            var declared: Set<String> = []
            for part in resolved {
                declared.formUnion((part["properties"] as? [String: Any]).map { Array($0.keys) } ?? [])
                try validate(value, against: part.filter { $0.key != "additionalProperties" }, in: document, at: path)
            }
            for key in value.objectValue?.keys ?? [] {
                #expect(declared.contains(key), "\(path).\(key) is not declared in asyncapi.yaml")
            }
            return
        }
        if let constant = schema["const"] { #expect(value == (try AsyncAPIDocument.json(constant)), "\(path): const") }
        if let allowed = schema["enum"] as? [Any] {
            #expect(try allowed.map(AsyncAPIDocument.json).contains(value), "\(path): \(value.jsonText) is not in the enum")
        }
        if let type = schema["type"] as? String {
            let actual: String =
                switch value {
                case .null: "null"
                case .bool: "boolean"
                case .int: "integer"
                case .double: "number"
                case .string: "string"
                case .array: "array"
                case .object: "object"
                }
            #expect(actual == type || (type == "number" && actual == "integer"), "\(path): \(actual), documented \(type)")
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] {
                #expect(object[key] != nil, "\(path).\(key) is required by asyncapi.yaml but not written")
            }
            for member in object.members {
                if let property = properties[member.key] as? [String: Any] {
                    try validate(member.value, against: property, in: document, at: "\(path).\(member.key)")
                } else {
                    #expect(schema["additionalProperties"] as? Bool != false, "\(path).\(member.key) is not declared")
                }
            }
        }
        if case .array(let elements) = value, let items = schema["items"] as? [String: Any] {
            for (index, element) in elements.enumerated() {
                try validate(element, against: items, in: document, at: "\(path)[\(index)]")
            }
        }
    }
}
