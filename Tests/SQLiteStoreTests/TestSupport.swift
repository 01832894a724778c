import Automation
import Foundation
import PostgresStore
import PostgresTestSupport
import SQLiteStore
import Testing

/// The implementations of the port. Contract tests run once per kind: whatever holds for the
/// reference (in memory) must hold for SQLite on a real file and for PostgreSQL.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case sqliteFile
    case postgres

    /// Every kind that can run here: PostgreSQL only with the test server (scripts/test.sh), or
    /// under CI, where its cases then fail for want of it instead of passing unseen.
    static var allCases: [StoreKind] { TestDatabase.isAvailable ? [.inMemory, .sqliteFile, .postgres] : [.inMemory, .sqliteFile] }

    /// The kinds whose stores can share one database, as processes (replicas) do.
    static var sharedCases: [StoreKind] { allCases.filter { $0 != .inMemory } }

    var testDescription: String { rawValue }

    /// Runs `body` with two stores on one new database: two pools on one SQLite file, or two
    /// PostgreSQL stores with a pool each, as two processes (replicas) have.
    func withTwoStores(_ body: (any AutomationStore, any AutomationStore) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            let store = InMemoryAutomationStore()
            try await body(store, store)
        case .sqliteFile:
            try await withTwoStoresOnOneFile(body)
        case .postgres:
            try await withTwoReplicas(body)
        }
    }

    /// Runs `body` with a fresh store; for SQLite, a database file in a new temporary folder,
    /// closed and removed afterwards; for PostgreSQL, a new database, dropped afterwards.
    func withStore(_ body: (any AutomationStore) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            try await body(InMemoryAutomationStore())
        case .sqliteFile:
            try await withTemporaryDirectory { folder in
                let store = try SQLiteAutomationStore(path: folder.appendingPathComponent("db/signalbox.sqlite").path)
                defer { try? store.close() }
                try await body(store)
            }
        case .postgres:
            try await TestDatabase.withDatabase { configuration in
                try await TestDatabase.withClient(configuration) { client in
                    try await body(try await PostgresAutomationStore(client: client, logger: TestDatabase.logger))
                }
            }
        }
    }
}

/// A new folder under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("signalbox-store-tests-\(UUID().uuidString.lowercased())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// Runs `body` with two stores on one new database file (two pools, as two processes would
/// have), closed and removed afterwards.
func withTwoStoresOnOneFile(_ body: (SQLiteAutomationStore, SQLiteAutomationStore) async throws -> Void) async throws {
    try await withTemporaryDirectory { folder in
        let path = folder.appendingPathComponent("signalbox.sqlite").path
        let first = try SQLiteAutomationStore(path: path)
        let second = try SQLiteAutomationStore(path: path)
        defer {
            try? first.close()
            try? second.close()
        }
        try await body(first, second)
    }
}

