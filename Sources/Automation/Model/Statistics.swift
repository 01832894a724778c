import Foundation

/// The window statistics count runs in (`?window=24h|7d|30d`). Runs are counted by the hour they
/// started in, so a window starts at the top of the hour it reaches back to: `24h` at 10:20
/// counts runs started since 10:00 the day before.
public enum StatisticsWindow: String, Hashable, Sendable, Codable, CaseIterable {
    case day = "24h"
    case week = "7d"
    case month = "30d"

    public var seconds: TimeInterval {
        switch self {
        case .day: 86_400
        case .week: 7 * 86_400
        case .month: 30 * 86_400
        }
    }

    /// The first instant the window counts at `now`: `now − seconds`, down to its whole hour.
    public func start(at now: Date) -> Date {
        let reach = now.timeIntervalSince1970 - seconds
        return Date(timeIntervalSince1970: (reach / 3600).rounded(.down) * 3600)
    }
}

/// Runs by outcome. `successRate` is succeeded ÷ (succeeded + failed), nil when neither.
public struct RunCounts: Hashable, Sendable, Codable {
    public var runs: Int
    public var pending: Int
    public var running: Int
    public var succeeded: Int
    public var failed: Int
    public var skipped: Int
    public var successRate: Double?

    public init(_ byOutcome: [ExecutionOutcome: Int]) {
        pending = byOutcome[.pending] ?? 0
        running = byOutcome[.running] ?? 0
        succeeded = byOutcome[.success] ?? 0
        failed = byOutcome[.failed] ?? 0
        skipped = byOutcome[.skipped] ?? 0
        runs = pending + running + succeeded + failed + skipped
        successRate = succeeded + failed == 0 ? nil : Double(succeeded) / Double(succeeded + failed)
    }
}

/// The actions of a tenant by status.
public struct ActionCounts: Hashable, Sendable, Codable {
    public var total: Int
    public var draft: Int
    public var active: Int
    public var paused: Int
    public var archived: Int

    public init(_ byStatus: [ActionStatus: Int]) {
        draft = byStatus[.draft] ?? 0
        active = byStatus[.active] ?? 0
        paused = byStatus[.paused] ?? 0
        archived = byStatus[.archived] ?? 0
        total = draft + active + paused + archived
    }
}

/// An action among the tenant's most failing in a window.
public struct FailingAction: Hashable, Sendable, Codable {
    public var actionId: ActionID
    public var namespace: NamespaceName
    public var name: String
    public var status: ActionStatus
    /// Failed runs in the window.
    public var failures: Int
    public var consecutiveFailures: Int

    public init(actionId: ActionID, namespace: NamespaceName, name: String, status: ActionStatus, failures: Int, consecutiveFailures: Int) {
        self.actionId = actionId
        self.namespace = namespace
        self.name = name
        self.status = status
        self.failures = failures
        self.consecutiveFailures = consecutiveFailures
    }
}

/// What a store reads for the tenant's statistics; the service adds the schedules' occurrences.
public struct StoredTenantStatistics: Hashable, Sendable {
    public var actionsByStatus: [ActionStatus: Int]
    public var runsByOutcome: [ExecutionOutcome: Int]
    public var topFailing: [FailingAction]
    /// The enabled schedules of active actions whose next occurrence is before the horizon.
    public var schedulesDue: [CronScheduleDefinition]
    /// Scheduled delayed runs (retries included) due before the horizon.
    public var delayedRunsDue: Int

    public init(
        actionsByStatus: [ActionStatus: Int], runsByOutcome: [ExecutionOutcome: Int], topFailing: [FailingAction],
        schedulesDue: [CronScheduleDefinition], delayedRunsDue: Int
    ) {
        self.actionsByStatus = actionsByStatus
        self.runsByOutcome = runsByOutcome
        self.topFailing = topFailing
        self.schedulesDue = schedulesDue
        self.delayedRunsDue = delayedRunsDue
    }
}

/// `GET /automated-actions/stats` (seed 001's worker stats, per tenant).
public struct TenantStatistics: Hashable, Sendable, Codable {
    public var window: StatisticsWindow
    /// The first instant counted (see ``StatisticsWindow/start(at:)``).
    public var since: Date
    public var generatedAt: Date
    public var actions: ActionCounts
    public var runs: RunCounts
    /// Runs due in the next hour: schedule occurrences of active actions and delayed runs.
    public var dueSoon: Int
    /// The actions with the most failed runs in the window, most first (at most 5).
    public var topFailing: [FailingAction]
    // Seed 001's names for the same figures.
    public var activeTasks: Int
    public var pausedTasks: Int
    public var completedTasks: Int
    public var failedTasks: Int

