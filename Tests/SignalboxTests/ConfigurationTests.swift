import Automation
import Foundation
import Testing
@testable import signalbox

@Suite struct ConfigurationTests {
    private var shippedConfig: String { SignalboxProcess.repositoryRoot.appendingPathComponent("config/signalbox.yaml").path }

    private func temporaryConfig(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func shippedFileLoads() throws {
        let configuration = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(configuration.broker.eventsExchange == "signalbox.events")
        #expect(configuration.broker.eventsQueueType == .quorum)
        #expect(configuration.prefetch == 1000)
        #expect(configuration.amqp.host == "127.0.0.1")
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try SignalboxConfiguration.load(file: shippedConfig, environment: [
            "SIGNALBOX_AMQP_URL": "amqp://u:p@broker:5673/prod", "SIGNALBOX_AMQP_PREFETCH": "7",
            "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE": "classic", "SIGNALBOX_LOG_LEVEL": "debug",
        ])
        #expect(configuration.amqp.host == "broker" && configuration.amqp.port == 5673)
        #expect(configuration.amqp.virtualHost == "prod")
        #expect(configuration.amqp.connectionName == "signalbox", "keys the URL does not set still come from the file")
        #expect(configuration.prefetch == 7)
        #expect(configuration.broker.eventsQueueType == .classic)
        #expect(configuration.logLevel == .debug)
    }

    @Test func commandsQueueAndDurabilityHaveSafeDefaultsAndCanBeChanged() throws {
        let shipped = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(shipped.broker.commandsQueue == "signalbox.commands")
        #expect(shipped.databaseDurability == .full)
        let changed = try SignalboxConfiguration.load(file: shippedConfig, environment: [
            "SIGNALBOX_AMQP_COMMANDS_QUEUE": "", "SIGNALBOX_DATABASE_DURABILITY": "normal",
        ])
        #expect(changed.broker.commandsQueue == nil, "empty declares none")
        #expect(changed.databaseDurability == .normal)
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_DATABASE_DURABILITY": "off"])
        }
        #expect(error?.key == "database.durability" && error?.message.contains("full, normal") == true)
    }

