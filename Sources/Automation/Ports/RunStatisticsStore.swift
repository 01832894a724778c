import Foundation

/// Counts of runs kept as they are written (so history cleanup does not lower them), for the
/// statistics endpoints. (Contract shared by every role: see ``AutomationStore``.)
public protocol RunStatisticsStore: Sendable {
    /// The tenant's actions by status, its runs by outcome started since `since` (whole hours;
    /// counts kept as runs are written, so history cleanup does not lower them), its `topFailing`
    /// actions by failed runs since `since`, and what is due before `horizon`.
    func tenantStatistics(tenant: TenantID, since: Date, horizon: Date, topFailing: Int) async throws -> StoredTenantStatistics

    /// The action's runs by outcome started since `since`, the percentiles of the durations of
    /// the latest `durationSample` finished ones, and its latest run; nil when the tenant has no
    /// such action.
    func actionStatistics(actionId: ActionID, tenant: TenantID, since: Date, durationSample: Int) async throws -> StoredActionStatistics?

    /// Forgets the run counters of hours before `date` (older than any window); returns how many rows.
    func pruneRunCounts(before date: Date) async throws -> Int
}
