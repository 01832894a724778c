import Foundation

/// Definitions as code: `POST /definitions/apply`, `GET /definitions/export` and the definitions
/// directory of `serve`.
///
/// An apply is all or nothing: every definition is validated first (errors name the field as
/// `automatedActions[3].schedules[0].cron`), then the whole change is written in ONE store
/// transaction. Actions a directory manages (``AutomatedAction/managedBy`` `file`) change only
/// through that directory: an apply over the API that would create, update or delete one is
/// `conflict` (unchanged is fine, so applying an export stays a no-op).
extension AutomationService {
    /// Where an apply comes from.
    public enum DefinitionSource: Hashable, Sendable {
        /// `POST /definitions/apply`: file-managed actions are read-only.
        case api
        /// The definitions directory of `serve`: its actions are marked `managedBy: file` with the
        /// file of each (``ActionDefinition/definedIn``), and file-managed actions it no longer
        /// defines are deleted.
        case directory
    }

    /// Plans, and unless `dryRun` applies, the definitions of `request`. Admin only. An action
    /// changed between the plan and the write (a concurrent edit, the failure policy pausing it)
    /// makes it plan again, up to three times.
    public func applyDefinitions(
        _ request: ApplyDefinitionsRequest, from source: DefinitionSource = .api, as caller: Caller
    ) async throws(AutomationError) -> DefinitionsPlan {
        try requireAdmin(caller, "apply definitions")
        var attempt = 1
        while true {
            do throws(AutomationError) {
                return try await planAndApply(request, from: source, as: caller)
            } catch where error.isChangedSincePlanned && attempt < 3 {
                attempt += 1
            }
        }
    }

    private func planAndApply(
        _ request: ApplyDefinitionsRequest, from source: DefinitionSource, as caller: Caller
    ) async throws(AutomationError) -> DefinitionsPlan {
        if let namespace = request.namespace { try AutomationValidator.validateNamespace(namespace) }
        let stored = try await storeCall { try await store.actions(tenant: caller.tenantId) }
        var storedByName: [ActionName: AutomatedAction] = [:]
        for action in stored { storedByName[ActionName(action.namespace, action.name)] = action }

        let now = now()
        var planner = DefinitionPlanner(source: source, tenant: caller.tenantId, now: now, limits: limits)
        var desiredNames = Set<ActionName>()
        for (index, definition) in request.automatedActions.enumerated() {
            let prefix = "automatedActions[\(index)]."
            guard let namespace = definition.namespace ?? request.namespace else {
                throw .invalidValue(
                    "\(prefix)namespace is missing: give it in the definition or as the request's namespace (--namespace)",
                    field: prefix + "namespace")
            }
            let name = ActionName(namespace, definition.name)
            guard desiredNames.insert(name).inserted else {
                throw .invalidValue("\(prefix)name: \(name) is defined twice", field: prefix + "name")
            }
            do throws(AutomationError) {
                try AutomationValidator.validateNamespace(namespace)
                try planner.plan(definition, namespace: namespace, stored: storedByName[name])
            } catch {
                throw error.prefixed(prefix)
            }
        }
        let namespacesInScope = Set(desiredNames.map(\.namespace)).union(request.namespace.map { [$0] } ?? [])
        for action in stored.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) })
        where !desiredNames.contains(ActionName(action.namespace, action.name)) {
            switch source {
            case .directory where action.managedBy == .file:
                planner.delete(action)
            case .api where request.prune == true && action.managedBy == nil && namespacesInScope.contains(action.namespace):
                planner.delete(action)
            default:
                continue
            }
        }

        let dryRun = request.dryRun ?? false
        try await requireActionQuota(adding: planner.changes.created.count - planner.changes.deleted.count, caller)
        if !dryRun && !planner.changes.isEmpty {
            var changes = planner.changes
            changes.tenantLimit = limits.actionsPerTenant
            try await storeCall { [changes] in try await store.applyDefinitions(changes) }
            for id in changes.created.map(\.id) + changes.updated.map(\.id) + changes.deleted {
                webhookTargets.forget(action: id)
                observer?.actionChanged(id, tenant: caller.tenantId)
            }
        }
        return DefinitionsPlan(dryRun: dryRun, changes: planner.plan, webhookSecrets: dryRun ? [] : planner.webhookSecrets)
    }

    /// The caller's definitions, of one namespace or all, by namespace and name: a document that
    /// applied again changes nothing.
    public func exportDefinitions(namespace: NamespaceName? = nil, as caller: Caller) async throws(AutomationError) -> DefinitionsDocument {
        if let namespace { try AutomationValidator.validateNamespace(namespace) }
        let actions = try await storeCall { try await store.actions(tenant: caller.tenantId) }
        let selected = actions.filter { namespace == nil || $0.namespace == namespace }
            .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return DefinitionsDocument(automatedActions: selected.map(ActionDefinition.init(exporting:)))
    }

    /// ``resolve(_:_:)`` for an edit through the API: `conflict` for an archived action
    /// (read-only) and for one a definitions directory manages, naming its file.
    func resolveEditable(_ reference: ActionReference, _ caller: Caller) async throws(AutomationError) -> AutomatedAction {
        let action = try await resolve(reference, caller)
        try action.requireNotFileManaged()
        try action.requireEditable()
        return action
    }
}

/// An action's identity in definitions: its namespace and name.
struct ActionName: Hashable, CustomStringConvertible {
    var namespace: NamespaceName
    var name: String

    init(_ namespace: NamespaceName, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    var description: String { "\(namespace)/\(name)" }
}

extension AutomationError {
    /// The same error with `prefix` before its field (and before a message that starts with it).
    func prefixed(_ prefix: String) -> AutomationError {
        let text = field.map { self.message.hasPrefix($0) ? prefix + self.message : self.message } ?? self.message
        let path = field.map { prefix + $0 } ?? String(prefix.dropLast())
        return AutomationError(code, text, field: path, position: position, hint: hint)
    }
}
