import Foundation

/// Statistics (seed 001's worker stats, seed 004's per-automation figures): counts read by SQL
/// from counters and indexes, never by loading history (docs/lifecycle.md).
extension AutomationService {
    /// How far ahead `dueSoon` looks.
    public static let dueSoonHorizon: TimeInterval = 3600
    /// At most this many occurrences of one schedule count as due soon (an every-second schedule
    /// has 3,600 in the hour: all of them).
    static let dueSoonOccurrencesPerSchedule = 3600
    /// How many actions `topFailing` lists.
    public static let topFailingCount = 5

    /// The caller's tenant: actions by status, runs by outcome in `window`, runs due in the next
    /// hour, the actions failing most.
    public func statistics(window: StatisticsWindow = .day, as caller: Caller) async throws(AutomationError) -> TenantStatistics {
        let now = now()
        let since = window.start(at: now)
        let horizon = now.addingTimeInterval(Self.dueSoonHorizon)
        let stored = try await storeCall {
            try await store.tenantStatistics(tenant: caller.tenantId, since: since, horizon: horizon, topFailing: Self.topFailingCount)
        }
        let occurrences = stored.schedulesDue.reduce(0) { $0 + Self.occurrences(of: $1, from: now, through: horizon) }
        return TenantStatistics(window: window, since: since, generatedAt: now, stored: stored, dueSoon: occurrences + stored.delayedRunsDue)
    }

    /// One action: its runs by outcome in `window`, success rate, p50/p95 duration, last run and run count.
    public func statistics(
        of reference: ActionReference, window: StatisticsWindow = .day, as caller: Caller
    ) async throws(AutomationError) -> ActionStatistics {
        let action = try await resolve(reference, caller)
        let since = window.start(at: now())
        let stored = try await storeCall { try await store.actionStatistics(
            actionId: action.id, tenant: caller.tenantId, since: since, durationSample: ActionStatistics.Durations.sampleLimit) }
        guard let stored else { throw .notFound("\(reference) does not exist") }
        return ActionStatistics(action: action, window: window, since: since, stored: stored)
    }

    /// Forgets run counters older than the longest window (and an hour of slack); returns how many
    /// rows went. Run by the retention job.
    public func pruneRunCounts() async throws(AutomationError) -> Int {
        let cutoff = now().addingTimeInterval(-(StatisticsWindow.month.seconds + 86_400))
        return try await storeCall { try await store.pruneRunCounts(before: cutoff) }
    }

    /// Occurrences of `schedule` after `start` up to `end`, from its stored next occurrence.
    static func occurrences(of schedule: CronScheduleDefinition, from start: Date, through end: Date) -> Int {
        guard let first = schedule.nextOccurrence, first <= end else { return 0 }
        // A one-time schedule, or one whose rules no longer parse: its next occurrence alone.
        guard schedule.at == nil, let rules = try? schedule.makeSchedule() else { return 1 }
        var count = 1
        var instant = first
        while count < dueSoonOccurrencesPerSchedule, let next = rules.next(after: instant), next <= end {
            count += 1
            instant = next
        }
        return count
    }
}
