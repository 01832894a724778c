extension AutomationService {
    /// Adds a message trigger (`POST …/message-triggers`, `action-msg-trigger-add`); the filter is
    /// compiled now, and its errors carry line:column. Warnings come back with the action.
    public func addTrigger(
        _ request: AddTriggerRequest, to reference: ActionReference, as caller: Caller
    ) async throws(AutomationError) -> ActionChange {
        let action = try await resolveEditable(reference, caller)
        let (trigger, warnings) = try AutomationValidator.makeTrigger(request, filterTextBytes: limits.filterTextBytes)
        if action.messageTriggers.count >= limits.triggersPerAction {
            throw .limitExceeded("an action can have at most \(limits.triggersPerAction) message triggers", field: "messageTriggers")
        }
        let now = now()
        let stored = try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.insertTrigger(trigger, actionId: action.id, tenant: caller.tenantId, limit: limits.triggersPerAction, at: now)
        }
        return ActionChange(action: stored, warnings: warnings)
    }

    /// Enables a message trigger.
    public func enableTrigger(_ id: TriggerID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setTriggerEnabled(true, id, reference, caller)
    }

    /// Disables a message trigger.
    public func disableTrigger(_ id: TriggerID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setTriggerEnabled(false, id, reference, caller)
    }

    /// Removes a message trigger. Admin only.
    public func removeTrigger(_ id: TriggerID, from reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try requireAdmin(caller, "remove message triggers")
        let action = try await resolveEditable(reference, caller)
        guard action.messageTrigger(id) != nil else { throw .notFound("message trigger \(id) does not exist", field: "triggerId") }
        let now = now()
        return try await mutation(of: action.id, tenant: caller.tenantId) { try await store.deleteTrigger(id: id, actionId: action.id, tenant: caller.tenantId, at: now) }
    }

    func setTriggerEnabled(_ enabled: Bool, _ id: TriggerID, _ reference: ActionReference, _ caller: Caller) async throws(AutomationError) -> AutomatedAction {
        let action = try await resolveEditable(reference, caller)
        guard var trigger = action.messageTrigger(id) else { throw .notFound("message trigger \(id) does not exist", field: "triggerId") }
        trigger.isEnabled = enabled
        let now = now()
        let changed = trigger
        return try await mutation(of: action.id, tenant: caller.tenantId) { try await store.updateTrigger(changed, actionId: action.id, tenant: caller.tenantId, at: now) }
    }
}
