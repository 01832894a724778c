import JSONPath

/// Where the tenant of a bus event comes from (`events.tenantSource`): a pure value, so the rule
/// is tested without a broker and the pipeline only hands it a delivery's `user-id` and body.
///
/// - ``body(defaultTenant:)``: the body's `tenantId` string, or `defaultTenant` when the body has
///   none (a single-tenant installation). Any publisher may name any tenant.
/// - ``userID(_:)``: the AMQP `user-id` property mapped to a tenant. RabbitMQ refuses a publish
///   whose `user-id` is not the connection's user, so a publisher cannot claim someone else's
///   tenant. The body's `tenantId` is ignored (the pipeline logs a disagreement at debug level):
///   rejecting it would make every publisher repeat what the broker already proves. A delivery
///   without `user-id`, or from a user the map does not name, is poison; it never falls back to a
///   default tenant.
public enum EventTenancy: Hashable, Sendable {
    case body(defaultTenant: TenantID?)
    /// Broker user name → tenant.
    case userID([String: TenantID])

    /// The tenant of a delivery whose AMQP `user-id` is `userID` and whose body is `object`.
    public func tenant(userID: String?, body object: JSONObject) throws(EventError) -> TenantID {
        switch self {
        case .body(let defaultTenant):
            if let text = object["tenantId"]?.stringValue, !text.isEmpty { return TenantID(text) }
            if let defaultTenant { return defaultTenant }
            throw EventError(.missingTenant, "the body has no \"tenantId\" string and no default tenant is configured")
        case .userID(let tenants):
            guard let userID, !userID.isEmpty else {
                throw EventError(
                    .missingUserID, "the delivery has no user-id property, which events.tenantSource userId requires")
            }
            guard let tenant = tenants[userID] else {
                throw EventError(.unknownUser, "broker user \"\(userID.prefix(64))\" is not mapped to a tenant in events.tenants")
            }
            return tenant
        }
    }
}
