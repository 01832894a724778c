import Automation
import Foundation
import GRDB

// MARK: Webhooks

extension SQLiteAutomationStore {
    public func rotateWebhookSecret(
        to secret: WebhookSecret, webhookId: WebhookID, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials {
        try await writer.write { db in
            let owned = try Int.fetchOne(db, sql: """
                SELECT 1 FROM webhookTrigger w JOIN automatedAction a ON a.id = w.actionId
                WHERE w.id = ? AND w.actionId = ? AND a.tenantId = ?
                """, arguments: [webhookId.description, actionId.description, tenant.rawValue])
            guard owned != nil, let stored = try WebhookCredentialsRecord.fetchOne(db, key: webhookId.description) else {
                throw AutomationError.notFound("webhook \(webhookId) does not exist", field: "webhookId")
            }
            let rotated = stored.credentials.rotated(to: secret, at: date, grace: grace)
            try WebhookCredentialsRecord(rotated, webhookId: webhookId).update(db)
            return rotated
        }
    }

    public func webhookTarget(id: WebhookID) async throws -> WebhookTarget? {
        try await writer.read { db in
            guard
                let actionId = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT actionId FROM webhookTrigger WHERE id = ?"), arguments: [id.description]),
                let credentials = try WebhookCredentialsRecord.fetchOne(db, key: id.description),
                let record = try ActionRecord.fetchOne(db, key: actionId),
                let action = try ActionGraph.assemble(db, [record]).first,
                let webhook = action.webhook(id)
            else { return nil }
            return WebhookTarget(action: action, webhook: webhook, credentials: credentials.credentials)
        }
    }

    // MARK: Outbound HTTP requests

    public func signingCredentials(actionId: ActionID, tenant: TenantID?, creating: WebhookSecret, at date: Date) async throws -> WebhookCredentials {
        // Read first: every request's attempt asks, and the writer is the run path's.
        let existing = try await writer.read { db -> WebhookCredentials? in
            guard let stored = try ActionSigningCredentialsRecord.fetchOne(db, key: actionId.description) else { return nil }
            try Self.requireAction(db, actionId, tenant: tenant)
            return stored.credentials
        }
        if let existing { return existing }
        return try await writer.write { db in
            if let stored = try ActionSigningCredentialsRecord.fetchOne(db, key: actionId.description) {
                try Self.requireAction(db, actionId, tenant: tenant)
                return stored.credentials
            }
            try Self.requireAction(db, actionId, tenant: tenant)
            let created = WebhookCredentials(secret: creating)
            try ActionSigningCredentialsRecord(created, actionId: actionId).insert(db)
            return created
        }
    }

    public func rotateSigningSecret(
        to secret: WebhookSecret, actionId: ActionID, tenant: TenantID, at date: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials {
        try await writer.write { db in
            try Self.requireAction(db, actionId, tenant: tenant)
            let stored = try ActionSigningCredentialsRecord.fetchOne(db, key: actionId.description)
            let rotated = stored?.credentials.rotated(to: secret, at: date, grace: grace) ?? WebhookCredentials(secret: secret)
            try ActionSigningCredentialsRecord(rotated, actionId: actionId).save(db)
            return rotated
        }
    }

    public func pendingHTTPRequests() async throws -> [OutboundHTTPRequest] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT request FROM httpOutbox ORDER BY sequence").map(Self.decodeOutboxRequest)
        }
    }

    public func pendingHTTPRequest(processId: ProcessID) async throws -> OutboundHTTPRequest? {
        try await writer.read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT request FROM httpOutbox WHERE processId = ?"), arguments: [processId.description]
            ).map(Self.decodeOutboxRequest)
        }
    }

    private static func decodeOutboxRequest(_ text: String) throws -> OutboundHTTPRequest {
        do {
            return try JSONDecoder().decode(OutboundHTTPRequest.self, from: Data(text.utf8))
        } catch {
            throw SQLiteStoreError.corruptValue(table: "httpOutbox", column: "request", reason: "\(error)")
        }
    }

    /// `notFound` unless the action exists (of `tenant`, when given).
    static func requireAction(_ db: Database, _ actionId: ActionID, tenant: TenantID?) throws {
        let owner = try String.fetchOne(db, sql: "SELECT tenantId FROM automatedAction WHERE id = ?", arguments: [actionId.description])
        guard let owner, tenant.map({ $0.rawValue == owner }) ?? true else {
            throw AutomationError.notFound("action \(actionId) does not exist")
        }
    }
}
