import Foundation
import Testing

@testable import Automation

/// Parses an RFC 3339 instant written in a test; a typo fails the test that uses it.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Date {
    do {
        return try Date(text, strategy: .iso8601)
    } catch {
        Issue.record("bad instant in test: \(text)", sourceLocation: sourceLocation)
        return Date(timeIntervalSince1970: 0)
    }
}

/// The instant of seed 000's create response (`"dateCreated": "2026-01-05T10:00:00Z"`).
let seedNow = instant("2026-01-05T10:00:00Z")

let admin = Caller(tenantId: "acme", role: .admin)
let member = Caller(tenantId: "acme", role: .member)
let otherTenantAdmin = Caller(tenantId: "globex", role: .admin)

/// A service over a fresh in-memory store with a manual clock at ``seedNow``.
struct Fixture {
    let store = InMemoryAutomationStore()
    let clock = ManualWallClock(seedNow)
    var runner: InMemoryActionRunner { InMemoryActionRunner(store: store, clock: clock) }
    var service: AutomationService { AutomationService(store: store, clock: clock, runner: runner) }

    /// Creates seed 000's `daily-report` action in `production` as `caller`.
    @discardableResult
    func createDailyReport(as caller: Caller = admin, name: String = "daily-report") async throws -> AutomatedAction {
        var request = try decode(CreateActionRequest.self, from: SeedJSON.createAction)
        request.name = name
        return try await service.createAction(request, namespace: "production", as: caller).action
    }
}

func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
    try AutomationJSON.decoder().decode(type, from: Data(json.utf8))
}

func encodeObject(_ value: some Encodable) throws -> [String: Any] {
    let data = try AutomationJSON.encoder().encode(value)
    return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Runs `body` and returns the ``AutomationError`` it throws; records an issue if it does not throw.
func expectAutomationError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws(AutomationError) -> some Any
) async -> AutomationError? {
    do {
        _ = try await body()
        Issue.record("expected an AutomationError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Request and response bodies from seed 000, verbatim.
enum SeedJSON {
    static let createAction = """
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

    static let addSchedule = """
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

    static let addTrigger = """
        {
            "name": "On Data Import Complete",
            "isEnabled": true,
            "triggerType": "AppProcessUpdated",
            "eventFilter": "$.item.status == 'Finished' && $.item.appId == 'data-import-app-id'"
        }
        """

    static let interactionItem = """
        {
            "name": "Start Conversation",
            "config": {
                "$type": "interaction",
                "version": {
                    "id": "interaction-id-here",
                    "version": 1
                },
                "initialPrompt": "Analyze the latest data and provide a summary.",
                "inputs": [
                    { "name": "context", "value": "daily-analysis" }
                ]
            }
        }
        """

    static let interactionMessageItem = """
        {
            "name": "Send Follow-up",
            "config": {
                "$type": "interaction-message",
                "interactionProcessIdFromEvent": "$.item.id",
                "message": "Please provide the detailed breakdown.",
                "senderType": "System"
            }
        }
        """

    static let capsuleItem = """
        {
            "name": "Run Container",
            "config": {
                "$type": "capsule",
                "version": {
                    "id": "capsule-id-here",
                    "version": 1
                },
                "vfsMounts": [
                    {
                        "vfsId": "vfs-id",
                        "vfsNamespaceId": "namespace-id",
                        "mountName": "data"
                    }
                ],
                "secretMounts": [
                    {
                        "secretName": "api-credentials",
                        "mountName": "secrets"
                    }
                ]
            }
        }
        """

    /// The first history entry of seed 000's response. The seed's ids use letters beyond hex
    /// (`h1234567-…`, `p9876543-…`), which are not UUIDs; they are replaced by hex lookalikes.
    static let historyEntry = """
        {
            "id": "a1234567-89ab-cdef-0123-456789abcdef",
            "triggerType": "Schedule",
            "triggerId": "51234567-89ab-cdef-0123-456789abcdef",
            "actionId": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
            "processId": "b9876543-21fe-dcba-0987-654321fedcba",
            "processType": "App",
            "dateStarted": "2026-01-05T09:00:00Z",
            "dateCompleted": "2026-01-05T09:02:15Z",
            "outcome": "Success",
            "errorMessage": null
        }
        """
}
