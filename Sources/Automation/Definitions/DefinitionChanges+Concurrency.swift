import Foundation

/// An apply is planned on the aggregates read before its write transaction. Anything else may
/// change an action in between: a PUT, a webhook added, an archive, the failure policy pausing
/// it, the scheduler advancing a schedule. The store therefore checks, inside the transaction,
/// that each action the plan updates or deletes still has the definition the plan was made
/// from (`conflict` otherwise: the caller plans again), and keeps the scheduler's progress on
/// the schedules the plan left as they were.
extension DefinitionChanges {
    /// `conflict` when `current` (the action as stored now) no longer has the definition the plan
    /// read. Runtime state (counters, next occurrences, fired instants) may differ.
    public func requireUnchangedSincePlanned(_ current: AutomatedAction) throws(AutomationError) {
        guard let read = planned[current.id] else { return }
        guard DefinitionFingerprint(read) == DefinitionFingerprint(current) else {
            throw Self.changedSincePlanned(current, "changed")
        }
    }

    /// `conflict` for `action`, planned but `what` (changed, deleted) before the write: the
    /// service plans again (``isChangedSincePlanned``).
    public static func changedSincePlanned(_ action: AutomatedAction, _ what: String) -> AutomationError {
        AutomationError(
            .conflict,
            "action \"\(action.name.prefix(200))\" in namespace \(action.namespace) \(what) while this apply was planned; nothing was applied",
            hint: replanHint)
    }

    static let replanHint = "plan and apply again"
}

extension AutomationError {
    /// Whether this is an apply refused because an action changed between its plan and its write.
    public var isChangedSincePlanned: Bool { code == .conflict && hint == DefinitionChanges.replanHint }
}

extension DefinitionChanges {

    /// `update` as the store writes it over `current`: the schedules the plan kept exactly as it
    /// read them take their runtime state (next occurrence, fired instant) from `current`, so an
    /// apply never rewinds a schedule the scheduler moved on meanwhile.
    public func reconciled(_ update: AutomatedAction, with current: AutomatedAction) -> AutomatedAction {
        guard let read = planned[update.id] else { return update }
        var reconciled = update
        for index in reconciled.schedules.indices {
            let schedule = reconciled.schedules[index]
            guard read.schedule(schedule.id) == schedule, let stored = current.schedule(schedule.id) else { continue }
            reconciled.schedules[index].nextOccurrence = stored.nextOccurrence
            reconciled.schedules[index].firedAt = stored.firedAt
        }
        reconciled.refreshNextScheduledRun()
        return reconciled
    }
}

/// What an apply compares to detect a concurrent change: the exported definition (status
/// included), who manages the action, and the identity of its webhooks.
private struct DefinitionFingerprint: Equatable {
    let definition: ActionDefinition
    let managedBy: ActionManager?
    let definedIn: String?
    let webhookIds: [WebhookID]

    init(_ action: AutomatedAction) {
        definition = ActionDefinition(exporting: action)
        managedBy = action.managedBy
        definedIn = action.definedIn
        webhookIds = action.webhooks.map(\.id)
    }
}