    @Test func filterLimitsAndTheDefinitionsNamespaceAreReadAndChecked() throws {
        let shipped = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(shipped.filterTextBytes == 8192 && shipped.filterWorkBudget == 100_000 && shipped.definitionsNamespace == nil)
        let changed = try SignalboxConfiguration.load(file: shippedConfig, environment: [
            "SIGNALBOX_FILTERS_MAX_TEXT_BYTES": "1024", "SIGNALBOX_FILTERS_WORK_BUDGET": "5000", "SIGNALBOX_DEFINITIONS_NAMESPACE": "ops",
        ])
        #expect(changed.filterTextBytes == 1024 && changed.filterWorkBudget == 5000 && changed.definitionsNamespace == "ops")
        let budget = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_FILTERS_WORK_BUDGET": "10"])
        }
        #expect(budget?.key == "filters.workBudget")
        let namespace = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_DEFINITIONS_NAMESPACE": "no spaces allowed"])
        }
        #expect(namespace?.key == "definitions.namespace" && namespace?.message.contains("not a namespace") == true, "\(String(describing: namespace))")
    }

    @Test func theReplicaNameDefaultsToTheHostNameAndIsChecked() throws {
        let shipped = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(shipped.replicaName == SignalboxConfiguration.replicaName(ProcessInfo.processInfo.hostName) && !shipped.replicaName.isEmpty)
        let named = try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_REPLICA_NAME": "eu-1.replica_b"])
        #expect(named.replicaName == "eu-1.replica_b")
        let bad = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_REPLICA_NAME": #"a"b"#])
        }
        #expect(bad?.key == "replica.name" && bad?.message.contains("1 to 64") == true, "\(String(describing: bad))")
        #expect(SignalboxConfiguration.replicaName("höst name") == "h-st-name")
        #expect(SignalboxConfiguration.replicaName(String(repeating: "x", count: 100)).count == 64)
    }

    @Test func badEnvironmentValueNamesTheVariableAndKey() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_AMQP_PREFETCH": "lots"])
        }
        #expect(error?.source == "environment variable SIGNALBOX_AMQP_PREFETCH")
        #expect(error?.key == "amqp.prefetch")
        #expect(error?.message.contains("'lots'") == true)
    }

    @Test func unknownKeyNamesFileLineAndColumn() throws {
        let path = try temporaryConfig("amqp:\n  url: amqp://127.0.0.1\n  prefetc: 10\n")
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: path, environment: [:])
        }
        #expect(error?.source == "\(path):3:3")
        #expect(error?.key == "amqp.prefetc")
    }

    @Test func badValueInTheFileNamesItsPosition() throws {
        let path = try temporaryConfig("amqp:\n  url: http://127.0.0.1\nlog:\n  level: loud\n")
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: path, environment: [:])
        }
        #expect(error?.source == "\(path):2:8")
        #expect(error?.key == "amqp.url")
        #expect(error?.message.contains("scheme") == true)
    }

    @Test func environmentVariableNames() {
        #expect(ConfigurationSource.environmentVariable(for: "amqp.eventsQueueType") == "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE")
        #expect(ConfigurationSource.environmentVariable(for: "database.path") == "SIGNALBOX_DATABASE_PATH")
    }

    // MARK: Event tenancy

    @Test func eventTenantsComeFromTheBodyWithTheDefaultTenantUnlessConfigured() throws {
        let shipped = try SignalboxConfiguration.load(file: shippedConfig, environment: [:])
        #expect(shipped.tenancy == .body(defaultTenant: "default"))
        let renamed = try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_EVENTS_DEFAULT_TENANT": "acme"])
        #expect(renamed.tenancy == .body(defaultTenant: "acme"))
    }

    @Test func userIdTenancyReadsTheBrokerUsersFromTheFile() throws {
        let path = try temporaryConfig("""
            events:
              tenantSource: userId
              defaultTenant: ignored-here
              tenants:
                signalbox-tenant-a: tenant-a
                "billing@example": tenant-b
            """)
        let configuration = try SignalboxConfiguration.load(file: path, environment: [:])
        #expect(configuration.tenancy == .userID(["signalbox-tenant-a": "tenant-a", "billing@example": "tenant-b"]))
    }

    @Test func userIdTenancyFromTheEnvironmentReplacesTheFilesMap() throws {
        let path = try temporaryConfig("events:\n  tenants:\n    carol: tenant-c\n")
        let configuration = try SignalboxConfiguration.load(file: path, environment: [
            "SIGNALBOX_EVENTS_TENANT_SOURCE": "userId", "SIGNALBOX_EVENTS_TENANTS": " alice=tenant-a , bob = tenant-b",
        ])
        #expect(configuration.tenancy == .userID(["alice": "tenant-a", "bob": "tenant-b"]))
    }

    @Test func badTenancyValuesNameTheKeyAndWhere() throws {
        let path = try temporaryConfig("events:\n  tenantSource: header\n")
        let source = #expect(throws: ConfigurationError.self) { try SignalboxConfiguration.load(file: path, environment: [:]) }
        #expect(source?.source == "\(path):2:17" && source?.key == "events.tenantSource")
        #expect(source?.message.contains("body, userId") == true)

        let noUsers = try temporaryConfig("events:\n  tenantSource: userId\n")
        let empty = #expect(throws: ConfigurationError.self) { try SignalboxConfiguration.load(file: noUsers, environment: [:]) }
        #expect(empty?.key == "events.tenants" && empty?.source == "\(noUsers):2:17", "blames the tenantSource line")
        #expect(empty?.message.contains("at least one broker user") == true)

        let badTenant = try temporaryConfig("events:\n  tenantSource: userId\n  tenants:\n    alice: tenant-a\n    bob: \"no spaces\"\n")
        let invalid = #expect(throws: ConfigurationError.self) { try SignalboxConfiguration.load(file: badTenant, environment: [:]) }
        #expect(invalid?.source == "\(badTenant):5:10" && invalid?.key == "events.tenants.bob")
        #expect(invalid?.message.contains("'no spaces' is not a tenant id") == true)

        let listed = try temporaryConfig("events:\n  tenants:\n    - alice\n")
        let list = #expect(throws: ConfigurationError.self) { try SignalboxConfiguration.load(file: listed, environment: [:]) }
        #expect(list?.source == "\(listed):3:5" && list?.key == "events.tenants")

        let malformed = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: [
                "SIGNALBOX_EVENTS_TENANT_SOURCE": "userId", "SIGNALBOX_EVENTS_TENANTS": "alice=tenant-a,bob",
            ])
        }
        #expect(malformed?.source == "environment variable SIGNALBOX_EVENTS_TENANTS" && malformed?.key == "events.tenants")
        #expect(malformed?.message.contains("entry 2 is 'bob'") == true)

        let twice = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: [
                "SIGNALBOX_EVENTS_TENANT_SOURCE": "userId", "SIGNALBOX_EVENTS_TENANTS": "alice=tenant-a,alice=tenant-b",
            ])
        }
        #expect(twice?.key == "events.tenants.alice" && twice?.message.contains("twice") == true)

        let badDefault = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: shippedConfig, environment: ["SIGNALBOX_EVENTS_DEFAULT_TENANT": "a/b"])
        }
        #expect(badDefault?.source == "environment variable SIGNALBOX_EVENTS_DEFAULT_TENANT" && badDefault?.key == "events.defaultTenant")
    }

    @Test func missingFileIsAClearError() {
        let error = #expect(throws: ConfigurationError.self) {
            try SignalboxConfiguration.load(file: "/nonexistent/signalbox.yaml", environment: [:])
        }
        #expect(error?.source == "/nonexistent/signalbox.yaml")
    }
}
