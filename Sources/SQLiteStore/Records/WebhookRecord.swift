import Automation
import Foundation
import GRDB

/// A row of `webhookTrigger`. `position` keeps the action's order of webhooks. The secrets are
/// in `webhookCredentials` (``WebhookCredentialsRecord``), which nothing but calls reads.
struct WebhookRecord: FetchableRecord, PersistableRecord, Hashable {
    static let databaseTableName = "webhookTrigger"

    var actionId: ActionID
    var position: Int
    var webhook: WebhookTrigger

    init(_ webhook: WebhookTrigger, actionId: ActionID, position: Int) {
        self.actionId = actionId
        self.position = position
        self.webhook = webhook
    }

    init(row: Row) throws {
        let table = Self.databaseTableName
        actionId = try row.identifier(ActionID.self, "actionId", table: table)
        position = try row.decode(forColumn: "position")
        webhook = WebhookTrigger(
            id: try row.identifier(WebhookID.self, "id", table: table),
            name: try row.decode(forColumn: "name"),
            isEnabled: try row.decode(forColumn: "isEnabled"),
            filter: try row.decode(forColumn: "filter"),
            allowSecretParameter: try row.decode(forColumn: "allowSecretParameter"),
            rateLimit: WebhookRateLimit(perSecond: try row.decode(forColumn: "ratePerSecond"), burst: try row.decode(forColumn: "rateBurst")),
            dateCreated: try row.date("dateCreated"))
        (webhook.delay, webhook.cancels) = try TimingColumn.read(try row.decode(forColumn: "timing"), table: table)
    }

    func encode(to container: inout PersistenceContainer) {
        container["actionId"] = actionId.description
        container["id"] = webhook.id.description
        container["position"] = position
        container["name"] = webhook.name
        container["isEnabled"] = webhook.isEnabled
        container["filter"] = webhook.filter
        container["allowSecretParameter"] = webhook.allowSecretParameter
        container["ratePerSecond"] = webhook.rateLimit.perSecond
        container["rateBurst"] = webhook.rateLimit.burst
        container["dateCreated"] = StoredDate.value(webhook.dateCreated)
        container["timing"] = TimingColumn.text(delay: webhook.delay, cancels: webhook.cancels)
    }
}

/// A row of `webhookCredentials`: a webhook's current secret and, after a rotation, the one
/// before it until it expires. Stored as issued (`whsec_…`): checking a signature needs the key.
struct WebhookCredentialsRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "webhookCredentials"

    var webhookId: WebhookID
    var credentials: WebhookCredentials

    init(_ credentials: WebhookCredentials, webhookId: WebhookID) {
        self.webhookId = webhookId
        self.credentials = credentials
    }

    init(row: Row) throws {
        webhookId = try row.identifier(WebhookID.self, "webhookId", table: Self.databaseTableName)
        credentials = try Self.credentials(row, table: Self.databaseTableName)
    }

    /// The credential columns (`secret`, `previousSecret`, `previousSecretExpiresAt`,
    /// `rotatedAt`), shared with ``ActionSigningCredentialsRecord``.
    static func credentials(_ row: Row, table: String) throws -> WebhookCredentials {
        WebhookCredentials(
            secret: try secret(row, "secret", table: table),
            previousSecret: try row.decode(String?.self, forColumn: "previousSecret") == nil
                ? nil : secret(row, "previousSecret", table: table),
            previousSecretExpiresAt: try row.optionalDate("previousSecretExpiresAt"),
            rotatedAt: try row.optionalDate("rotatedAt"))
    }

    private static func secret(_ row: Row, _ column: String, table: String) throws -> WebhookSecret {
        // Checked as text: a key that no longer decodes would make every call fail with 401.
        let text: String = try row.decode(forColumn: column)
        guard let secret = WebhookSecret(text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "not a whsec_ secret")
        }
        return secret
    }

    static func encode(_ credentials: WebhookCredentials, to container: inout PersistenceContainer) {
        container["secret"] = credentials.secret.text
        container["previousSecret"] = credentials.previousSecret?.text
        container["previousSecretExpiresAt"] = StoredDate.value(credentials.previousSecretExpiresAt)
        container["rotatedAt"] = StoredDate.value(credentials.rotatedAt)
    }

    func encode(to container: inout PersistenceContainer) {
        container["webhookId"] = webhookId.description
        Self.encode(credentials, to: &container)
    }
}

/// An action's signing credentials for the requests of its `webhook` items, in
/// `actionSigningCredentials`.
struct ActionSigningCredentialsRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "actionSigningCredentials"

    var actionId: ActionID
    var credentials: WebhookCredentials

    init(_ credentials: WebhookCredentials, actionId: ActionID) {
        self.actionId = actionId
        self.credentials = credentials
    }

    init(row: Row) throws {
        actionId = try row.identifier(ActionID.self, "actionId", table: Self.databaseTableName)
        credentials = try WebhookCredentialsRecord.credentials(row, table: Self.databaseTableName)
    }

    func encode(to container: inout PersistenceContainer) {
        container["actionId"] = actionId.description
        WebhookCredentialsRecord.encode(credentials, to: &container)
    }
}
