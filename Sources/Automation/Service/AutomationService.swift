import Foundation
import JSONPath

/// The use-cases of Signalbox's management surface: what the REST API and the CLI call.
///
/// Every call takes the ``Caller`` (tenant and role, from the bearer token) and sees only that
/// tenant's data: another tenant's action is `notFound`. Deletions need the `admin` role. Every
/// call throws only ``AutomationError``; store failures that are not rule outcomes become
/// `unavailable`. Time comes from the injected ``WallClock`` and is truncated to whole seconds,
/// the resolution of the JSON timestamps.
public struct AutomationService: Sendable {
    /// Numbers the rules depend on.
    public struct Limits: Hashable, Sendable {
        /// Schedules per action (seed 000: "a maximum of 5 schedules").
        public var schedulesPerAction: Int
        /// Message triggers per action.
        public var triggersPerAction: Int
        /// Webhooks per action.
        public var webhooksPerAction: Int
        /// Items per action.
        public var itemsPerAction: Int
        /// Upcoming runs returned at most by one call.
        public var upcomingRuns: Int
        /// How far back a one-time schedule's instant may lie (the scheduler's missed-run grace):
        /// it then fires at once.
        public var missedRunGrace: TimeInterval
        /// Delayed runs scheduled (not yet due) per action.
        public var delayedRunsPerAction: Int
        /// Bytes (UTF-8) of a filter saved or tested; longer is `limitExceeded` (422).
        public var filterTextBytes: Int
        /// Nodes visited and comparisons one filter evaluation may spend (`/filters/test`, its
        /// explanation and webhook filters); beyond it `limitExceeded` (422).
        public var filterWorkBudget: Int
        /// Actions one tenant may have (archived ones count): beyond, creation is `limitExceeded`.
        public var actionsPerTenant: Int

        public init(
            schedulesPerAction: Int = 5, triggersPerAction: Int = 50, webhooksPerAction: Int = 20, itemsPerAction: Int = 50,
            upcomingRuns: Int = 1000, missedRunGrace: TimeInterval = 60, delayedRunsPerAction: Int = 100_000,
            filterTextBytes: Int = AutomationValidator.defaultFilterTextBytes, filterWorkBudget: Int = EvaluationBudget.defaultLimit,
            actionsPerTenant: Int = 10_000
        ) {
            self.schedulesPerAction = schedulesPerAction
            self.triggersPerAction = triggersPerAction
            self.webhooksPerAction = webhooksPerAction
            self.itemsPerAction = itemsPerAction
            self.upcomingRuns = upcomingRuns
            self.missedRunGrace = missedRunGrace
            self.delayedRunsPerAction = delayedRunsPerAction
            self.filterTextBytes = filterTextBytes
            self.filterWorkBudget = filterWorkBudget
            self.actionsPerTenant = actionsPerTenant
        }
    }

    public let store: any AutomationStore
    public let clock: any WallClock
    public let limits: Limits
    /// Publishes manual runs; without one (a process with no broker) `triggerManually` is
    /// `unavailable`.
    public let runner: (any ActionRunner)?
    /// Told after every successful definition change.
    public let observer: (any DefinitionChangeObserver)?
    /// Webhooks that calls addressed lately (``webhookTarget(_:)``).
    let webhookTargets: WebhookTargetCache

    public init(
        store: any AutomationStore, clock: any WallClock, limits: Limits = Limits(),
        runner: (any ActionRunner)? = nil, observer: (any DefinitionChangeObserver)? = nil,
        webhookTargets: WebhookTargetCache = WebhookTargetCache()
    ) {
        self.store = store
        self.clock = clock
        self.limits = limits
        self.runner = runner
        self.observer = observer
        self.webhookTargets = webhookTargets
    }

    /// The current instant, whole seconds.
    func now() -> Date {
        Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
    }

    /// A store call that changes the definition of action `id`; the observer hears of it once it
    /// succeeded.
    func mutation<T>(of id: ActionID, tenant: TenantID, _ body: () async throws -> T) async throws(AutomationError) -> T {
        let result = try await storeCall(body)
        webhookTargets.forget(action: id)
        observer?.actionChanged(id, tenant: tenant)
        return result
    }

    /// Runs a store call, letting ``AutomationError``s through and hiding anything else behind
    /// `unavailable` (a database error's text may quote data).
    func storeCall<T>(_ body: () async throws -> T) async throws(AutomationError) -> T {
        do {
            return try await body()
        } catch let error as AutomationError {
            throw error
        } catch {
            throw AutomationError.unavailable()
        }
    }
}
