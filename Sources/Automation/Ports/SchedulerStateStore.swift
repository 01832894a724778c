import Foundation

/// What the scheduler keeps between runs: the occurrence each schedule last fired, and the
/// delayed runs (asked for by the API, a webhook or a trigger's delay, retries and the next items
/// of sequences) until they are dispatched or cancelled. A schedule's next occurrence is written
/// with the run that fired it (``RunHistoryStore/record(_:)``). (Contract shared by every role:
/// see ``AutomationStore``.)
public protocol SchedulerStateStore: Sendable {
    // MARK: Schedules

    /// The last occurrence each schedule fired (its commands confirmed), for the schedules that
    /// ever fired: what missed-run handling starts from after a restart.
    func lastFiredOccurrences() async throws -> [ScheduleID: Date]

    // MARK: Delayed runs

    /// Stores `run` (status `scheduled`), unless `requestKey` (an `Idempotency-Key`) was given
    /// for the action before: then the run stored then is returned, `created` false.
    /// `notFound` if the action is absent (or of another tenant); `limitExceeded` when the action
    /// has `limit` scheduled runs already.
    func insertDelayedRun(_ run: DelayedRun, requestKey: String?, limit: Int) async throws -> (run: DelayedRun, created: Bool)

    /// The run of `tenant` with this id.
    func delayedRun(id: DelayedRunID, tenant: TenantID) async throws -> DelayedRun?

    /// The action's runs, by due instant, those of `status` only when given.
    func delayedRuns(actionId: ActionID, tenant: TenantID, status: DelayedRunStatus?, page: PageRequest) async throws -> Page<DelayedRun>

    /// Cancels the action's runs that are scheduled and not yet claimed for dispatch: those
    /// among `ids` when given, else those with `key`. Returns the runs cancelled.
    func cancelDelayedRuns(actionId: ActionID, tenant: TenantID, ids: [DelayedRunID]?, key: String?, at: Date) async throws -> [DelayedRun]

    /// The runs not yet dispatched or cancelled (claimed ones included): the scheduler's queue at start.
    func pendingDelayedRuns() async throws -> [DelayedRunDue]

    /// Claims for dispatch the runs among `ids` that are still scheduled (from now on they can no
    /// longer be cancelled) and returns them — with those claimed before and not dispatched, as
    /// after a crash. A cancelled, dispatched or deleted run is not returned.
    func claimDelayedRuns(_ ids: [DelayedRunID], at: Date) async throws -> [DelayedRun]

    /// Ends the runs: `dispatched` (their commands were confirmed; the payload is dropped) or
    /// `cancelled` (their action was paused when they came due).
    func finishDelayedRuns(_ ids: [DelayedRunID], as status: DelayedRunStatus, at: Date) async throws

    /// Deletes the runs dispatched or cancelled before `date`; returns how many.
    func pruneDelayedRuns(finishedBefore date: Date) async throws -> Int
}