    public init(window: StatisticsWindow, since: Date, generatedAt: Date, stored: StoredTenantStatistics, dueSoon: Int) {
        self.window = window
        self.since = since
        self.generatedAt = generatedAt
        actions = ActionCounts(stored.actionsByStatus)
        runs = RunCounts(stored.runsByOutcome)
        self.dueSoon = dueSoon
        topFailing = stored.topFailing
        activeTasks = actions.active
        pausedTasks = actions.paused
        completedTasks = runs.succeeded
        failedTasks = runs.failed
    }
}

/// What a store reads for one action's statistics.
public struct StoredActionStatistics: Hashable, Sendable {
    public var runsByOutcome: [ExecutionOutcome: Int]
    /// Nearest-rank percentiles of `durationSeconds` over the window's latest finished runs.
    public var p50DurationSeconds: Double?
    public var p95DurationSeconds: Double?
    /// How many finished runs the percentiles are over.
    public var durationSampleSize: Int
    public var lastRunAt: Date?
    public var lastOutcome: ExecutionOutcome?

    public init(
        runsByOutcome: [ExecutionOutcome: Int], p50DurationSeconds: Double?, p95DurationSeconds: Double?, durationSampleSize: Int,
        lastRunAt: Date?, lastOutcome: ExecutionOutcome?
    ) {
        self.runsByOutcome = runsByOutcome
        self.durationSampleSize = durationSampleSize
        self.p50DurationSeconds = p50DurationSeconds
        self.p95DurationSeconds = p95DurationSeconds
        self.lastRunAt = lastRunAt
        self.lastOutcome = lastOutcome
    }

    /// The nearest-rank percentile `p` (0…1] of ascending `sorted`: the value at rank ⌈p·n⌉.
    public static func rank(_ p: Double, of count: Int) -> Int {
        max(0, Int((p * Double(count)).rounded(.up)) - 1)
    }
}

/// `GET /automated-actions/by-id/{id}/stats` (seed 004's per-automation figures).
public struct ActionStatistics: Hashable, Sendable, Codable {
    /// Percentiles over the window's latest finished runs: all of them up to ``sampleLimit``, so
    /// a busy action's figures cost one bounded sort (the counts in `runs` stay exact).
    public struct Durations: Hashable, Sendable, Codable {
        public static let sampleLimit = 10_000
        public var p50: Double?
        public var p95: Double?
        /// How many finished runs the percentiles are over.
        public var sampledRuns: Int
    }

    public var actionId: ActionID
    public var window: StatisticsWindow
    public var since: Date
    public var runs: RunCounts
    /// Of the window's finished runs, from the command to the completion.
    public var durationSeconds: Durations
    /// The latest run, whenever it started (not only in the window).
    public var lastRunAt: Date?
    public var lastOutcome: ExecutionOutcome?
    /// ``AutomatedAction/totalExecutions``: every finished run, all time (seed 004's `run_count`).
    public var runCount: Int
    public var consecutiveFailures: Int

    public init(action: AutomatedAction, window: StatisticsWindow, since: Date, stored: StoredActionStatistics) {
        actionId = action.id
        self.window = window
        self.since = since
        runs = RunCounts(stored.runsByOutcome)
        durationSeconds = Durations(
            p50: stored.p50DurationSeconds, p95: stored.p95DurationSeconds, sampledRuns: stored.durationSampleSize)
        lastRunAt = stored.lastRunAt
        lastOutcome = stored.lastOutcome
        runCount = action.totalExecutions
        consecutiveFailures = action.consecutiveFailures
    }
}

// Nulls are written as `null`, as everywhere in the API (synthesized coding would leave them out).
extension RunCounts {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runs, forKey: .runs)
        try c.encode(pending, forKey: .pending)
        try c.encode(running, forKey: .running)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(failed, forKey: .failed)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(successRate, forKey: .successRate)
    }
}

extension ActionStatistics.Durations {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(p50, forKey: .p50)
        try c.encode(p95, forKey: .p95)
        try c.encode(sampledRuns, forKey: .sampledRuns)
    }
}

extension ActionStatistics {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(actionId, forKey: .actionId)
        try c.encode(window, forKey: .window)
        try c.encode(since, forKey: .since)
        try c.encode(runs, forKey: .runs)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(lastRunAt, forKey: .lastRunAt)
        try c.encode(lastOutcome, forKey: .lastOutcome)
        try c.encode(runCount, forKey: .runCount)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
    }
}
