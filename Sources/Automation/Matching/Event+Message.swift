import JSONPath

extension Event {
    /// Reads a delivery from the events queue (DESIGN "Contracts": a JSON object with `type`,
    /// `id`, `tenantId`, `namespace`, `item`).
    ///
    /// - The trigger type is the routing key, or the body's `type` when the routing key is not a
    ///   ``TriggerType`` (a queue bound with a wildcard may carry other keys).
    /// - The id is the AMQP message-id, or the body's `id` when the publisher set none.
    /// - The tenant is what `tenancy` says: the body's `tenantId` (or a default tenant), or the
    ///   tenant of the broker user in `userId` (the AMQP `user-id` property).
    ///
    /// Parsing the bytes (size, depth, UTF-8) happens before, in `JSONParser`; this only checks
    /// the shape.
    public init(
        messageId: String?,
        userId: String? = nil,
        routingKey: String,
        body: JSONValue,
        tenancy: EventTenancy = .body(defaultTenant: nil)
    ) throws(EventError) {
        guard case .object(let object) = body else {
            throw EventError(.notAnObject, "the event body is a JSON \(body.typeName), not an object")
        }
        guard
            let type = TriggerType(rawValue: routingKey)
                ?? object["type"]?.stringValue.flatMap(TriggerType.init(rawValue:))
        else {
            let known = TriggerType.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventError(
                .unknownTriggerType,
                "routing key \"\(routingKey.prefix(64))\" and the body's type are not trigger types (\(known))"
            )
        }
        let id: String
        if let messageId, !messageId.isEmpty {
            id = messageId
        } else if let bodyId = object["id"]?.stringValue, !bodyId.isEmpty {
            id = bodyId
        } else {
            throw EventError(.missingID, "the delivery has no message-id and the body no \"id\" string")
        }
        let tenant = try tenancy.tenant(userID: userId, body: object)
        self.init(
            id: id,
            tenantId: tenant,
            namespace: object["namespace"]?.stringValue.map(NamespaceName.init(rawValue:)),
            triggerType: type,
            source: .message(routingKey: routingKey),
            body: body
        )
    }
}
