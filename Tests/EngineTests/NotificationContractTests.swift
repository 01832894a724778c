import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import SignalboxTestSupport
import Testing

/// The notification examples of `docs/asyncapi.yaml` are what ``ActionNotification`` makes of the
/// entry, action and counters they describe, ids and AMQP properties included; and the publisher
/// sends them with those properties to the documented exchange.
@Suite("AsyncAPI contract: notifications")
struct NotificationContractTests {
    static let channels: [(channel: String, kind: ActionNotification.Kind)] = [
        ("actionSucceeded", .succeeded), ("actionFailed", .failed), ("actionPaused", .paused),
    ]

    @Test func everyNotificationExampleIsWhatSignalboxMakesOfItsEntry() throws {
        let document = try AsyncAPIDocument()
        for (channel, kind) in Self.channels {
            #expect(try document.string(["channels", channel, "address"]) == "action.\(kind.rawValue)")
            let message = try document.messageName(ofChannel: channel)
            let examples = try document.examples(ofMessage: message)
            #expect(!examples.isEmpty, "\(message) has an example")
            for example in examples {
                let expected = try AsyncAPIDocument.json(try #require(example["payload"]))
                let notification = try Self.remake(kind, from: expected)
                let produced = try JSONParser.parse(notification.body)
                #expect(produced == expected, "\(message): Signalbox writes \(produced.jsonText)")
                let properties = try AsyncAPIDocument.amqpProperties(of: example)
                #expect(properties["routing-key"] == notification.routingKey, "\(message)")
                #expect(properties["message-id"] == notification.id, "\(message)")
                #expect(properties["content-type"] == ActionNotification.contentType, "\(message)")
                #expect(properties["type"] == ActionNotification.type(kind), "\(message)")
                #expect(try document.string(["components", "messages", message, "contentType"]) == ActionNotification.contentType)
                try AsyncAPIContractTests.validate(
                    produced, against: try document.mapping(["components", "messages", message, "payload"]), in: document, at: message)
            }
        }
    }

    @Test func thePublisherSendsThemPersistentOnceEachAndDeletesWhatWasConfirmed() async throws {
        let document = try AsyncAPIDocument()
        let store = InMemoryAutomationStore()
        // Through the store's outbox, as a close writes it.
        let action = AutomatedAction(
            tenantId: "acme", namespace: "production", name: "flaky",
            actions: [ActionItem(name: "Import", config: .app(AppConfig(version: VersionReference(id: "x", version: 1))))],
            dateCreated: Date(), dateUpdated: Date(), policies: FailurePolicies(notification: NotificationSettings(onFailure: true)))
        try await store.insertAction(action)
        func failRun(_ event: String) async throws -> RecordedRun {
            let entry = ExecutionHistoryEntry(
                triggerType: .manual, triggerId: nil, actionId: action.id, processId: ProcessID(rawValue: UUID()), processType: .app,
                dateStarted: Date(), sourceEventId: event, itemIndex: 0)
            _ = try await store.record(RunRecord(history: [entry], at: Date()))
            return try await store.record(RunRecord(
                completions: [ExecutionCompletionRequest(processId: entry.processId, outcome: .failed, errorMessage: "boom")], at: Date()))
        }
        #expect(try await failRun("manual-1").queuedNotifications == 1)

        let publisher = EventPipelineTests.FakePublisher()
        let service = NotificationPublisher(
            store: store, publisher: publisher, clock: SystemWallClock(), notifier: RecordedRunNotifier(),
            configuration: .init(exchange: BrokerNames().notificationsExchange, pollInterval: .milliseconds(20)),
            logger: .init(label: "notification-tests"))
        let running = Task { try await service.run() }
        defer { running.cancel() }
        #expect(await eventually(timeout: .seconds(60)) { !publisher.handOffs.isEmpty }, "the suite shares two cores: a wide bound")
        let message = try #require(publisher.handOffs.first?.first)
        let binding = try document.amqpBinding(ofChannel: "actionFailed")
        #expect(message.exchange == (binding["exchange"] as? [String: Any])?["name"] as? String)
        #expect(message.routingKey == "action.failed" && message.properties.persistent)
        #expect(message.properties.contentType == ActionNotification.contentType)
        #expect(message.properties.type == ActionNotification.type(.failed) && message.properties.timestamp != nil)
        let body = try JSONParser.parse(String(decoding: message.body, as: UTF8.self))
        #expect(message.properties.messageID == body["id"]?.stringValue)
        #expect(body["data"]?["errorMessage"]?.stringValue == "boom" && body["data"]?["actionName"]?.stringValue == "flaky")

        // Unanswered, it is in flight: polled many times over, it is not published again.
        try await Task.sleep(for: .milliseconds(300))
        #expect(publisher.handOffs.flatMap { $0 }.count == 1)
        #expect(try await store.pendingNotifications(limit: 10).count == 1, "kept until confirmed")
        message.onConfirm(.success(()))
        #expect(try await eventually { try await store.pendingNotifications(limit: 10).isEmpty }, "deleted once confirmed")
        #expect(service.publishedCount == 1)

        // Refused: published again, with the same id.
        #expect(try await failRun("manual-2").queuedNotifications == 1)
        #expect(await eventually { publisher.handOffs.flatMap { $0 }.count == 2 })
        let refused = try #require(publisher.handOffs.flatMap { $0 }.last)
        refused.onConfirm(.failure(AMQPError(.publishNacked, context: "test", reason: "nack")))
        #expect(await eventually { publisher.handOffs.flatMap { $0 }.count == 3 })
        let again = try #require(publisher.handOffs.flatMap { $0 }.last)
        #expect(again.properties.messageID == refused.properties.messageID)
        again.onConfirm(.success(()))
        #expect(try await eventually { try await store.pendingNotifications(limit: 10).isEmpty })
    }

    /// ``ActionNotification/make`` for the entry, action and counters an example's payload names.
    static func remake(_ kind: ActionNotification.Kind, from payload: JSONValue) throws -> ActionNotification {
        let data = try #require(payload["data"])
        func text(_ key: String) throws -> String { try #require(data[key]?.stringValue, "data.\(key)") }
        func number(_ key: String) throws -> Int { try #require(data[key]?.intValue, "data.\(key)") }
        let entry = ExecutionHistoryEntry(
            id: try #require(ExecutionID(try text("executionId"))),
            triggerType: try #require(ExecutionTriggerType(rawValue: try text("triggerType"))), triggerId: nil,
            actionId: try #require(ActionID(try text("actionId"))), processId: try #require(ProcessID(try text("processId"))),
            processType: try #require(ProcessType(rawValue: try text("processType"))), dateStarted: Date(),
            outcome: try #require(ExecutionOutcome(rawValue: try text("outcome"))), errorMessage: data["errorMessage"]?.stringValue,
            sourceEventId: try text("sourceEventId"), itemIndex: try number("itemIndex"), attempt: try number("attempt"),
            retryOf: data["retryOf"]?.stringValue.flatMap(ExecutionID.init))
        let action = ActionNotification.Action(
            id: entry.actionId, tenantId: TenantID(rawValue: try text("tenantId")), namespace: NamespaceName(rawValue: try text("namespace")),
            name: try text("actionName"))
        let time = try #require(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(try #require(payload["time"]?.stringValue)))
        return ActionNotification.make(
            kind, entry: entry, action: action, counters: (try number("totalExecutions"), try number("consecutiveFailures")),
            pausedReason: data["pausedReason"]?.stringValue, at: time)
    }
}
