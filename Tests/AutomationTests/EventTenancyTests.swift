import Automation
import JSONPath
import Testing

/// Where a bus event's tenant comes from: the body, or the broker-verified AMQP user-id.
@Suite("Event tenancy")
struct EventTenancyTests {
    static let tenants: [String: TenantID] = ["signalbox-tenant-a": "tenant-a", "signalbox-tenant-b": "tenant-b"]

    static func event(
        _ body: String, userId: String?, tenancy: EventTenancy, routingKey: String = "AppProcessUpdated"
    ) throws -> Event {
        try Event(messageId: "m-1", userId: userId, routingKey: routingKey, body: try JSONParser.parse(body), tenancy: tenancy)
    }

    static func code(
        _ body: String, userId: String?, tenancy: EventTenancy, routingKey: String = "AppProcessUpdated"
    ) throws -> EventError.Code? {
        do {
            _ = try event(body, userId: userId, tenancy: tenancy, routingKey: routingKey)
            return nil
        } catch let error as EventError {
            return error.code
        }
    }

    @Test func bodyTenancyTakesTheBodysTenantThenTheDefault() throws {
        let tenancy = EventTenancy.body(defaultTenant: "fallback")
        #expect(try Self.event(#"{"tenantId": "acme", "item": {}}"#, userId: "signalbox-tenant-b", tenancy: tenancy).tenantId == "acme",
                "the user-id plays no part")
        #expect(try Self.event(#"{"item": {}}"#, userId: nil, tenancy: tenancy).tenantId == "fallback")
        #expect(try Self.event(#"{"tenantId": "", "item": {}}"#, userId: nil, tenancy: tenancy).tenantId == "fallback")
        #expect(try Self.code(#"{"item": {}}"#, userId: nil, tenancy: .body(defaultTenant: nil)) == .missingTenant)
    }

    @Test func userIDTenancyTakesTheMappedUsersTenantAndIgnoresTheBody() throws {
        let tenancy = EventTenancy.userID(Self.tenants)
        let claimed = try Self.event(#"{"tenantId": "tenant-b", "item": {}}"#, userId: "signalbox-tenant-a", tenancy: tenancy)
        #expect(claimed.tenantId == "tenant-a", "the body cannot claim another tenant")
        #expect(try Self.event(#"{"item": {}}"#, userId: "signalbox-tenant-b", tenancy: tenancy).tenantId == "tenant-b")
    }

    @Test func userIDTenancyRefusesDeliveriesWithoutAKnownUserAndNeverFallsBack() throws {
        let tenancy = EventTenancy.userID(Self.tenants)
        // Even a body naming a tenant, even the one the default would be: no user, no tenant.
        #expect(try Self.code(#"{"tenantId": "tenant-a", "item": {}}"#, userId: nil, tenancy: tenancy) == .missingUserID)
        #expect(try Self.code(#"{"tenantId": "default", "item": {}}"#, userId: "", tenancy: tenancy) == .missingUserID)
        #expect(try Self.code(#"{"tenantId": "tenant-a", "item": {}}"#, userId: "guest", tenancy: tenancy) == .unknownUser)
        #expect(try Self.code(#"{"item": {}}"#, userId: "SIGNALBOX-TENANT-A", tenancy: tenancy) == .unknownUser,
                "broker user names are case-sensitive")
        #expect(try Self.code(#"{"item": {}}"#, userId: "x", tenancy: .userID([:])) == .unknownUser)
    }

    @Test func rejectionsSayWhyAndNameTheUserButNotTheBody() throws {
        let tenancy = EventTenancy.userID(Self.tenants)
        do {
            _ = try Self.event(#"{"secret": "s3cr3t", "item": {}}"#, userId: "mallory", tenancy: tenancy)
            Issue.record("an unknown user must be refused")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("unknownUser: "))
            #expect(text.contains("\"mallory\"") && text.contains("events.tenants"))
            #expect(!text.contains("s3cr3t"))
        }
        do {
            _ = try Self.event(#"{"item": {}}"#, userId: nil, tenancy: tenancy)
            Issue.record("a delivery without user-id must be refused")
        } catch {
            #expect("\(error)".hasPrefix("missingUserID: ") && "\(error)".contains("user-id"))
        }
    }

    @Test func shapeErrorsComeBeforeTenancy() throws {
        let tenancy = EventTenancy.userID(Self.tenants)
        #expect(try Self.code("[1]", userId: nil, tenancy: tenancy) == .notAnObject)
        #expect(try Self.code(#"{"item": {}}"#, userId: nil, tenancy: tenancy, routingKey: "Other") == .unknownTriggerType)
    }
}
