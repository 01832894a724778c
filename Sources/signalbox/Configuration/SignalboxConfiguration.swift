import AMQPClient
import Automation
import Engine
import Foundation
import JSONPath
import Logging
import PostgresStore
import SQLiteStore

/// Everything `signalbox serve` needs, read from `config/signalbox.yaml` and the environment.
struct SignalboxConfiguration {
    var amqp: AMQPConfiguration
    var broker: BrokerNames
    var prefetch: UInt16
    /// How long a manual or webhook run waits for an unreachable broker before its 503
    /// (`amqp.unreachableWaitMilliseconds`).
    var brokerUnreachableWait: Duration
    var databasePath: String
    var databaseDurability: SQLiteStoreConfiguration.Durability
    /// `database.url`: the PostgreSQL database that several replicas share, used instead of the
    /// SQLite file at ``databasePath``; nil (empty, the default): SQLite.
    var databaseURL: PostgresStoreConfiguration?
    var retention: RetentionPolicy
    var retentionInterval: Duration
    var httpHost: String
    var httpPort: Int
    /// Requests per second and burst of each API token (`http.tokenRequestsPerSecond`,
    /// `http.tokenBurst`); nil when the rate is 0 (unlimited).
    var tokenRateLimit: WebhookRateLimit?
    var logLevel: Logger.Level
    var logFormat: LogFormat
    var shutdownTimeout: Duration
    var missedRunGrace: TimeInterval
    var preparationLead: Duration
    /// The longest filter saved or tested (`filters.maxTextBytes`) and the work one evaluation may
    /// spend (`filters.workBudget`: nodes visited and comparisons).
    var filterTextBytes: Int
    var filterWorkBudget: Int
    /// Actions one tenant may have (`quotas.actionsPerTenant`).
    var actionsPerTenant: Int
    /// Where a bus event's tenant comes from (`events.*`).
    var tenancy: EventTenancy
    /// How the requests of `webhook` items are sent (`webhooks.*`).
    var httpRequests: HTTPRequestSender.Configuration
    /// The definitions directory `serve` applies at start and on SIGHUP (`definitions.directory`;
    /// empty: none), the tenant its actions belong to (`definitions.tenant`), and the namespace
    /// of its definitions that name none (`definitions.namespace`; seed 002 task lists name none).
    var definitionsDirectory: String?
    var definitionsTenant: TenantID
    var definitionsNamespace: NamespaceName?
    /// This process among the replicas (`replica.name`; default the host name): the `replica`
    /// label of every metric, and in the names of its PostgreSQL sessions.
    var replicaName: String

    enum LogFormat: String, CaseIterable { case logfmt, json }

    /// `events.tenantSource`.
    enum TenantSource: String, CaseIterable {
        case body
        case userId
    }

    static let keys: Set<String> = [
        "amqp.url", "amqp.connectionName", "amqp.heartbeatSeconds", "amqp.prefetch", "amqp.unreachableWaitMilliseconds", "amqp.eventsExchange",
        "amqp.eventsQueue", "amqp.eventsQueueType", "amqp.deliveryLimit", "amqp.commandsExchange", "amqp.commandsQueue",
        "amqp.deadLetterExchange", "amqp.deadLetterQueue", "amqp.notificationsExchange", "database.path", "database.url", "database.durability", "database.retention.keepLastPerAction",
        "database.retention.maxAgeDays", "database.retention.intervalMinutes", "http.host", "http.port", "http.tokenRequestsPerSecond", "http.tokenBurst", "log.level",
        "log.format", "shutdown.timeoutSeconds", "scheduler.missedRunGraceSeconds", "scheduler.preparationLeadMilliseconds",
        "filters.maxTextBytes", "filters.workBudget", "quotas.actionsPerTenant",
        "events.tenantSource",
        "events.defaultTenant",
        "webhooks.allowPrivateTargets", "webhooks.attempts", "webhooks.retryInitialMilliseconds", "webhooks.concurrency",
        "definitions.directory", "definitions.tenant", "definitions.namespace", "replica.name",
    ]

    /// Keys whose value is a mapping (broker user → tenant).
    static let mapKeys: Set<String> = ["events.tenants"]

