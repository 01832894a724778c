import Foundation

/// Decides, definition by definition, what an apply changes: validates each definition as the
/// create and add calls do, builds the action it describes on top of the stored one (same ids
/// for the action and for children of the same name), and compares both in their exported,
/// defaults-written form. A plain value, no I/O; ``AutomationService/applyDefinitions(_:from:as:)``
/// writes what it collected.
struct DefinitionPlanner {
    let source: AutomationService.DefinitionSource
    let tenant: TenantID
    let now: Date
    let limits: AutomationService.Limits
    /// What the store writes.
    private(set) var changes: DefinitionChanges
    /// What the plan shows.
    private(set) var plan: [DefinitionChange] = []
    private(set) var webhookSecrets: [CreatedWebhookSecret] = []

    init(source: AutomationService.DefinitionSource, tenant: TenantID, now: Date, limits: AutomationService.Limits) {
        self.source = source
        self.tenant = tenant
        self.now = now
        self.limits = limits
        changes = DefinitionChanges(tenant: tenant)
    }

    /// Plans one definition; errors name fields relative to it.
    mutating func plan(_ definition: ActionDefinition, namespace: NamespaceName, stored: AutomatedAction?) throws(AutomationError) {
        try validate(definition)
        let managedBy: ActionManager? = source == .directory ? .file : nil
        let definedIn = source == .directory ? definition.definedIn : nil
        if let stored {
            let fields = changedFields(definition, stored: stored, managedBy: managedBy, definedIn: definedIn)
            guard !fields.isEmpty else {
                plan.append(DefinitionChange(change: .unchanged, namespace: namespace, name: definition.name, actionId: stored.id))
                return
            }
            if source == .api && stored.managedBy == .file {
                throw AutomationError(
                    .conflict,
                    "action \"\(stored.name.prefix(200))\" is defined in \(stored.definedIn ?? "a definitions file") (managedBy: file): "
                        + "change that file in the serve definitions directory, not through apply",
                    field: "name")
            }
            // The lifecycle rules of the API: an archived action is read-only, and a status
            // changes only along the allowed transitions.
            try stored.requireEditable()
            if let status = definition.status { try stored.requireTransition(to: status) }
            var action = try build(definition, on: stored)
            action.managedBy = managedBy
            action.definedIn = definedIn
            action.dateUpdated = now
            changes.updated.append(action)
            changes.planned[stored.id] = stored
            plan.append(DefinitionChange(change: .update, namespace: namespace, name: definition.name, actionId: stored.id, fields: fields))
        } else {
            if definition.status == .archived {
                throw .invalidValue("an action is created draft, active or paused; archive it once it has served", field: "status")
            }
            let fresh = AutomatedAction(
                tenantId: tenant, namespace: namespace, name: definition.name, actions: definition.actions,
                dateCreated: now, dateUpdated: now, managedBy: managedBy, definedIn: definedIn)
            let action = try build(definition, on: fresh)
            changes.created.append(action)
            plan.append(DefinitionChange(change: .create, namespace: namespace, name: definition.name, actionId: action.id))
        }
    }

    /// Plans the deletion of a stored action.
    mutating func delete(_ action: AutomatedAction) {
        changes.deleted.append(action.id)
        changes.planned[action.id] = action
        plan.append(DefinitionChange(change: .delete, namespace: action.namespace, name: action.name, actionId: action.id))
    }

    // MARK: Validation and building

    /// The rules of create: name, description, items, policies, limits.
    private func validate(_ definition: ActionDefinition) throws(AutomationError) {
        try AutomationValidator.validateName(definition.name, field: "name")
        try AutomationValidator.validateDescription(definition.description)
        try AutomationValidator.validateItems(definition.actions)
        try AutomationValidator.validatePreviousValues(definition.actions, execution: definition.execution ?? .parallel)
        if definition.actions.count > limits.itemsPerAction {
            throw .limitExceeded("an action can have at most \(limits.itemsPerAction) items", field: "actions")
        }
        try AutomationValidator.validatePolicies(definition.policies)
        try checkLimit(definition.schedules, limits.schedulesPerAction, "schedules")
        try checkLimit(definition.messageTriggers, limits.triggersPerAction, "messageTriggers")
        try checkLimit(definition.webhooks, limits.webhooksPerAction, "webhooks")
        try checkUniqueNames(definition.schedules?.map(\.name), "schedules")
        try checkUniqueNames(definition.messageTriggers?.map(\.name), "messageTriggers")
        try checkUniqueNames(definition.webhooks?.map(\.name), "webhooks")
    }

    private func checkLimit<T>(_ children: [T]?, _ limit: Int, _ field: String) throws(AutomationError) {
        guard let children, children.count > limit else { return }
        throw .limitExceeded("an action can have at most \(limit) \(field)", field: field)
    }

