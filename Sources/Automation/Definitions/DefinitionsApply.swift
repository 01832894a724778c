import Foundation

/// Body of `POST /definitions/apply` (`signalbox apply`): the definitions, and how to apply them.
public struct ApplyDefinitionsRequest: Hashable, Sendable, Codable {
    public var automatedActions: [ActionDefinition]
    /// Plan only: answer what would change, write nothing.
    public var dryRun: Bool?
    /// Also delete the actions of the namespaces in scope (those the definitions name, and
    /// `namespace`) that the definitions do not mention. File-managed actions are never pruned
    /// this way.
    public var prune: Bool?
    /// The namespace of definitions that name none.
    public var namespace: NamespaceName?

    public init(automatedActions: [ActionDefinition], dryRun: Bool? = nil, prune: Bool? = nil, namespace: NamespaceName? = nil) {
        self.automatedActions = automatedActions
        self.dryRun = dryRun
        self.prune = prune
        self.namespace = namespace
    }
}

/// A set of definitions as a document: what `GET /definitions/export` answers and a definitions
/// file holds (`{"automatedActions": [...]}`).
public struct DefinitionsDocument: Hashable, Sendable, Codable {
    public var automatedActions: [ActionDefinition]

    public init(automatedActions: [ActionDefinition]) {
        self.automatedActions = automatedActions
    }
}

/// What an apply did (or, dry, would do): one change per action, in the definitions' order,
/// deletions last.
public struct DefinitionsPlan: Hashable, Sendable, Codable {
    public var dryRun: Bool
    public var changes: [DefinitionChange]
    /// The secrets of the webhooks this apply created, shown once (files hold no secrets).
    public var webhookSecrets: [CreatedWebhookSecret]

    public init(dryRun: Bool, changes: [DefinitionChange], webhookSecrets: [CreatedWebhookSecret] = []) {
        self.dryRun = dryRun
        self.changes = changes
        self.webhookSecrets = webhookSecrets
    }

    /// How many changes of `kind`.
    public func count(_ kind: DefinitionChange.Kind) -> Int {
        changes.filter { $0.change == kind }.count
    }

    /// Whether the apply changes anything.
    public var changesSomething: Bool {
        changes.contains { $0.change != .unchanged }
    }
}

/// The change to one action.
public struct DefinitionChange: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case create, update, unchanged, delete
    }

    public var change: Kind
    public var namespace: NamespaceName
    public var name: String
    /// The action's id: the stored one, or the one it is created with.
    public var actionId: ActionID
    /// For `update`: the members that differ (`description`, `actions`, `schedules`, …).
    public var fields: [String]

    public init(change: Kind, namespace: NamespaceName, name: String, actionId: ActionID, fields: [String] = []) {
        self.change = change
        self.namespace = namespace
        self.name = name
        self.actionId = actionId
        self.fields = fields
    }
}

/// A webhook created by an apply, with its secret.
public struct CreatedWebhookSecret: Hashable, Sendable, Codable {
    public var namespace: NamespaceName
    public var action: String
    public var webhook: String
    /// Where senders post: `/hooks/{id}`.
    public var url: String
    public var secret: String

    public init(namespace: NamespaceName, action: String, webhook: String, url: String, secret: String) {
        self.namespace = namespace
        self.action = action
        self.webhook = webhook
        self.url = url
        self.secret = secret
    }
}

/// What an apply writes, in ONE store transaction (``DefinitionStore/applyDefinitions(_:)``).
public struct DefinitionChanges: Hashable, Sendable {
    public var tenant: TenantID
    /// New actions, with their schedules, triggers and webhooks.
    public var created: [AutomatedAction]
    /// Whole aggregates replacing the stored ones (webhooks included); counters and
    /// `dateCreated` stay as stored.
    public var updated: [AutomatedAction]
    public var deleted: [ActionID]
    /// The credentials of the webhooks new in `created` and `updated`.
    public var webhookCredentials: [WebhookID: WebhookCredentials]
    /// The stored aggregates the plan was made from, of the actions it updates or deletes: the
    /// store refuses the apply when one changed since (``requireUnchangedSincePlanned(_:)``).
    public var planned: [ActionID: AutomatedAction]

    public init(
        tenant: TenantID, created: [AutomatedAction] = [], updated: [AutomatedAction] = [], deleted: [ActionID] = [],
        webhookCredentials: [WebhookID: WebhookCredentials] = [:], planned: [ActionID: AutomatedAction] = [:]
    ) {
        self.tenant = tenant
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.webhookCredentials = webhookCredentials
        self.planned = planned
    }

    /// The most actions the tenant may have after the apply (`quotas.actionsPerTenant`), checked
    /// in the store's transaction; nil: no limit.
    public var tenantLimit: Int?

    public var isEmpty: Bool { created.isEmpty && updated.isEmpty && deleted.isEmpty }
}

extension AutomationError {
    /// A tenant at its action quota; both stores and the service's early check say it alike.
    public static func actionQuota(_ limit: Int, has existing: Int) -> AutomationError {
        .limitExceeded("a tenant can have at most \(limit) actions (it has \(existing)); delete some first", field: "name")
    }
}
