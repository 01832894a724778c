import AMQPClient
import Automation
import Engine
import Foundation
import Logging
import SQLiteStore
import ServiceLifecycle
import SignalboxTestSupport
import Synchronization

/// A running pipeline against the real broker and a real SQLite file, with names of its own.
final class PipelineHarness: Sendable {
    static var url: String {
        ProcessInfo.processInfo.environment["SIGNALBOX_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/%2F"
    }

    static var logger: Logger {
        var logger = Logger(label: "engine-tests")
        // SIGNALBOX_TEST_LOG_LEVEL=debug shows what the pipeline and the scheduler did.
        logger.logLevel = ProcessInfo.processInfo.environment["SIGNALBOX_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    let names: BrokerNames
    /// The prefix of its broker names and directory: a harness made `reopening` another shares them.
    let prefix: String
    let commandsQueue: String
    let directory: URL
    let store: SQLiteAutomationStore
    let service: AutomationService
    let caller = Caller(tenantId: .default, role: .admin)
    let client: AMQPConnection
    let group: ServiceGroup
    let commands = Received()
    let deadLetters = Received()
    /// What the notification publisher published, from a queue bound to its exchange with `#`.
    let notifications = Received()
    let notificationsQueue: String
    private let running: Task<Void, any Error>

    /// Received messages, collected on the I/O thread.
    final class Received: Sendable {
        private let messages = Mutex<[AMQPDelivery]>([])
        var all: [AMQPDelivery] { messages.withLock { $0 } }
        func append(_ delivery: AMQPDelivery) { messages.withLock { $0.append(delivery) } }
    }

    let scheduler: SchedulerService
    /// The pipeline's totals (acked, requeued, …) and its trigger index.
    let counters: PipelineCounters
    let triggers: TriggerIndexProvider

    /// `counters` lets a test read the pipeline's totals and metrics (through a factory of its own).
    /// `beforeStart` prepares the database before the pipeline and the scheduler start (with a
    /// service that publishes nothing).
    /// `tenancy` says where events' tenants come from (the body's `tenantId` without a default).
    init(
        counters: PipelineCounters = PipelineCounters(),
        tenancy: EventTenancy = .body(defaultTenant: nil),
        reopening earlier: PipelineHarness? = nil,
        indexRefreshInterval: Duration = .milliseconds(500),
        beforeStart: (AutomationService) async throws -> Void = { _ in }
    ) async throws {
        // Reopening: the same broker names and SQLite file, as a restarted Signalbox finds them.
        let prefix = earlier?.prefix ?? "test.engine.\(UUID().uuidString.prefix(8).lowercased())"
        self.prefix = prefix
        names = BrokerNames(
            eventsExchange: "\(prefix).events", eventsQueue: "\(prefix).events", commandsExchange: "\(prefix).commands",
            deadLetterExchange: "\(prefix).dlx", deadLetterQueue: "\(prefix).dlq", notificationsExchange: "\(prefix).notifications")
        commandsQueue = "\(prefix).commands"
        notificationsQueue = "\(prefix).notifications"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteAutomationStore(path: directory.appendingPathComponent("signalbox.sqlite").path)
        let setup = AutomationService(store: store, clock: SystemWallClock())
        _ = try await setup.bootstrap()
        try await beforeStart(setup)

        let configuration = try AMQPConfiguration.testBroker(Self.url, name: prefix)
        client = try await AMQPConnection.connect(configuration, logger: Self.logger)
        var topology = names.topology
        topology.queues.append(.init(name: commandsQueue))
        topology.bindings.append(.init(queue: commandsQueue, exchange: names.commandsExchange, routingKey: "#"))
        topology.queues.append(.init(name: notificationsQueue))
        topology.bindings.append(.init(queue: notificationsQueue, exchange: names.notificationsExchange, routingKey: "#"))
        try await client.declare(topology)
        let commands = self.commands, deadLetters = self.deadLetters, notifications = self.notifications
        _ = try await client.consume(queue: notificationsQueue) { delivery in
            notifications.append(delivery)
            try? delivery.ack()
        }
        _ = try await client.consume(queue: commandsQueue) { delivery in
            commands.append(delivery)
            try? delivery.ack()
        }
        _ = try await client.consume(queue: names.deadLetterQueue) { delivery in
            deadLetters.append(delivery)
            try? delivery.ack()
        }

        let connection = try await AMQPConnection.connect(configuration, logger: Self.logger)
        let triggers = TriggerIndexProvider(store: store)
        self.triggers = triggers
        self.counters = counters
        let pipeline = EventPipeline(
            store: store, triggers: triggers, clock: SystemWallClock(),
            configuration: EventPipeline.Configuration(names: names, tenancy: tenancy), counters: counters,
            logger: Self.logger)
        scheduler = SchedulerService(
            store: store, runPath: pipeline.runPath, publisher: connection, clock: SystemWallClock(), logger: Self.logger)
        service = AutomationService(
            store: store, clock: SystemWallClock(),
            runner: PublishingActionRunner(
                runPath: pipeline.runPath, publisher: connection, clock: SystemWallClock(), logger: Self.logger),
            observer: DefinitionChangeFanOut([scheduler, triggers]))
        let pipelineService = PipelineService(
            connection: connection, pipeline: pipeline, triggers: triggers, queue: names.eventsQueue, prefetch: 50,
            refreshInterval: indexRefreshInterval, logger: Self.logger)
        let publisher = NotificationPublisher(
            store: store, publisher: connection, clock: SystemWallClock(), notifier: pipeline.runPath.notifier,
            configuration: NotificationPublisher.Configuration(exchange: names.notificationsExchange), logger: Self.logger)
        let group = ServiceGroup(
            services: [ConnectionService(connection: connection, logger: Self.logger), pipelineService, publisher, scheduler],
            logger: Self.logger)
        self.group = group
        running = Task { try await group.run() }
    }

    /// Stops the pipeline gracefully (idempotent).
    func stopPipeline() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Stops the pipeline gracefully, deletes the broker names and the database.
    func shutDown() async throws {
        try await stopPipeline()
        let deleting = ContinuousClock.now
        for queue in [names.eventsQueue, names.deadLetterQueue, commandsQueue, notificationsQueue] { try await client.delete(queue: queue) }
        // A busy broker deletes quorum queues slowly (CI once took over 10 s): say how slowly.
        if ContinuousClock.now - deleting > .seconds(5) { print("[\(prefix)] deleting 4 queues took \(ContinuousClock.now - deleting)") }
        for exchange in [names.eventsExchange, names.commandsExchange, names.deadLetterExchange, names.notificationsExchange] {
            try await client.delete(exchange: exchange)
        }
        await client.close()
        try? FileManager.default.removeItem(at: directory)
    }

    func publishEvent(_ body: String, messageID: String?, routingKey: String = "AppProcessUpdated") async throws {
        try await client.publish(
            Array(body.utf8), exchange: names.eventsExchange, routingKey: routingKey,
            properties: AMQPProperties(contentType: "application/json", messageID: messageID))
    }

    func publishRaw(_ body: [UInt8], messageID: String, routingKey: String = "AppProcessUpdated") async throws {
        try await client.publish(
            body, exchange: names.eventsExchange, routingKey: routingKey, properties: AMQPProperties(messageID: messageID))
    }

    /// Seed 000's `daily-report`, with its message trigger when `withTrigger`.
    @discardableResult
    func createDailyReport(
        withTrigger: Bool = true, schedules: [AddScheduleRequest]? = nil, status: ActionStatus? = nil
    ) async throws -> AutomatedAction {
        try await Self.createDailyReport(with: service, caller: caller, withTrigger: withTrigger, schedules: schedules, status: status)
    }

    @discardableResult
    static func createDailyReport(
        with service: AutomationService, caller: Caller = Caller(tenantId: .default, role: .admin), withTrigger: Bool = true,
        schedules: [AddScheduleRequest]? = nil, status: ActionStatus? = nil
    ) async throws -> AutomatedAction {
        let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
            [{"name": "Generate Report", "config": {"$type": "app",
              "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1},
              "inputs": [{"name": "reportType", "value": "daily-summary"}, {"name": "format", "value": "pdf"},
                         {"name": "sendEmail", "value": "true"}]}}]
            """#.utf8))
        let trigger = AddTriggerRequest(
            name: "On Data Import Complete", triggerType: .appProcessUpdated,
            eventFilter: "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'")
        let request = CreateActionRequest(
            name: "daily-report", description: "Generates daily summary reports", actions: items, status: status,
            schedules: schedules, messageTriggers: withTrigger ? [trigger] : nil)
        return try await service.createAction(request, namespace: "production", as: caller).action
    }

    func history(_ action: AutomatedAction) async throws -> [ExecutionHistoryEntry] {
        try await service.history(of: .id(action.id), page: PageRequest(limit: 100), as: caller).items
    }

    static func dataImportEvent(id: String, processId: String = UUID().uuidString.lowercased(), status: String = "Finished") -> String {
        #"{"type":"AppProcessUpdated","id":"\#(id)","tenantId":"default","namespace":"production","item":{"id":"\#(processId)","appId":"data-import-app-id","status":"\#(status)"}}"#
    }

}
