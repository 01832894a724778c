import Automation
import Logging
import ServiceLifecycle

/// Prunes execution history on a timer (keep the last N runs per action, drop older than D days),
/// expired idempotency keys, and delayed runs finished more than D days ago.
public struct RetentionService: Service {
    private let service: AutomationService
    private let policy: RetentionPolicy
    private let interval: Duration
    private let logger: Logger

    public init(service: AutomationService, policy: RetentionPolicy, interval: Duration, logger: Logger) {
        self.service = service
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let removed = try await service.pruneHistory(policy)
                if removed > 0 { logger.info("history pruned", metadata: ["removed": "\(removed)"]) }
                let keys = try await service.pruneManualRunKeys()
                if keys > 0 { logger.info("expired idempotency keys forgotten", metadata: ["removed": "\(keys)"]) }
                let runs = try await service.pruneDelayedRuns(policy)
                if runs > 0 { logger.info("finished delayed runs pruned", metadata: ["removed": "\(runs)"]) }
                let counters = try await service.pruneRunCounts()
                if counters > 0 { logger.info("run counters older than 31 days forgotten", metadata: ["removed": "\(counters)"]) }
            } catch {
                logger.warning("history pruning failed", metadata: ["error": "\(error)"])
            }
            // The wait ends early on graceful shutdown.
            let interval = self.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
