import Foundation

extension AutomationService {
    /// Creates an action in `namespace` (`POST /namespaces/{ns}/automated-actions`), with any
    /// schedules and triggers the request carries. `conflict` if the name is taken.
    public func createAction(
        _ request: CreateActionRequest, namespace: NamespaceName, as caller: Caller
    ) async throws(AutomationError) -> ActionChange {
        try AutomationValidator.validateNamespace(namespace)
        try AutomationValidator.validateName(request.name, field: "name")
        try AutomationValidator.validateDescription(request.description)
        try validateItems(request.actions)
        try AutomationValidator.validatePreviousValues(request.actions, execution: request.execution ?? .parallel)
        try AutomationValidator.validatePolicies(request.policies)
        if request.status == .archived {
            throw .invalidValue("an action is created draft, active or paused; archive it once it has served", field: "status")
        }
        let now = now()
        let schedules = request.schedules ?? []
        if schedules.count > limits.schedulesPerAction {
            throw .limitExceeded(
                "an action can have at most \(limits.schedulesPerAction) schedules", field: "schedules")
        }
        let triggerRequests = request.messageTriggers ?? []
        if triggerRequests.count > limits.triggersPerAction {
            throw .limitExceeded(
                "an action can have at most \(limits.triggersPerAction) message triggers", field: "messageTriggers")
        }
        var definitions: [CronScheduleDefinition] = []
        for (index, schedule) in schedules.enumerated() {
            definitions.append(try AutomationValidator.makeSchedule(schedule, now: now, pastGrace: limits.missedRunGrace, prefix: "schedules[\(index)]."))
        }
        var triggers: [MessageTrigger] = []
        var warnings: [ValidationWarning] = []
        for (index, trigger) in triggerRequests.enumerated() {
            let (made, found) = try AutomationValidator.makeTrigger(
                trigger, prefix: "messageTriggers[\(index)].", filterTextBytes: limits.filterTextBytes)
            triggers.append(made)
            warnings += found
        }
        var action = AutomatedAction(
            tenantId: caller.tenantId,
            namespace: namespace,
            name: request.name,
            description: request.description,
            status: request.status ?? .active,
            actions: request.actions,
            schedules: definitions,
            messageTriggers: triggers,
            dateCreated: now,
            dateUpdated: now,
            policies: request.policies,
            pausedAt: request.status == .paused ? now : nil,
            execution: request.execution ?? .parallel
        )
        action.refreshNextScheduledRun()
        try await requireActionQuota(adding: 1, caller)
        try await mutation(of: action.id, tenant: action.tenantId) { [limit = limits.actionsPerTenant] in
            try await store.insertAction(action, tenantLimit: limit)
        }
        return ActionChange(action: action, warnings: warnings)
    }

    /// The action `reference` names (`GET …/by-id/{id}`, `action-get`).
    public func action(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await resolve(reference, caller)
    }

