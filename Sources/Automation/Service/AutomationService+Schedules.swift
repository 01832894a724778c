import Foundation

extension AutomationService {
    /// Adds a schedule (`POST …/schedules`, `action-schedule-add`), computing its
    /// `nextOccurrence` in its time zone and the action's `nextScheduledRunAt`. A sixth schedule
    /// is `limitExceeded`; one that never fires, or an unknown time zone, is `invalidInput`.
    public func addSchedule(
        _ request: AddScheduleRequest, to reference: ActionReference, as caller: Caller
    ) async throws(AutomationError) -> AutomatedAction {
        let action = try await resolveEditable(reference, caller)
        let now = now()
        let schedule = try AutomationValidator.makeSchedule(request, now: now, pastGrace: limits.missedRunGrace)
        if action.schedules.count >= limits.schedulesPerAction {
            throw .limitExceeded("an action can have at most \(limits.schedulesPerAction) schedules", field: "schedules")
        }
        return try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.insertSchedule(
                schedule, actionId: action.id, tenant: caller.tenantId, limit: limits.schedulesPerAction, at: now)
        }
    }

    /// Enables a schedule; its next occurrence is computed from now.
    public func enableSchedule(_ id: ScheduleID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setScheduleEnabled(true, id, reference, caller)
    }

    /// Disables a schedule; its `nextOccurrence` becomes null.
    public func disableSchedule(_ id: ScheduleID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try await setScheduleEnabled(false, id, reference, caller)
    }

    /// Removes a schedule. Admin only.
    public func removeSchedule(_ id: ScheduleID, from reference: ActionReference, as caller: Caller) async throws(AutomationError) -> AutomatedAction {
        try requireAdmin(caller, "remove schedules")
        let action = try await resolveEditable(reference, caller)
        guard action.schedule(id) != nil else { throw .notFound("schedule \(id) does not exist", field: "scheduleId") }
        let now = now()
        return try await mutation(of: action.id, tenant: caller.tenantId) { try await store.deleteSchedule(id: id, actionId: action.id, tenant: caller.tenantId, at: now) }
    }

    /// The next runs of the caller's active actions across all their enabled schedules, earliest
    /// first: at most `limit` (1…1000), none after `until` when given (the calendar view).
    public func upcomingRuns(
        limit: Int = 20, until: Date? = nil, namespace: NamespaceName? = nil, from: Date? = nil, as caller: Caller
    ) async throws(AutomationError) -> [UpcomingRun] {
        guard (1...limits.upcomingRuns).contains(limit) else {
            throw .invalidInput("limit must be between 1 and \(limits.upcomingRuns)", field: "limit")
        }
        // A calendar page further ahead starts there (never in the past: what ran is history).
        let now = max(now(), from ?? .distantPast)
        if let until, until <= now { return [] }
        let actions = try await storeCall { try await store.actionsWithEnabledSchedules(tenant: caller.tenantId) }
        var merge = UpcomingMerge()
        for action in actions where action.status == .active && (namespace == nil || action.namespace == namespace) {
            for definition in action.schedules where definition.isEnabled {
                guard let schedule = try? definition.makeSchedule() else { continue }
                merge.add(
                    UpcomingRun(
                        actionId: action.id, actionName: action.name, namespace: action.namespace,
                        scheduleId: definition.id, scheduleName: definition.name, scheduledAt: now),
                    schedule.occurrences(after: now))
            }
        }
        return merge.take(limit, until: until)
    }

    func setScheduleEnabled(_ enabled: Bool, _ id: ScheduleID, _ reference: ActionReference, _ caller: Caller) async throws(AutomationError) -> AutomatedAction {
        let action = try await resolveEditable(reference, caller)
        guard var schedule = action.schedule(id) else { throw .notFound("schedule \(id) does not exist", field: "scheduleId") }
        let now = now()
        schedule.isEnabled = enabled
        let evaluable = enabled ? try? schedule.makeSchedule() : nil
        schedule.nextOccurrence = evaluable?.next(after: now)
        if schedule.firedAt == nil, let instant = evaluable?.expression.onlyInstant {
            // A one-time schedule that has not fired: by the rule of its creation.
            guard instant >= now.addingTimeInterval(-AutomationValidator.oneTimePastAllowance(limits.missedRunGrace)) else {
                throw .limitExceeded(
                    "the instant \(instant.formatted(.iso8601)) of schedule \(id) passed while it was disabled; add a new schedule",
                    field: "scheduleId")
            }
            schedule.nextOccurrence = instant
        }
        let changed = schedule
        return try await mutation(of: action.id, tenant: caller.tenantId) { try await store.updateSchedule(changed, actionId: action.id, tenant: caller.tenantId, at: now) }
    }
}
