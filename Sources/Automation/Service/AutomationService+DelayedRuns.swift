import Foundation

/// Delayed runs (`POST …/runs`): an action run at a later instant, stored before the answer,
/// dispatched by the scheduler, cancellable until it is being dispatched.
extension AutomationService {
    /// Stores a run of the action due after `delaySeconds` or at `runAt` (1 s to 7 days ahead)
    /// and tells the scheduler. With an `idempotencyKey`, a retry answers with the run stored
    /// the first time (`created` false) and stores nothing.
    public func scheduleRun(
        _ request: ScheduleRunRequest, of reference: ActionReference, idempotencyKey: String? = nil, as caller: Caller
    ) async throws(AutomationError) -> (run: DelayedRun, created: Bool) {
        // Runs and secrets are not definitions: allowed on file-managed actions, not on archived ones.
        let action = try await resolve(reference, caller)
        try action.requireEditable()
        let now = now()
        if let idempotencyKey { try Self.validateIdempotencyKey(idempotencyKey) }
        let dueAt: Date
        switch (request.delaySeconds, request.runAt) {
        case (let delay?, nil):
            guard delay.isFinite, (DelayedRun.minimumDelay...DelayedRun.maximumDelay).contains(delay) else {
                throw .limitExceeded("delaySeconds must be 1 to 604800 (7 days), got \(delay.formatted(.number.grouping(.never)))", field: "delaySeconds")
            }
            dueAt = now.addingTimeInterval(delay)
        case (nil, let instant?):
            let delay = instant.timeIntervalSince(now)
            guard delay >= DelayedRun.minimumDelay - 0.001, delay <= DelayedRun.maximumDelay else {
                throw .limitExceeded(
                    "runAt must be 1 s to 7 days from now (\(now.formatted(.iso8601))), got \(instant.formatted(.iso8601))", field: "runAt")
            }
            dueAt = instant
        default:
            throw .invalidValue("give exactly one of delaySeconds and runAt", field: "delaySeconds")
        }
        if let payload = request.payload {
            guard payload.objectValue != nil else {
                throw .invalidValue("payload must be a JSON object: it is the run's event, which $fromEvent values read", field: "payload")
            }
            let size = payload.jsonText.utf8.count
            guard size <= DelayedRun.maximumPayloadBytes else {
                throw .limitExceeded("payload is \(size) bytes; at most \(DelayedRun.maximumPayloadBytes)", field: "payload")
            }
        }
        if let key = request.key { try Self.validateRunKey(key, code: .invalidValue) }
        let run = DelayedRun(
            tenantId: action.tenantId, actionId: action.id, key: request.key, dueAt: dueAt, payload: request.payload, dateCreated: now)
        let stored = try await storeCall {
            try await store.insertDelayedRun(run, requestKey: idempotencyKey, limit: limits.delayedRunsPerAction)
        }
        if stored.created { observer?.delayedRunScheduled(stored.run.due) }
        return stored
    }

    /// The action's delayed runs by due instant, of `status` when given.
    public func delayedRuns(
        of reference: ActionReference, status: DelayedRunStatus? = nil, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<DelayedRun> {
        guard (1...PageRequest.maximumLimit).contains(page.limit) else {
            throw .invalidInput("limit must be between 1 and \(PageRequest.maximumLimit)", field: "limit")
        }
        let action = try await resolve(reference, caller)
        return try await storeCall { try await store.delayedRuns(actionId: action.id, tenant: caller.tenantId, status: status, page: page) }
    }

    /// One delayed run of the action.
    public func delayedRun(_ id: DelayedRunID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> DelayedRun {
        let action = try await resolve(reference, caller)
        let run = try await storeCall { try await store.delayedRun(id: id, tenant: caller.tenantId) }
        guard let run, run.actionId == action.id else { throw .notFound("run \(id) does not exist", field: "runId") }
        return run
    }

    /// Cancels a scheduled run; `conflict` (409) once it is dispatched, being dispatched, or
    /// cancelled already.
    public func cancelDelayedRun(_ id: DelayedRunID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> DelayedRun {
        let existing = try await delayedRun(id, of: reference, as: caller)
        let now = now()
        let cancelled = try await storeCall {
            try await store.cancelDelayedRuns(actionId: existing.actionId, tenant: caller.tenantId, ids: [id], key: nil, at: now)
        }
        if let run = cancelled.first {
            observer?.delayedRunsCancelled([run.id])
            return run
        }
        let current = try await delayedRun(id, of: reference, as: caller)
        switch current.status {
        case .cancelled: throw .conflict("run \(id) was cancelled already", field: "runId")
        case .dispatched: throw .conflict("run \(id) was dispatched; it can no longer be cancelled", field: "runId")
        case .scheduled: throw .conflict("run \(id) is being dispatched; it can no longer be cancelled", field: "runId")
        }
    }

    /// Cancels every scheduled run of the action with `key`; returns them (none is not an error).
    public func cancelDelayedRuns(key: String, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> [DelayedRun] {
        try Self.validateRunKey(key)
        let action = try await resolve(reference, caller)
        let now = now()
        let cancelled = try await storeCall {
            try await store.cancelDelayedRuns(actionId: action.id, tenant: caller.tenantId, ids: nil, key: key, at: now)
        }
        if !cancelled.isEmpty { observer?.delayedRunsCancelled(cancelled.map(\.id)) }
        return cancelled
    }

    /// 1 to 255 bytes, no control characters; `code` is `invalidValue` for a body's key (422),
    /// `invalidInput` for `?key=` (400).
    static func validateRunKey(_ key: String, code: AutomationError.Code = .invalidInput) throws(AutomationError) {
        guard !key.isEmpty, key.utf8.count <= DelayedRun.maximumKeyLength,
            !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw AutomationError(code, "key must be 1 to \(DelayedRun.maximumKeyLength) bytes without control characters", field: "key")
        }
    }
}
