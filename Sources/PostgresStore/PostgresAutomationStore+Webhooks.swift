import Automation
import Foundation
import PostgresNIO

// MARK: Webhooks

extension PostgresAutomationStore {
    public func rotateWebhookSecret(
        to secret: WebhookSecret, webhookId: WebhookID, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials {
        try await transaction { [self] connection in
            // The credentials row locked: two rotations at once each rotate from the other's result.
            let stored = try await connection.query(
                """
                SELECT \(unescaped: StoredCredentials.columns) FROM webhook_credentials c
                    JOIN webhook_trigger w ON w.id = c.webhook_id JOIN automated_action a ON a.id = w.action_id
                WHERE c.webhook_id = \(webhookId.rawValue) AND w.action_id = \(actionId.rawValue) AND a.tenant_id = \(tenant.rawValue)
                FOR UPDATE OF c
                """, logger: logger
            ).first(table: "webhook_credentials", StoredCredentials.read)
            guard let stored else { throw AutomationError.notFound("webhook \(webhookId) does not exist", field: "webhookId") }
            let rotated = stored.rotated(to: secret, at: date, grace: grace)
            try await connection.query(
                StoredCredentials.upsert(rotated, table: "webhook_credentials", keyColumn: "webhook_id", owner: webhookId.rawValue),
                logger: logger)
            return rotated
        }
    }

    public func webhookTarget(id: WebhookID) async throws -> WebhookTarget? {
        try await read { [self] connection in
            let actionId = try await connection.query("SELECT action_id FROM webhook_trigger WHERE id = \(id.rawValue)", logger: logger)
                .first(table: WebhookRow.table) { try $0.id("action_id", as: ActionID.self) }
            guard let actionId,
                let credentials = try await connection.query(
                    "SELECT \(unescaped: StoredCredentials.columns) FROM webhook_credentials WHERE webhook_id = \(id.rawValue)", logger: logger
                ).first(table: "webhook_credentials", StoredCredentials.read),
                let action = try await graph(connection).fetch(actionId, tenant: nil),
                let webhook = action.webhook(id)
            else { return nil }
            return WebhookTarget(action: action, webhook: webhook, credentials: credentials)
        }
    }

    // MARK: Outbound HTTP requests

    public func signingCredentials(actionId: ActionID, tenant: TenantID?, creating: WebhookSecret, at date: Date) async throws -> WebhookCredentials {
        // Read first: every request's attempt asks, and only an action's first one stores.
        let existing = try await read { [self] connection -> WebhookCredentials? in
            guard let stored = try await Self.signingCredentials(actionId, on: connection, logger: logger) else { return nil }
            try await Self.requireAction(actionId, tenant: tenant, on: connection, logger: logger)
            return stored
        }
        if let existing { return existing }
        return try await transaction { [self] connection in
            try await Self.requireAction(actionId, tenant: tenant, on: connection, logger: logger)
            // The first of concurrent callers stores its secret; every one returns the stored one.
            try await connection.query(
                """
                INSERT INTO action_signing_credentials (action_id, secret) VALUES (\(actionId.rawValue), \(creating.text))
                ON CONFLICT (action_id) DO NOTHING
                """, logger: logger)
            return try await Self.signingCredentials(actionId, on: connection, logger: logger) ?? WebhookCredentials(secret: creating)
        }
    }

    public func rotateSigningSecret(
        to secret: WebhookSecret, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials {
        try await transaction { [self] connection in
            // The action locked: two rotations at once each rotate from the other's result.
            let owners = try await Self.lockActions([actionId], on: connection, logger: logger)
            guard owners[actionId] == tenant else { throw AutomationError.notFound("action \(actionId) does not exist") }
            let stored = try await Self.signingCredentials(actionId, on: connection, logger: logger)
            let rotated = stored?.rotated(to: secret, at: date, grace: grace) ?? WebhookCredentials(secret: secret)
            try await connection.query(
                StoredCredentials.upsert(rotated, table: "action_signing_credentials", keyColumn: "action_id", owner: actionId.rawValue),
                logger: logger)
            return rotated
        }
    }

    private static func signingCredentials(_ actionId: ActionID, on connection: PostgresConnection, logger: Logger) async throws -> WebhookCredentials? {
        try await connection.query(
            "SELECT \(unescaped: StoredCredentials.columns) FROM action_signing_credentials WHERE action_id = \(actionId.rawValue)",
            logger: logger
        ).first(table: "action_signing_credentials", StoredCredentials.read)
    }

    public func pendingHTTPRequests() async throws -> [OutboundHTTPRequest] {
        try await read { [self] connection in
            try await connection.strings("SELECT request FROM http_outbox ORDER BY sequence", logger: logger).map(Self.decodeOutboxRequest)
        }
    }

    public func pendingHTTPRequest(processId: ProcessID) async throws -> OutboundHTTPRequest? {
        try await read { [self] connection in
            try await connection.strings("SELECT request FROM http_outbox WHERE process_id = \(processId.rawValue)", logger: logger)
                .first.map(Self.decodeOutboxRequest)
        }
    }

    /// Outbox requests are stored as plain `JSONEncoder` text (sorted keys): the sender's own coding.
    private static func decodeOutboxRequest(_ text: String) throws -> OutboundHTTPRequest {
        do {
            return try JSONDecoder().decode(OutboundHTTPRequest.self, from: Data(text.utf8))
        } catch {
            throw PostgresStoreError.corruptValue(table: "http_outbox", column: "request", reason: "JSON does not decode")
        }
    }

    /// `notFound` unless the action exists (of `tenant`, when given).
    static func requireAction(_ actionId: ActionID, tenant: TenantID?, on connection: PostgresConnection, logger: Logger) async throws {
        let owner = try await connection.strings("SELECT tenant_id FROM automated_action WHERE id = \(actionId.rawValue)", logger: logger).first
        guard let owner, tenant.map({ $0.rawValue == owner }) ?? true else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
    }
}