    /// The actions of a namespace, by name, a page at a time (archived ones only when asked for).
    public func listActions(
        namespace: NamespaceName, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<AutomatedAction> {
        try await listActions(ActionListFilter(namespace: namespace), page: page, as: caller)
    }

    /// The tenant's actions that `filter` includes, by namespace and name, a page at a time.
    public func listActions(
        _ filter: ActionListFilter, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<AutomatedAction> {
        if let namespace = filter.namespace { try AutomationValidator.validateNamespace(namespace) }
        try validatePage(page)
        return try await storeCall { try await store.actions(filter, tenant: caller.tenantId, page: page) }
    }

    /// Changes an action's name, description, items or status (`PUT`); absent fields keep their
    /// value. A rename onto a taken name is `conflict`.
    public func updateAction(
        _ reference: ActionReference, _ request: UpdateActionRequest, as caller: Caller
    ) async throws(AutomationError) -> ActionChange {
        var action = try await resolveEditable(reference, caller)
        let statusRead = action.status
        let requestedStatus = try Self.requestedStatus(request)
        if let requestedStatus { try action.requireTransition(to: requestedStatus) }
        if let name = request.name {
            try AutomationValidator.validateName(name, field: "name")
            action.name = name
        }
        if let description = request.description {
            try AutomationValidator.validateDescription(description)
            action.description = description
        }
        if let items = request.actions {
            try validateItems(items)
            action.actions = items
        }
        if let retryPolicy = request.retryPolicy { action.policies.retryPolicy = retryPolicy }
        if let notification = request.notification { action.policies.notification = notification }
        if let threshold = request.pauseAfterConsecutiveFailures { action.policies.pauseAfterConsecutiveFailures = threshold }
        if let execution = request.execution { action.execution = execution }
        if request.actions != nil || request.execution != nil {
            try AutomationValidator.validatePreviousValues(action.actions, execution: action.execution)
        }
        try AutomationValidator.validatePolicies(action.policies)
        let now = now()
        if let requestedStatus, requestedStatus != action.status {
            action.changeStatus(to: requestedStatus, at: now)
        }
        action.dateUpdated = now
        let stored = action
        return ActionChange(
            action: try await mutation(of: stored.id, tenant: stored.tenantId) { try await store.updateAction(stored, statusRead: statusRead) })
    }

    /// Deletes an action with its schedules, triggers and history. Admin only.
    public func deleteAction(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) {
        try requireAdmin(caller, "delete actions")
        let action = try await resolve(reference, caller)
        try action.requireNotFileManaged()  // an archived one may go: it is read-only, not kept forever
        let deleted = try await mutation(of: action.id, tenant: caller.tenantId) { try await store.deleteAction(id: action.id, tenant: caller.tenantId) }
        if !deleted { throw .notFound("\(reference) does not exist") }
    }

    /// Pauses an action: its schedules and triggers stop firing; `nextScheduledRunAt` becomes null.
    public func pauseAction(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setStatus(.paused, reference, caller)
    }

    /// Resumes a paused action; schedules continue from now (runs missed while paused are not made up).
    public func resumeAction(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setStatus(.active, reference, caller)
    }

    /// Activates a draft (or resumes a paused action): from now on its schedules and triggers start it.
    public func activateAction(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setStatus(.active, reference, caller)
    }

    /// Archives an action: nothing starts it any more, not even a manual trigger, and it is
    /// read-only; its history stays. Archiving cannot be undone (delete it, or create a new one).
    public func archiveAction(_ reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setStatus(.archived, reference, caller)
    }

    /// Applies one operation to several actions, each on its own (seed 001 bulk operations).
    /// `delete` needs the admin role as a whole; other failures are reported per action.
    public func bulk(
        _ operation: BulkOperation, actionIds: [ActionID], as caller: Caller
    ) async throws(AutomationError) -> [BulkItemResult] {
        if operation == .delete { try requireAdmin(caller, "delete actions") }
        if actionIds.count > PageRequest.maximumLimit {
            throw .limitExceeded("at most \(PageRequest.maximumLimit) actions per bulk operation", field: "actionIds")
        }
        var results: [BulkItemResult] = []
        for id in actionIds {
            do throws(AutomationError) {
                switch operation {
                case .pause: _ = try await pauseAction(.id(id), as: caller)
                case .resume: _ = try await resumeAction(.id(id), as: caller)
                case .archive: _ = try await archiveAction(.id(id), as: caller)
                case .delete: try await deleteAction(.id(id), as: caller)
                }
                results.append(BulkItemResult(actionId: id, succeeded: true))
            } catch {
                results.append(
                    BulkItemResult(actionId: id, succeeded: false, errorCode: error.code.description, errorMessage: error.message))
            }
        }
        return results
    }

    // MARK: Helpers

    func setStatus(_ status: ActionStatus, _ reference: ActionReference, _ caller: Caller) async throws(AutomationError) -> AutomatedAction {
        let action = try await resolve(reference, caller)
        try action.requireNotFileManaged()
        guard action.status != status else { return action }
        try action.requireEditable()
        try action.requireTransition(to: status)
        var changed = action
        changed.changeStatus(to: status, at: now())
        changed.dateUpdated = now()
        let stored = changed
        return try await mutation(of: stored.id, tenant: stored.tenantId) { try await store.updateAction(stored) }
    }

    /// `limitExceeded` when `count` more actions would take the caller's tenant past
    /// ``Limits/actionsPerTenant``: the early check, which a dry run gets too. The store checks
    /// again in its write transaction, so concurrent creations cannot pass it.
    func requireActionQuota(adding count: Int, _ caller: Caller) async throws(AutomationError) {
        guard count > 0 else { return }
        let existing = try await storeCall { try await store.actionCount(tenant: caller.tenantId) }
        if existing + count > limits.actionsPerTenant { throw .actionQuota(limits.actionsPerTenant, has: existing) }
    }

    /// The status an update asks for: `status`, or `isEnabled` (true: active, false: paused).
    static func requestedStatus(_ request: UpdateActionRequest) throws(AutomationError) -> ActionStatus? {
        let fromFlag: ActionStatus? = request.isEnabled.map { $0 ? .active : .paused }
        switch (request.status, fromFlag) {
        case (let status?, let flag?) where status != flag:
            throw .invalidValue("status \(status.rawValue) contradicts isEnabled \(request.isEnabled == true); give one of them", field: "isEnabled")
        case (let status?, _): return status
        case (nil, let flag): return flag
        }
    }

    /// Looks up the action for the caller's tenant; `notFound` otherwise.
    func resolve(_ reference: ActionReference, _ caller: Caller) async throws(AutomationError) -> AutomatedAction {
        let found: AutomatedAction?
        switch reference {
        case .id(let id):
            found = try await storeCall { try await store.action(id: id, tenant: caller.tenantId) }
        case .name(let name, let namespace):
            found = try await storeCall { try await store.action(named: name, namespace: namespace, tenant: caller.tenantId) }
        }
        guard let found else { throw .notFound("\(reference) does not exist") }
        return found
    }

    func requireAdmin(_ caller: Caller, _ what: String) throws(AutomationError) {
        guard caller.role.canDelete else { throw .forbidden("only an admin may \(what)") }
    }

    func validateItems(_ items: [ActionItem]) throws(AutomationError) {
        try AutomationValidator.validateItems(items)
        if items.count > limits.itemsPerAction {
            throw .limitExceeded("an action can have at most \(limits.itemsPerAction) items", field: "actions")
        }
    }

    func validatePage(_ page: PageRequest) throws(AutomationError) {
        guard (1...PageRequest.maximumLimit).contains(page.limit) else {
            throw .invalidInput("limit must be between 1 and \(PageRequest.maximumLimit)", field: "limit")
        }
    }
}