    /// Loads and validates; every error names the key and the file position or variable.
    static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self {
        let source = try ConfigurationSource(file: file, knownKeys: keys, mapKeys: mapKeys, environment: environment)
        let reader = Reader(source: source)

        var amqp = try reader.value("amqp.url", default: AMQPConfiguration()) { text throws(ConfigurationError) in
            do throws(AMQPError) {
                return try AMQPConfiguration(url: text)
            } catch {
                throw ConfigurationError(source: "", key: "", message: error.reason)
            }
        }
        amqp.connectionName = try reader.value("amqp.connectionName", default: "signalbox") { $0 }
        amqp.heartbeatSeconds = try reader.integer("amqp.heartbeatSeconds", default: amqp.heartbeatSeconds, in: 0...600)
        let shutdownSeconds = try reader.integer("shutdown.timeoutSeconds", default: 3, in: 1...60)
        let queueType = try reader.choice("amqp.eventsQueueType", default: BrokerNames.QueueType.quorum)
        let broker = BrokerNames(
            eventsExchange: try reader.name("amqp.eventsExchange", default: "signalbox.events"),
            eventsQueue: try reader.name("amqp.eventsQueue", default: "signalbox.events"),
            eventsQueueType: queueType,
            deliveryLimit: try reader.integer("amqp.deliveryLimit", default: 10, in: 1...10_000),
            commandsExchange: try reader.name("amqp.commandsExchange", default: "signalbox.commands"),
            commandsQueue: try reader.value("amqp.commandsQueue", default: "signalbox.commands") { text throws(ConfigurationError) in
                // Empty: declare no commands queue (the processes' launcher binds its own).
                guard text.utf8.count <= 255 else {
                    throw ConfigurationError(source: "", key: "", message: "expected a queue name of at most 255 bytes, or empty for none")
                }
                return text.isEmpty ? nil : text
            },
            deadLetterExchange: try reader.name("amqp.deadLetterExchange", default: "signalbox.dead-letter"),
            deadLetterQueue: try reader.name("amqp.deadLetterQueue", default: "signalbox.dead-letter"),
            notificationsExchange: try reader.name("amqp.notificationsExchange", default: "signalbox.notifications"))
        let level = try reader.value("log.level", default: Logger.Level.info) { text throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError(source: "", key: "", message: "expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            return level
        }
        return SignalboxConfiguration(
            amqp: amqp, broker: broker,
            prefetch: UInt16(try reader.integer("amqp.prefetch", default: 1000, in: 1...65_535)),
            brokerUnreachableWait: .milliseconds(try reader.integer("amqp.unreachableWaitMilliseconds", default: 5_000, in: 0...60_000)),
            databasePath: try reader.value("database.path", default: "var/signalbox.sqlite") { $0 },
            databaseDurability: try reader.choice("database.durability", default: SQLiteStoreConfiguration.Durability.full),
            databaseURL: try reader.value("database.url", default: nil) { text throws(ConfigurationError) in
                guard !text.isEmpty else { return nil }
                do throws(PostgresStoreError) {
                    return try PostgresStoreConfiguration(url: text)
                } catch {
                    throw ConfigurationError(source: "", key: "", message: error.reason)
                }
            },
            retention: RetentionPolicy(
                keepLastPerAction: try reader.integer("database.retention.keepLastPerAction", default: 1000, in: 1...10_000_000),
                maximumAgeDays: try reader.integer("database.retention.maxAgeDays", default: 90, in: 1...36_500)),
            retentionInterval: .seconds(60 * (try reader.integer("database.retention.intervalMinutes", default: 60, in: 1...10_080))),
            httpHost: try reader.value("http.host", default: "127.0.0.1") { $0 },
            httpPort: try reader.integer("http.port", default: 8080, in: 1...65_535),
            tokenRateLimit: try tokenRate(reader),
            logLevel: level,
            logFormat: try reader.choice("log.format", default: LogFormat.logfmt),
            shutdownTimeout: .seconds(shutdownSeconds),
            missedRunGrace: TimeInterval(try reader.integer("scheduler.missedRunGraceSeconds", default: 60, in: 1...86_400)),
            preparationLead: .milliseconds(try reader.integer("scheduler.preparationLeadMilliseconds", default: 500, in: 0...5_000)),
            filterTextBytes: try reader.integer(
                "filters.maxTextBytes", default: AutomationValidator.defaultFilterTextBytes, in: 256...(1 << 20)),
            filterWorkBudget: try reader.integer("filters.workBudget", default: EvaluationBudget.defaultLimit, in: 1_000...100_000_000),
            actionsPerTenant: try reader.integer("quotas.actionsPerTenant", default: 10_000, in: 1...10_000_000),
            tenancy: try tenancy(reader),
            httpRequests: HTTPRequestSender.Configuration(
                targets: OutboundTargetPolicy(allowPrivateTargets: try reader.boolean("webhooks.allowPrivateTargets", default: false)),
                attempts: try reader.integer("webhooks.attempts", default: 3, in: 1...20),
                retryBackoff: StoreBackoff(
                    initial: .milliseconds(try reader.integer("webhooks.retryInitialMilliseconds", default: 1000, in: 1...600_000)),
                    maximum: .seconds(300)),
                concurrency: try reader.integer("webhooks.concurrency", default: 64, in: 1...4096)),
            definitionsDirectory: try reader.value("definitions.directory", default: nil) { $0.isEmpty ? nil : $0 },
            definitionsTenant: try reader.value("definitions.tenant", default: TenantID.default) { text throws(ConfigurationError) in
                try tenantID(text)
            },
            definitionsNamespace: try reader.value("definitions.namespace", default: nil) { text throws(ConfigurationError) in
                try text.isEmpty ? nil : namespace(text)
            },
            replicaName: try reader.value("replica.name", default: replicaName(ProcessInfo.processInfo.hostName)) {
                text throws(ConfigurationError) in
                if text.isEmpty { return replicaName(ProcessInfo.processInfo.hostName) }
                guard replicaName(text) == text else {
                    throw ConfigurationError(
                        source: "", key: "",
                        message: "a replica name is 1 to 64 of A–Z, a–z, 0–9, '.', '_', '-' (a metric label and a session name), got \(text.debugDescription)")
                }
                return text
            })
    }

    /// `name` cut to what a replica name may hold: up to 64 of A–Z, a–z, 0–9, `.`, `_`, `-`
    /// (others become `-`); `signalbox` when nothing is left.
    static func replicaName(_ name: String) -> String {
        let kept = String(String.UnicodeScalarView(name.unicodeScalars.prefix(64).map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar)) ? scalar : "-"
        }))
        return kept.isEmpty ? "signalbox" : kept
    }

    /// `events.tenantSource` with the keys it uses: `events.defaultTenant` for `body`,
    /// `events.tenants` (at least one broker user) for `userId`.
    private static func tenancy(_ reader: Reader) throws(ConfigurationError) -> EventTenancy {
        switch try reader.choice("events.tenantSource", default: TenantSource.body) {
        case .body:
            return .body(defaultTenant: try reader.value("events.defaultTenant", default: TenantID.default) { text throws(ConfigurationError) in
                try tenantID(text)
            })
        case .userId:
            let key = "events.tenants"
            guard let map = reader.source.maps[key], !map.entries.isEmpty else {
                let origin = reader.source.maps[key]?.origin ?? reader.source.values["events.tenantSource"]?.origin ?? reader.source.file
                throw ConfigurationError(
                    source: origin, key: key,
                    message: "events.tenantSource userId needs at least one broker user mapped to a tenant, e.g. alice: tenant-a")
            }
            var tenants: [String: TenantID] = [:]
            for entry in map.entries {
                guard tenants[entry.key] == nil else {
                    throw ConfigurationError(source: entry.origin, key: "\(key).\(entry.key)", message: "the broker user is mapped twice")
                }
                do {
                    tenants[entry.key] = try tenantID(entry.value)
                } catch {
                    throw ConfigurationError(source: entry.origin, key: "\(key).\(entry.key)", message: error.message)
                }
            }
            return .userID(tenants)
        }
    }

    private static func tokenRate(_ reader: Reader) throws(ConfigurationError) -> WebhookRateLimit? {
        let perSecond = try reader.integer("http.tokenRequestsPerSecond", default: 200, in: 0...1_000_000)
        let burst = try reader.integer("http.tokenBurst", default: 1000, in: 1...10_000_000)
        return perSecond == 0 ? nil : WebhookRateLimit(perSecond: Double(perSecond), burst: burst)
    }

    private static func namespace(_ text: String) throws(ConfigurationError) -> NamespaceName {
        do {
            try AutomationValidator.validateNamespace(NamespaceName(text))
        } catch {
            throw ConfigurationError(source: "", key: "", message: "'\(text.prefix(80))' is not a namespace: \(error.message)")
        }
        return NamespaceName(text)
    }

    private static func tenantID(_ text: String) throws(ConfigurationError) -> TenantID {
        do {
            try AutomationValidator.validateTenantID(TenantID(text), field: "tenant id")
        } catch {
            throw ConfigurationError(source: "", key: "", message: "'\(text.prefix(80))' is not a tenant id: \(error.message)")
        }
        return TenantID(text)
    }

    /// Typed access with errors that say where the bad value came from.
    private struct Reader {
        let source: ConfigurationSource

        func value<T>(_ key: String, default fallback: T, _ parse: (String) throws(ConfigurationError) -> T) throws(ConfigurationError) -> T {
            guard let value = source.values[key] else { return fallback }
            do {
                return try parse(value.text)
            } catch {
                throw ConfigurationError(source: value.origin, key: key, message: error.message)
            }
        }

        func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            try value(key, default: fallback) { text throws(ConfigurationError) in
                guard let number = Int(text), range.contains(number) else {
                    throw ConfigurationError(source: "", key: "", message: "expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
                }
                return number
            }
        }

        func boolean(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
            try value(key, default: fallback) { text throws(ConfigurationError) in
                switch text.lowercased() {
                case "true", "yes", "on", "1": return true
                case "false", "no", "off", "0": return false
                default: throw ConfigurationError(source: "", key: "", message: "expected true or false, got '\(text)'")
                }
            }
        }

        func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ConfigurationError) -> T
        where T.RawValue == String {
            try value(key, default: fallback) { text throws(ConfigurationError) in
                guard let choice = T(rawValue: text) else {
                    throw ConfigurationError(source: "", key: "", message: "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                return choice
            }
        }

        func name(_ key: String, default fallback: String) throws(ConfigurationError) -> String {
            try value(key, default: fallback) { text throws(ConfigurationError) in
                guard !text.isEmpty, text.utf8.count <= 255 else {
                    throw ConfigurationError(source: "", key: "", message: "expected a name of 1 to 255 bytes")
                }
                return text
            }
        }
    }
}