    /// Children are matched by name, so two of one name would be ambiguous.
    private func checkUniqueNames(_ names: [String]?, _ field: String) throws(AutomationError) {
        var seen = Set<String>()
        for (index, name) in (names ?? []).enumerated() where !seen.insert(name).inserted {
            throw .invalidValue("\(field)[\(index)].name: \"\(name.prefix(200))\" is used twice in \(field)", field: "\(field)[\(index)].name")
        }
    }

    /// `base` (stored, or new) changed to what `definition` says. A child whose definition equals
    /// the stored one of its name is kept as stored (its state too: next occurrence, fired
    /// instant); a changed one keeps its id.
    private mutating func build(_ definition: ActionDefinition, on base: AutomatedAction) throws(AutomationError) -> AutomatedAction {
        var action = base
        action.description = definition.description
        action.actions = definition.actions
        action.policies = definition.policies
        action.execution = definition.execution ?? .parallel

        var schedules: [CronScheduleDefinition] = []
        for (index, request) in (definition.schedules ?? []).enumerated() {
            let existing = base.schedules.first { $0.name == request.name }
            if let existing, AddScheduleRequest(exporting: existing).normalized == request.normalized {
                schedules.append(existing)
                continue
            }
            var made = try AutomationValidator.makeSchedule(request, now: now, pastGrace: limits.missedRunGrace, prefix: "schedules[\(index)].")
            if let existing { made.id = existing.id }
            schedules.append(made)
        }
        action.schedules = schedules

        var triggers: [MessageTrigger] = []
        for (index, request) in (definition.messageTriggers ?? []).enumerated() {
            let existing = base.messageTriggers.first { $0.name == request.name }
            if let existing, AddTriggerRequest(exporting: existing).normalized == request.normalized {
                triggers.append(existing)
                continue
            }
            var (made, _) = try AutomationValidator.makeTrigger(
                request, prefix: "messageTriggers[\(index)].", filterTextBytes: limits.filterTextBytes)
            if let existing { made.id = existing.id }
            triggers.append(made)
        }
        action.messageTriggers = triggers

        var webhooks: [WebhookTrigger] = []
        for (index, request) in (definition.webhooks ?? []).enumerated() {
            let existing = base.webhooks.first { $0.name == request.name }
            if let existing, AddWebhookRequest(exporting: existing).normalized == request.normalized {
                webhooks.append(existing)
                continue
            }
            let made: WebhookTrigger
            do throws(AutomationError) {
                (made, _) = try AutomationValidator.makeWebhook(
                    request, id: existing?.id ?? .random(), at: existing?.dateCreated ?? now, filterTextBytes: limits.filterTextBytes)
            } catch {
                throw error.prefixed("webhooks[\(index)].")
            }
            if existing == nil {
                // Secrets live in the store only; the apply's answer shows them once.
                let secret = WebhookSecret.generate()
                changes.webhookCredentials[made.id] = WebhookCredentials(secret: secret)
                webhookSecrets.append(
                    CreatedWebhookSecret(namespace: base.namespace, action: base.name, webhook: made.name, url: made.path, secret: secret.text))
            }
            webhooks.append(made)
        }
        action.webhooks = webhooks

        if let status = definition.status, status != base.status {
            // As the API's status calls: an activated draft or a resumed action runs from now.
            action.changeStatus(to: status, at: now)
        }
        action.refreshNextScheduledRun()
        return action
    }

    /// The members in which the stored action differs from the definition, compared in the
    /// exported form with defaults written out. A definition without `status` leaves it alone.
    private func changedFields(
        _ definition: ActionDefinition, stored: AutomatedAction, managedBy: ActionManager?, definedIn: String?
    ) -> [String] {
        let current = ActionDefinition(exporting: stored)
        var fields: [String] = []
        if current.description != definition.description { fields.append("description") }
        if let status = definition.status, status != stored.status { fields.append("status") }
        if current.actions != definition.actions { fields.append("actions") }
        if (current.schedules ?? []).map(\.normalized) != (definition.schedules ?? []).map(\.normalized) { fields.append("schedules") }
        if (current.messageTriggers ?? []).map(\.normalized) != (definition.messageTriggers ?? []).map(\.normalized) {
            fields.append("messageTriggers")
        }
        if (current.webhooks ?? []).map(\.normalized) != (definition.webhooks ?? []).map(\.normalized) { fields.append("webhooks") }
        if current.policies != definition.policies { fields.append("policies") }
        if (current.execution ?? .parallel) != (definition.execution ?? .parallel) { fields.append("execution") }
        if stored.managedBy != managedBy && !(source == .api && stored.managedBy == .file) { fields.append("managedBy") }
        if source == .directory && stored.definedIn != definedIn { fields.append("definedIn") }
        return fields
    }
}
