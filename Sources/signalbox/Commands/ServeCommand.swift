import AMQPClient
import ArgumentParser
import Automation
import Engine
import Foundation
import HTTPAPI
import Logging
import PostgresStore
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `signalbox serve`: opens the database, connects to the broker, declares the topology and runs
/// the services (event pipeline, REST API, history retention) until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Signalbox service.")

    @Option(name: .long, help: "The configuration file; every key can be overridden by SIGNALBOX_… variables.")
    var config = "config/signalbox.yaml"

    @Option(name: .long, help: "A directory of definitions to apply at start and on SIGHUP (definitions.directory).")
    var definitions: String?

    func run() async throws {
        let settings: SignalboxConfiguration
        do {
            settings = try SignalboxConfiguration.load(file: config)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .logfmt
        LoggingSystem.bootstrap { StructuredLogHandler(label: $0, format: format, level: settings.logLevel) }
        let metricsRegistry = Self.bootstrapMetrics()
        let logger = Logger(label: "signalbox")
        logger.info("starting", metadata: [
            "config": "\(config)", "broker": "\(settings.amqp)", "events_queue": "\(settings.broker.eventsQueue)",
            "queue_type": "\(settings.broker.eventsQueueType.rawValue)", "event_tenants": "\(Self.describe(settings.tenancy))",
            "replica": "\(settings.replicaName)",
        ])

        do {
            try await ConfiguredStore.with(settings, logger: logger) { configured in
                if let tenant = try await AutomationService(store: configured.store, clock: SystemWallClock()).bootstrap() {
                    logger.notice("fresh database: created the default tenant; create an admin token with", metadata: [
                        "tenant": "\(tenant.id.rawValue)",
                        "command": "signalbox token create --tenant \(tenant.id.rawValue) --role admin --config \(config)",
                    ])
                }
                do {
                    try await serve(settings, store: configured, metricsRegistry: metricsRegistry, logger: logger)
                } catch {
                    throw Served(error: error)
                }
            }
        } catch let served as Served {
            throw served.error
        } catch {
            logger.critical("cannot open the database", metadata: ["database": "\(ConfiguredStore.location(settings))", "error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// An error of the running service, as opposed to one opening the database.
    private struct Served: Error {
        var error: any Error
    }

    /// Runs the services on the open store until SIGTERM or SIGINT.
    private func serve(
        _ settings: SignalboxConfiguration, store configured: ConfiguredStore, metricsRegistry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let store = configured.store
        logger.info("database open", metadata: [
            "database": "\(ConfiguredStore.location(settings))", "durability": "\(settings.databaseDurability.rawValue)",
        ])

        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(
                settings.amqp, logger: Logger(label: "signalbox.amqp"), shutdownTimeout: settings.shutdownTimeout)
            try await connection.declare(settings.broker.topology)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("topology declared", metadata: [
            "events_exchange": "\(settings.broker.eventsExchange)", "commands_exchange": "\(settings.broker.commandsExchange)",
            "dead_letter_exchange": "\(settings.broker.deadLetterExchange)",
        ])

        let clock = SystemWallClock()
        let engineMetrics = EngineMetrics(replica: settings.replicaName)
        let counters = PipelineCounters(metrics: engineMetrics)
        let storeHealth = StoreHealth()
        // One run path for every source: the pipeline, the scheduler and manual runs.
        // Requests of `webhook` items, recorded by the run path, sent by the sender.
        let httpRequests = OutboundRequestQueue()
        // What recorded batches changed: runs that triggers delay and retries (queued by the
        // scheduler), actions paused by failures, notifications queued (sent by the publisher).
        let notifier = RecordedRunNotifier()
        let runPath = RunPath(
            store: store, clock: clock, configuration: RunPath.Configuration(names: settings.broker), counters: counters,
            health: storeHealth, httpRequests: httpRequests, notifier: notifier, logger: Logger(label: "signalbox.runs"))
        let sender = HTTPRequestSender(
            queue: httpRequests, store: store, clock: clock, configuration: settings.httpRequests, notifier: notifier,
            logger: Logger(label: "signalbox.webhooks.out"))
        let notifications = NotificationPublisher(
            store: store, publisher: connection, clock: clock, notifier: notifier,
            configuration: NotificationPublisher.Configuration(exchange: settings.broker.notificationsExchange),
            logger: Logger(label: "signalbox.notifications"))
        let (leadership, leadershipCampaign) = Self.schedulerLeadership(configured, replica: settings.replicaName)
        let scheduler = SchedulerService(
            store: store, runPath: runPath, publisher: connection, clock: clock,
            configuration: SchedulerService.Configuration(
                missedRunGrace: settings.missedRunGrace, preparationLead: settings.preparationLead),
            leadership: leadership, logger: Logger(label: "signalbox.scheduler"), onFired: { engineMetrics.recordScheduleFireLag($0) })
        let triggers = TriggerIndexProvider(store: store)
        // An action that pauses itself leaves the trigger index at once, not at the next poll.
        notifier.subscribe(triggers)
        // Told of every definition change: by this process's service, and by the change feed of
        // a shared store.
        let definitionObservers = DefinitionChangeFanOut([scheduler, triggers])
        let service = AutomationService(
            store: store, clock: clock, limits: AutomationService.Limits(
                missedRunGrace: settings.missedRunGrace, filterTextBytes: settings.filterTextBytes, filterWorkBudget: settings.filterWorkBudget,
                actionsPerTenant: settings.actionsPerTenant),
            runner: PublishingActionRunner(
                runPath: runPath, publisher: connection, clock: clock,
                gate: BrokerGate(publisher: connection, wait: settings.brokerUnreachableWait, onRefused: engineMetrics.recordRunRefusedBrokerUnreachable),
                logger: Logger(label: "signalbox.manual")),
            observer: definitionObservers)
        // Before the services start: the directory applies first, and a SIGHUP is trapped from now on.
        var definitionsService: DefinitionsDirectoryService?
        if let directory = definitions ?? settings.definitionsDirectory {
            let loader = DefinitionsDirectoryService(
                directory: directory, tenant: settings.definitionsTenant, namespace: settings.definitionsNamespace, service: service,
                reloads: await UnixSignalsSequence(trapping: .sighup), logger: Logger(label: "signalbox.definitions"))
            do {
                let plan = try await loader.apply()
                logger.notice("definitions applied", metadata: DefinitionsDirectoryService.metadata(plan, directory: directory))
            } catch {
                logger.critical("definitions not applied", metadata: ["error": "\(error)"])
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            definitionsService = loader
        }
        // The console's filter tester offers the tenant's recent events.
        let recentEvents = RecentEvents()
        var pipelineConfiguration = EventPipeline.Configuration(
            names: settings.broker, tenancy: settings.tenancy, filterWorkBudget: settings.filterWorkBudget)
        pipelineConfiguration.onEvent = { event, size in recentEvents.record(event, size: size, at: clock.now()) }
        let pipeline = EventPipeline(
            store: store, triggers: triggers, clock: clock,
            configuration: pipelineConfiguration,
            counters: counters, health: storeHealth, httpRequests: httpRequests, notifier: notifier,
            logger: Logger(label: "signalbox.events"))
        let events = PipelineService(
            connection: connection, pipeline: pipeline, triggers: triggers, queue: settings.broker.eventsQueue,
            prefetch: settings.prefetch, logger: Logger(label: "signalbox.events"))
        var restAPI = SignalboxAPI(
            service: service, logger: Logger(label: "signalbox.http"),
            readinessChecks: Self.readinessChecks(
                connection: connection, store: configured, location: ConfiguredStore.location(settings), storeHealth: storeHealth,
                leadership: leadership),
            metricsText: {
                engineMetrics.recordUnsettledPublishes(connection.unsettledPublishes)
                engineMetrics.recordSchedulerRole(leadership.role)
                return metricsRegistry.emitToString()
            })
        restAPI.recentEvents = recentEvents
        restAPI.tokenRateLimit = settings.tokenRateLimit
        // The console's live history: every entry a writer records or closes.
        notifier.onRecorded { [feed = restAPI.historyFeed] in feed.publish($0) }
        let api = restAPI.application(host: settings.httpHost, port: settings.httpPort)
        let retention = RetentionService(
            service: service, policy: settings.retention, interval: settings.retentionInterval,
            logger: Logger(label: "signalbox.retention"))
        logger.info("REST API", metadata: ["address": "http://\(settings.httpHost):\(settings.httpPort)"])
        // Graceful shutdown runs in reverse order: retention, the API, the scheduler, the
        // leadership campaign (if any), the HTTP request sender, the events pipeline, the notification publisher, and the broker connection last, once nothing
        // publishes on it any more.
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: ConnectionService(connection: connection, logger: Logger(label: "signalbox.amqp")),
                      successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                // Stops just before the connection: what the others close meanwhile is still published.
                .init(service: notifications),
                .init(service: events, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: sender),
            ] + leadershipCampaign + [
                .init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ] + (Self.changeFeed(configured, replica: settings.replicaName).map { [.init(service: StoreChangeFollower(feed: $0, observer: definitionObservers))] } ?? []) + [
                .init(service: api, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                // Stops just before the API: ends the console's live streams, which it waits for.
                .init(service: restAPI.historyFeed),
                .init(service: retention),
            ] + (definitionsService.map { [.init(service: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Each service bounds its own drain; this bounds them all, whatever hangs.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        logger.info("stopped")
    }

    /// Who fires the schedules and delayed runs, and the services that campaign for the lead
    /// (placed before the scheduler, so on shutdown the lead is given up after the scheduler
    /// stopped firing). One process owns the SQLite file: it leads alone, with nothing to run.
    /// With a shared PostgreSQL (`database.url`) this is a `PostgresAdvisoryLeadership`, both the
    /// leadership and its one campaign service.
    static func schedulerLeadership(
        _ store: ConfiguredStore, replica: String
    ) -> (any SchedulerLeadership, [ServiceGroupConfiguration.ServiceConfiguration]) {
        switch store {
        case .sqlite:
            return (SoleSchedulerLeadership(), [])
        case .postgres(_, let configuration):
            // Replicas share the database: the one holding its advisory lock fires schedules.
            var settings = PostgresAdvisoryLeadership.Configuration()
            settings.session.applicationName = "signalbox scheduler leadership \(replica)"
            let leadership = PostgresAdvisoryLeadership(store: configuration, configuration: settings, logger: Logger(label: "signalbox.leadership"))
            return (leadership, [.init(service: leadership)])
        }
    }

    /// How this replica hears of changes committed through others: with a shared PostgreSQL, its
    /// notifications; a SQLite file has one process, which tells its observers itself.
    static func changeFeed(_ store: ConfiguredStore, replica: String) -> (any StoreChangeFeed)? {
        guard case .postgres(_, let configuration) = store else { return nil }
        var settings = PostgresChangeFeed.Configuration()
        settings.session.applicationName = "signalbox change feed \(replica)"
        return PostgresChangeFeed(store: configuration, configuration: settings, logger: Logger(label: "signalbox.changes"))
    }

        /// Where event tenants come from, for the start-up log (user names, not secrets).
    static func describe(_ tenancy: EventTenancy) -> String {
        switch tenancy {
        case .body(let defaultTenant): "body tenantId, default \(defaultTenant?.rawValue ?? "none")"
        case .userID(let tenants):
            "AMQP user-id: " + tenants.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
    }
}
