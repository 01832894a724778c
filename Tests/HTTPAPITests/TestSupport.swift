import Automation
import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// A Signalbox API over an in-memory store, with a clock at 2026-01-05T10:00:00Z (the seed's
/// `dateCreated`) and tokens for two tenants.
struct TestAPI {
    /// 2026-01-05T10:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_767_607_200)

    let service: AutomationService
    let store: InMemoryAutomationStore
    let clock: ManualWallClock
    /// Keeps the commands runs would have published.
    let runner: InMemoryActionRunner
    let api: SignalboxAPI
    /// Tenant `acme`.
    let admin: String
    let member: String
    /// Tenant `globex`.
    let otherAdmin: String

    static func make() async throws -> TestAPI {
        let clock = ManualWallClock(start)
        let store = InMemoryAutomationStore()
        let runner = InMemoryActionRunner(store: store, clock: clock)
        let service = AutomationService(store: store, clock: clock, runner: runner)
        _ = try await service.createTenant("acme")
        _ = try await service.createTenant("globex")
        let admin = try await service.issueToken(tenant: "acme", role: .admin).secret
        let member = try await service.issueToken(tenant: "acme", role: .member).secret
        let otherAdmin = try await service.issueToken(tenant: "globex", role: .admin).secret
        var logger = Logger(label: "HTTPAPITests")
        logger.logLevel = .critical
        return TestAPI(
            service: service, store: store, clock: clock, runner: runner, api: SignalboxAPI(service: service, logger: logger),
            admin: admin, member: member, otherAdmin: otherAdmin)
    }

    /// Runs `body` against the router, without a network.
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "HTTPAPITests.app")
        logger.logLevel = .critical
        let app = Application(router: api.makeRouter(), logger: logger)
        return try await app.test(.router) { client in try await body(client) }
    }
}

/// A parsed JSON response body, navigable by member and index (`json["schedules"][0]["id"]`).
/// A missing member yields a JSON whose `exists` is false.
struct JSON: CustomStringConvertible, @unchecked Sendable {
    // @unchecked: `value` holds only immutable Foundation values produced by JSONSerialization.
    let value: Any?

    init(_ value: Any?) { self.value = value }

    init(data: Data) throws {
        value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    subscript(key: String) -> JSON { JSON((value as? [String: Any])?[key]) }
    subscript(index: Int) -> JSON {
        guard let array = value as? [Any], array.indices.contains(index) else { return JSON(nil) }
        return JSON(array[index])
    }

    var exists: Bool { value != nil }
    var isNull: Bool { value is NSNull }
    var string: String? { value as? String }
    var int: Int? { (value as? NSNumber).map(\.intValue) }
    var bool: Bool? { (value as? NSNumber).map(\.boolValue) }
    var double: Double? { (value as? NSNumber).map(\.doubleValue) }
    var array: [JSON]? { (value as? [Any]).map { $0.map(JSON.init) } }
    var object: [String: JSON]? { (value as? [String: Any]).map { $0.mapValues(JSON.init) } }
    var keys: Set<String> { Set((value as? [String: Any])?.keys.map { $0 } ?? []) }

    var description: String {
        guard let value, JSONSerialization.isValidJSONObject(value) || value is String || value is NSNumber || value is NSNull,
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        else { return "<missing>" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One response, its body parsed when it is JSON.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let json: JSON

    /// The `error` object of an error body.
    var error: JSON { json["error"] }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and a raw body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let json = (try? JSON(data: Data(text.utf8))) ?? JSON(nil)
        return Reply(status: response.status, headers: response.headers, text: text, json: json)
    }
}

/// The bodies of seed 000, verbatim.
enum Seed {
    static let createDailyReport = """
        {
            "name": "daily-report",
            "description": "Generates daily summary reports",
            "actions": [
                {
                    "name": "Generate Report",
                    "config": {
                        "$type": "app",
                        "version": {
                            "id": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
                            "version": 1
                        },
                        "inputs": [
                            { "name": "reportType", "value": "daily-summary" },
                            { "name": "format", "value": "pdf" },
                            { "name": "sendEmail", "value": "true" }
                        ]
                    }
                }
            ]
        }
        """

    static let dailySchedule = """
        {
            "name": "Daily 9am",
            "isEnabled": true,
            "minute": "0",
            "hour": "9",
            "dayOfMonth": "*",
            "month": "*",
            "dayOfWeek": "*"
        }
        """

    static let dataImportTrigger = """
        {
            "name": "On Data Import Complete",
            "isEnabled": true,
            "triggerType": "AppProcessUpdated",
            "eventFilter": "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"
        }
        """

    /// A minimal valid create body named `name`.
    static func action(_ name: String) -> String {
        """
        {"name": "\(name)", "actions": [{"name": "Run", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": []}}]}
        """
    }
}

extension TestClientProtocol {
    /// Creates an action in `namespace` and returns its id.
    func createAction(_ name: String, namespace: String = "production", token: String) async throws -> String {
        let reply = try await call(.post, "/namespaces/\(namespace)/automated-actions", token: token, body: Seed.action(name))
        try #require(reply.status == .created, "\(reply.text)")
        return try #require(reply.json["id"].string)
    }
}
