import AMQPClient
import Automation
import Foundation
import Logging

/// Runs of actions that no delivery carries — schedule occurrences and manual triggers — through
/// the pipeline's plan → record → publish: one history transaction and one publish hand-off per
/// batch, then the confirms are awaited (there is no delivery to ack instead).
public struct SyntheticRuns: Sendable {
    /// One action to run for one synthetic event.
    struct Run: Sendable {
        var action: AutomatedAction
        var cause: RunCause
        var event: Event
    }

    /// What became of a run's commands.
    enum Delivery: Sendable {
        /// Every command confirmed (or the run had none: all its items failed to plan).
        case confirmed
        /// The broker refused at least one (nack, unroutable) or it could not be encoded.
        case refused(String)
        /// No answer within the timeout; the connection keeps the commands and still publishes
        /// them, after a reconnect if need be.
        case unconfirmed
    }

    struct Outcome: Sendable {
        /// The run's history as stored, in item order.
        var entries: [ExecutionHistoryEntry]
        var delivery: Delivery
    }

    private let store: any AutomationStore
    private let publisher: any PipelinePublisher
    private let exchange: String
    private let mandatory: Bool
    private let clock: any WallClock
    private let planner = CommandPlanner()

    public init(
        store: any AutomationStore, publisher: any PipelinePublisher, names: BrokerNames, mandatoryCommands: Bool = true,
        clock: any WallClock
    ) {
        self.store = store
        self.publisher = publisher
        self.exchange = names.commandsExchange
        self.mandatory = mandatoryCommands
        self.clock = clock
    }

    /// Plans `runs`, records their history together with `alsoRecord` (entries of skipped
    /// occurrences) in one transaction, publishes every command and waits up to `timeout` for
    /// the confirms. Throws only when the history cannot be written (nothing is published then).
    func execute(
        _ runs: [Run], alsoRecord: [ExecutionHistoryEntry] = [], timeout: Duration
    ) async throws -> [Outcome] {
        let now = clock.now()
        let plans = runs.map { planner.plan($0.action, cause: $0.cause, for: $0.event, at: now) }
        let history = plans.flatMap(\.history) + alsoRecord
        // Encoding needs no history: it runs on the pool while the store writes on its thread.
        async let encoded = AMQPOutboundMessage.Draft.commands(
            plans.map(\.commands), exchange: exchange, mandatory: mandatory, at: now)
        let stored = history.isEmpty ? [] : try await store.appendHistory(history)

        var deliveries: [Delivery] = []
        var drafts: [AMQPOutboundMessage.Draft] = []
        var owners: [Int] = []  // per draft, the run it belongs to
        for (index, result) in await encoded.enumerated() {
            switch result {
            case .success(let messages):
                deliveries.append(.confirmed)
                drafts += messages
                owners += Array(repeating: index, count: messages.count)
            case .failure(let error):
                deliveries.append(.refused("a command could not be encoded: \(error)"))
            }
        }
        if let results = await publisher.publishConfirmed(drafts, timeout: timeout) {
            for (owner, result) in zip(owners, results) {
                if case .failure(let error) = result, case .confirmed = deliveries[owner] {
                    deliveries[owner] = .refused("\(error)")
                }
            }
        } else {
            for owner in Set(owners) { deliveries[owner] = .unconfirmed }
        }

        var outcomes: [Outcome] = []
        var offset = 0
        for (index, plan) in plans.enumerated() {
            let entries = Array(stored[offset..<offset + plan.history.count])
            offset += plan.history.count
            outcomes.append(Outcome(entries: entries, delivery: deliveries[index]))
        }
        return outcomes
    }
}

/// Manual runs (`POST …/trigger`) for the service, published through ``SyntheticRuns``.
public struct PublishingActionRunner: ActionRunner {
    private let runs: SyntheticRuns
    private let store: any AutomationStore
    private let clock: any WallClock
    private let timeout: Duration
    private let logger: Logger

    /// `timeout` bounds how long the API request waits for the broker's confirms.
    public init(runs: SyntheticRuns, store: any AutomationStore, clock: any WallClock, timeout: Duration = .seconds(10), logger: Logger) {
        self.runs = runs
        self.store = store
        self.clock = clock
        self.timeout = timeout
        self.logger = logger
    }

    public func run(_ action: AutomatedAction, cause: RunCause, event: Event) async throws -> [ExecutionHistoryEntry] {
        let outcome = try await runs.execute([SyntheticRuns.Run(action: action, cause: cause, event: event)], timeout: timeout)[0]
        switch outcome.delivery {
        case .confirmed:
            logger.info("manual run published", metadata: [
                "action_id": "\(action.id)", "event_id": "\(event.id)", "commands": "\(outcome.entries.filter { $0.outcome == .pending }.count)",
            ])
            return outcome.entries
        case .refused(let reason):
            // Nothing will start these processes: close their entries so history says why.
            let message = "the command was not published: \(reason)"
            let pending = outcome.entries.filter { $0.outcome == .pending }
            _ = try? await store.completeExecutions(
                pending.map { ExecutionCompletionRequest(processId: $0.processId, outcome: .failed, errorMessage: message) },
                at: clock.now())
            logger.error("manual run refused by the broker", metadata: ["action_id": "\(action.id)", "event_id": "\(event.id)", "reason": "\(reason)"])
            throw AutomationError.unavailable("the broker refused the run's commands (event \(event.id)): \(reason)")
        case .unconfirmed:
            logger.warning("manual run not confirmed in time", metadata: ["action_id": "\(action.id)", "event_id": "\(event.id)"])
            throw AutomationError.unavailable(
                "the run is recorded (event \(event.id)) but the broker did not confirm its commands within \(timeout); "
                    + "they are published when the broker is reachable")
        }
    }
}