/// Runs `body` and returns the ``AutomationError`` it throws; records an issue if it throws
/// nothing or something else.
func automationError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> some Any
) async -> AutomationError? {
    do {
        _ = try await body()
        Issue.record("expected an AutomationError", sourceLocation: sourceLocation)
    } catch let error as AutomationError {
        return error
    } catch {
        Issue.record("expected an AutomationError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Whole-second instants from a fixed origin (2026-01-05T10:00:00Z), as the domain uses.
func at(_ seconds: Int) -> Date {
    Date(timeIntervalSince1970: 1_767_607_200 + TimeInterval(seconds))
}

let acme: TenantID = "acme"
let globex: TenantID = "globex"
let production: NamespaceName = "production"

/// A JSON value from its text (test literals only).
func json(_ text: String) throws -> AnyJSON {
    try AutomationJSON.decoder().decode(AnyJSON.self, from: Data(text.utf8))
}

/// Items of every kind, with uninterpreted members, so the JSON column round-trip is exercised.
func everyKindOfItem() throws -> [ActionItem] {
    [
        ActionItem(
            name: "Generate Report",
            config: .app(
                AppConfig(
                    version: VersionReference(id: "a1b2c3d4-5678-90ab-cdef-1234567890ab", version: 1),
                    inputs: [NameValuePair(name: "format", value: "pdf")],
                    additionalFields: ["priority": try json("3"), "tags": try json(#"["a", true, {"k": null}]"#)]
                )
            )
        ),
        ActionItem(
            name: "Summarise",
            config: .interaction(
                InteractionConfig(
                    version: VersionReference(id: "b2c3", version: 2),
                    initialPrompt: "Summarise the report",
                    inputs: [NameValuePair(name: "tone", value: "short")]
                )
            )
        ),
        ActionItem(
            name: "Tell the session",
            config: .interactionMessage(
                InteractionMessageConfig(interactionProcessIdFromEvent: "$.item.id", message: "done", senderType: "System")
            )
        ),
        ActionItem(
            name: "Archive",
            config: .capsule(
                CapsuleConfig(
                    version: VersionReference(id: "c3d4", version: 7),
                    vfsMounts: [VFSMount(vfsId: "v1", vfsNamespaceId: "ns1", mountName: "/data")],
                    secretMounts: [SecretMount(secretName: "s3-key", mountName: "S3_KEY")]
                )
            )
        ),
    ]
}

func schedule(_ name: String, enabled: Bool = true, next: Date?) -> CronScheduleDefinition {
    CronScheduleDefinition(name: name, isEnabled: enabled, minute: "0", hour: "9", nextOccurrence: next, dateCreated: at(0))
}

func trigger(_ name: String, enabled: Bool = true, type: TriggerType = .appProcessUpdated) -> MessageTrigger {
    MessageTrigger(name: name, isEnabled: enabled, triggerType: type, eventFilter: "$.item.status == 'Finished'")
}

func makeAction(
    _ name: String,
    tenant: TenantID = acme,
    namespace: NamespaceName = production,
    status: ActionStatus = .active,
    items: [ActionItem] = [ActionItem(name: "Generate Report", config: .app(AppConfig(version: VersionReference(id: "a1", version: 1))))],
    schedules: [CronScheduleDefinition] = [],
    triggers: [MessageTrigger] = []
) -> AutomatedAction {
    AutomatedAction(
        tenantId: tenant,
        namespace: namespace,
        name: name,
        description: "about \(name)",
        status: status,
        actions: items,
        schedules: schedules,
        messageTriggers: triggers,
        dateCreated: at(0),
        dateUpdated: at(0)
    )
}

/// A `Pending` entry of `action`; the key is (`event`, `trigger`, `item`).
func entry(
    _ action: ActionID,
    event: String,
    trigger: ExecutionSourceID? = nil,
    item: Int = 0,
    started: Date,
    process: ProcessID = .random(),
    type: ExecutionTriggerType = .message
) -> ExecutionHistoryEntry {
    ExecutionHistoryEntry(
        triggerType: type,
        triggerId: trigger,
        actionId: action,
        processId: process,
        processType: .app,
        dateStarted: started,
        sourceEventId: event,
        itemIndex: item
    )
}

/// All pages of an action's history, following cursors.
func allHistory(_ store: any AutomationStore, _ action: ActionID, pageSize: Int) async throws -> (entries: [ExecutionHistoryEntry], pages: Int) {
    var entries: [ExecutionHistoryEntry] = []
    var cursor: String?
    var pages = 0
    repeat {
        let page = try await store.history(actionId: action, page: PageRequest(limit: pageSize, cursor: cursor))
        entries += page.items
        cursor = page.nextCursor
        pages += 1
    } while cursor != nil && pages < 1000
    return (entries, pages)
}

/// Runs `body` with two PostgreSQL stores on one new database, each with a pool of its own, as
/// two replicas have; the database is dropped afterwards.
func withTwoReplicas(_ body: (PostgresAutomationStore, PostgresAutomationStore) async throws -> Void) async throws {
    try await TestDatabase.withDatabase { configuration in
        try await TestDatabase.withClient(configuration) { first in
            try await TestDatabase.withClient(configuration) { second in
                let store = try await PostgresAutomationStore(client: first, logger: TestDatabase.logger)
                let other = try await PostgresAutomationStore(client: second, logger: TestDatabase.logger)
                try await body(store, other)
            }
        }
    }
}
