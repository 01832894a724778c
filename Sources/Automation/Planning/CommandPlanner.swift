import Foundation
import JSONPath

/// Turns a run of an action into commands, HTTP requests (`webhook` items) and history rows
/// (DESIGN "Plan"). Pure: the same
/// event, cause, action and instant always give the same plan, ids included.
///
/// Values come from the event where an item asks for them: `{"$fromEvent": …}` objects in its
/// config (``EventValueReference``) and an `interaction-message`'s
/// `interactionProcessIdFromEvent`. An item whose value cannot be read gets a `Failed` history
/// row and no command; the action's other items run.
///
/// ## Ids
/// - command id = UUIDv5(``UUIDv5/signalboxNamespace``, `"<event id>|<trigger id>|<item index>"`)
///   — the trigger id is the message trigger's or schedule's lowercase UUID, or `manual`;
/// - process id = UUIDv5(command id, `"process"`), history entry id = UUIDv5(command id,
///   `"execution"`).
///
/// A redelivered event therefore yields the same commands (consumers de-duplicate on the
/// message-id) and the same history rows, whose key (``ExecutionKey``: event id, trigger id, item
/// index) the store is unique on: history stays exactly-once under at-least-once delivery.
public struct CommandPlanner: Sendable {
    public init() {}

    /// The plan for a message trigger that matched `event`.
    public func plan(_ match: TriggerMatch, for event: Event, at now: Date) -> CommandPlan {
        let trigger = match.trigger
        if let delay = trigger.delay {
            // A delayed run instead, its id from the event and trigger: a redelivery stores none more.
            let id = DelayedRunID(rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "delay|\(event.id)|\(trigger.id)"))
            let run = DelayedRun(
                id: id, tenantId: match.action.tenantId, actionId: match.action.id, key: match.key.read(in: event.body),
                dueAt: now.addingTimeInterval(TimeInterval(delay.seconds)), payload: event.body, dateCreated: now)
            return CommandPlan(delayedRuns: [run])
        }
        if trigger.cancels != nil {
            guard let key = match.key.read(in: event.body) else { return CommandPlan() }
            return CommandPlan(cancellations: [DelayedRunCancellation(actionId: match.action.id, tenantId: match.action.tenantId, key: key)])
        }
        return plan(match.action, cause: .message(trigger.id, trigger.triggerType), for: event, at: now)
    }

    /// The plan for running `action` because of `cause` (for schedule and manual events,
    /// `RunCause(event.source)`); `now` is the history entries' `dateStarted`. A sequential
    /// action (``ActionExecution/sequential``) starts its first item only: the close of its
    /// entry stores the next (``CompletionFollowUp/sequenceStep(after:origin:action:previous:event:at:)``).
    public func plan(_ action: AutomatedAction, cause: RunCause, for event: Event, at now: Date) -> CommandPlan {
        guard action.execution == .sequential, !action.actions.isEmpty else {
            return plan(action, cause: cause, for: event, at: now, only: nil)
        }
        var plan = plan(action, cause: cause, for: event, at: now, only: 0)
        plan.history += skippedRest(of: action, cause: cause, eventId: event.id, afterFailed: plan.history, at: now)
        return plan
    }

    /// The plan of item `only` (all items when nil).
    private func plan(_ action: AutomatedAction, cause: RunCause, for event: Event, at now: Date, only: Int?) -> CommandPlan {
        var plan = CommandPlan()
        plan.commands.reserveCapacity(action.actions.count)
        plan.history.reserveCapacity(action.actions.count)
        for (index, item) in action.actions.enumerated() where only.map({ $0 == index }) ?? true {
            let commandId = commandID(eventId: event.id, cause: cause, itemIndex: index)
            let processId = Self.processID(for: commandId)
            var entry = ExecutionHistoryEntry(
                id: ExecutionID(rawValue: UUIDv5.make(namespace: commandId.rawValue, name: "execution")),
                triggerType: cause.executionTriggerType,
                triggerId: cause.sourceID,
                actionId: action.id,
                processId: processId,
                processType: item.config.processType,
                dateStarted: now,
                sourceEventId: event.id,
                itemIndex: index
            )

            func fail(_ failure: PlanningFailure) {
                entry.outcome = .failed
                entry.dateCompleted = now
                entry.errorMessage = failure.message
                plan.history.append(entry)
            }
            let content: ItemContent
            switch Self.content(of: item, in: event) {
            case .success(let planned):
                content = planned
            case .failure(let failure):
                fail(failure)
                continue
            }
            guard let routingKey = item.config.kind.commandRoutingKey else {
                // A `webhook` item: Signalbox sends its request itself, after the entry is recorded.
                guard case .webhook(let config) = content.config else { continue }
                switch Self.httpRequest(config, for: entry, tenant: action.tenantId, itemName: item.name) {
                case .success(let request):
                    plan.httpRequests.append(request)
                    plan.history.append(entry)
                case .failure(let failure):
                    fail(failure)
                }
                continue
            }

            let body = ProcessStartCommand.Body(
                commandId: commandId,
                processId: processId,
                tenantId: action.tenantId,
                namespace: action.namespace,
                automatedAction: .init(id: action.id, name: action.name),
                item: .init(index: index, name: item.name),
                trigger: Self.trigger(cause, event: event),
                config: content.config,
                interactionProcessId: content.interactionProcessId,
                runAs: item.runAs
            )
            plan.commands.append(
                ProcessStartCommand(
                    id: commandId,
                    processId: processId,
                    routingKey: routingKey,
                    itemIndex: index,
                    body: body,
                    configReadsEvent: !item.eventValues.isEmpty
                )
            )
            plan.history.append(entry)
        }
        if action.policies.keepsEvents(for: action.actions)
            || (action.execution == .sequential && action.actions.dropFirst().contains(where: \.readsEvent))
        {
            plan.retainedEvents = [RetainedEvent(actionId: action.id, sourceEventId: event.id, body: event.body)]
        }
        return plan
    }

    /// The plan of a retry (``DelayedRun/retry``) of `action`: its one item, planned for the
    /// run's event (the failed attempt's, when it was kept) with the run's ids, its entry showing
    /// the attempt and the entry it retries. When the item at its index is gone or another one
    /// (items edited since), a `Skipped` entry says so and nothing runs.
    public func planRetry(_ run: DelayedRun, _ target: RetryTarget, of action: AutomatedAction, at now: Date) -> CommandPlan {
        let index = target.itemIndex
        guard action.actions.indices.contains(index), target.itemName.map({ $0 == action.actions[index].name }) ?? true else {
            let commandId = commandID(eventId: Event.delayed(run, of: action).id, cause: .delayed(run.id), itemIndex: index)
            let entry = ExecutionHistoryEntry(
                id: ExecutionID(rawValue: UUIDv5.make(namespace: commandId.rawValue, name: "execution")), triggerType: .delayed,
                triggerId: ExecutionSourceID(run.id), actionId: action.id, processId: Self.processID(for: commandId),
                processType: target.processType, dateStarted: now, dateCompleted: now, outcome: .skipped,
                errorMessage: "not retried: item \(index + 1) (\(target.itemName ?? "?")) is no longer in the action as it was when attempt \(target.attempt - 1) failed",
                sourceEventId: Event.delayed(run, of: action).id, itemIndex: index, attempt: target.attempt, retryOf: target.retryOf)
            return CommandPlan(history: [entry])
        }
        var event = Event.delayed(run, of: action)
        event.previous = target.previous
        var plan = plan(action, cause: .delayed(run.id), for: event, at: now, only: target.itemIndex)
        for index in plan.history.indices {
            plan.history[index].attempt = target.attempt
            plan.history[index].retryOf = target.retryOf
        }
        return plan
    }

    /// The plan of the next item of a sequence (``DelayedRun/step``): that one item, planned for
    /// the run's event and the previous item's completion, with the ids of the run the sequence
    /// started as (its event id and trigger): a step fired twice records one entry. When the item
    /// at its index is gone or another one, a `Skipped` entry says so; when it cannot be planned
    /// (a value missing), its `Failed` entry is followed by the remaining items `Skipped`.
    public func planStep(_ run: DelayedRun, _ step: StepTarget, of action: AutomatedAction, at now: Date) -> CommandPlan {
        let index = step.itemIndex
        let cause = step.cause
        guard action.actions.indices.contains(index), step.itemName.map({ $0 == action.actions[index].name }) ?? true else {
            let commandId = commandID(eventId: step.sourceEventId, cause: cause, itemIndex: index)
            let entry = ExecutionHistoryEntry(
                id: ExecutionID(rawValue: UUIDv5.make(namespace: commandId.rawValue, name: "execution")), triggerType: step.triggerType,
                triggerId: step.triggerId, actionId: action.id, processId: Self.processID(for: commandId),
                processType: action.actions.indices.contains(index) ? action.actions[index].config.processType : .app,
                dateStarted: now, dateCompleted: now, outcome: .skipped,
                errorMessage: "not run: item \(index + 1) (\(step.itemName ?? "?")) is no longer in the action as it was when item \(index) completed",
                sourceEventId: step.sourceEventId, itemIndex: index)
            return CommandPlan(history: [entry])
        }
        var plan = plan(action, cause: cause, for: .step(run, step, of: action), at: now, only: index)
        plan.history += skippedRest(of: action, cause: cause, eventId: step.sourceEventId, afterFailed: plan.history, at: now)
        if let payload = run.payload {
            // Kept again for the items after this one (the retention sweep may have dropped it).
            plan.retainedEvents = [RetainedEvent(actionId: action.id, sourceEventId: step.sourceEventId, body: payload)]
        }
        return plan
    }

    /// The items of a sequential run after the entry in `planned` that failed when planned, all
    /// `Skipped`; none when it did not fail.
    private func skippedRest(
        of action: AutomatedAction, cause: RunCause, eventId: String, afterFailed planned: [ExecutionHistoryEntry], at now: Date
    ) -> [ExecutionHistoryEntry] {
        guard let failed = planned.last, failed.outcome == .failed else { return [] }
        return skippedItems(
            of: action, cause: cause, eventId: eventId, after: failed.itemIndex,
            reason: Self.notRunReason(failedItem: failed.itemIndex, of: action), at: now)
    }

    /// `Skipped` entries for the items of `action` after `index` in the run of `eventId` and
    /// `cause` (a sequence that stopped), each saying `reason`. Keyed like the entries the
    /// items would have had, so recording them again changes nothing.
    public func skippedItems(
        of action: AutomatedAction, cause: RunCause, eventId: String, after index: Int, reason: String, at now: Date
    ) -> [ExecutionHistoryEntry] {
        guard index + 1 < action.actions.count else { return [] }
        return (index + 1..<action.actions.count).map { next in
            let commandId = commandID(eventId: eventId, cause: cause, itemIndex: next)
            return ExecutionHistoryEntry(
                id: ExecutionID(rawValue: UUIDv5.make(namespace: commandId.rawValue, name: "execution")),
                triggerType: cause.executionTriggerType, triggerId: cause.sourceID, actionId: action.id,
                processId: Self.processID(for: commandId), processType: action.actions[next].config.processType, dateStarted: now,
                dateCompleted: now, outcome: .skipped, errorMessage: reason, sourceEventId: eventId, itemIndex: next)
        }
    }

    /// Why the items after a failed one were not run: `not run: item 2 (Convert) failed`.
    public static func notRunReason(failedItem index: Int, of action: AutomatedAction) -> String {
        let name = action.actions.indices.contains(index) ? action.actions[index].name : "?"
        return "not run: item \(index + 1) (\(name)) failed"
    }

    /// The deterministic id of the command for item `itemIndex` of a run caused by `cause`
    /// for the event `eventId`.
    public func commandID(eventId: String, cause: RunCause, itemIndex: Int) -> CommandID {
        let trigger = cause.sourceID?.description ?? "manual"
        return CommandID(
            rawValue: UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: "\(eventId)|\(trigger)|\(itemIndex)")
        )
    }

    /// The process id a command starts: UUIDv5(command id, `"process"`).
    public static func processID(for command: CommandID) -> ProcessID {
        ProcessID(rawValue: UUIDv5.make(namespace: command.rawValue, name: "process"))
    }

    /// Whether Signalbox can have started `processId`: every process it starts has a version-5
    /// UUID (``processID(for:)``), so a finished process with any other id is someone else's and
    /// needs no history lookup.
    public static func mayHaveStarted(_ processId: ProcessID) -> Bool {
        processId.rawValue.uuid.6 >> 4 == 5
    }

    private static func trigger(_ cause: RunCause, event: Event) -> ProcessStartCommand.Body.Trigger {
        switch cause {
        case .message(let id, let type):
            .init(type: .message, id: ExecutionSourceID(id), eventType: type, sourceEventId: event.id)
        case .schedule(let id, let occurrence):
            .init(type: .schedule, id: ExecutionSourceID(id), sourceEventId: event.id, scheduledAt: occurrence)
        case .manual:
            .init(type: .manual, id: nil, sourceEventId: event.id)
        case .webhook(let id):
            .init(type: .webhook, id: ExecutionSourceID(id), sourceEventId: event.id)
        case .delayed(let id):
            .init(type: .delayed, id: ExecutionSourceID(id), sourceEventId: event.id)
        case .step(let type, let id):
            .init(type: type, id: id, sourceEventId: event.id)
        }
    }

    /// Why an item could not be planned; becomes the history entry's `errorMessage`.
    struct PlanningFailure: Error {
        let message: String
    }

    /// What an item's command carries that may come from the event.
    struct ItemContent {
        /// The item's config, its `$fromEvent` values replaced by the event's.
        var config: ActionConfig
        /// For `interaction-message`: the running interaction, read by `interactionProcessIdFromEvent`.
        var interactionProcessId: String?
    }

    /// `item`'s command content for `event`. An item without `$fromEvent` values keeps its config
    /// as it is (no copy, no lookup).
    static func content(of item: ActionItem, in event: Event) -> Result<ItemContent, PlanningFailure> {
        var content = ItemContent(config: item.config)
        if case .interactionMessage(let config) = item.config {
            switch interactionProcessId(config, in: event) {
            case .success(let id): content.interactionProcessId = id
            case .failure(let failure): return .failure(failure)
            }
        }
        if !item.eventValues.isEmpty {
            switch resolveEventValues(of: item, in: event) {
            case .success(let config): content.config = config
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(content)
    }

    /// The running interaction an `interaction-message` item talks to: the single, non-empty
    /// string its `interactionProcessIdFromEvent` query selects in the event.
    static func interactionProcessId(
        _ config: InteractionMessageConfig,
        in event: Event
    ) -> Result<String, PlanningFailure> {
        let path = config.interactionProcessIdFromEvent
        let field = "interactionProcessIdFromEvent \"\(path.prefix(200))\""
        let query: JSONPathQuery
        do {
            query = try JSONPathQuery(parsing: path)
        } catch {
            return .failure(PlanningFailure(message: "\(field) is not a valid JSONPath query: \(error.message)"))
        }
        let values: [JSONValue]
        do {
            values = try query.values(in: event.body)
        } catch {
            return .failure(PlanningFailure(message: "\(field): \(error) in event \(event.id); no message was sent"))
        }
        switch values.count {
        case 0:
            return .failure(
                PlanningFailure(message: "\(field) selected nothing in event \(event.id); no message was sent")
            )
        case 1:
            break
        default:
            return .failure(
                PlanningFailure(
                    message: "\(field) selected \(values.count) values in event \(event.id), expected one; no message was sent"
                )
            )
        }
        guard case .string(let id) = values[0] else {
            return .failure(
                PlanningFailure(
                    message: "\(field) selected a \(values[0].typeName), not a string, in event \(event.id); no message was sent"
                )
            )
        }
        guard !id.isEmpty else {
            return .failure(
                PlanningFailure(message: "\(field) selected an empty string in event \(event.id); no message was sent")
            )
        }
        return .success(id)
    }
}

extension CommandPlanner {
    /// The history of occurrences of `schedule` that did not run: one `Skipped` entry per item,
    /// keyed by the last missed occurrence's event, so recording them again changes nothing.
    public func skipped(
        _ action: AutomatedAction, schedule: ScheduleID, missed: MissedOccurrences, explanation: String, at now: Date
    ) -> [ExecutionHistoryEntry] {
        let event = Event.scheduled(schedule, occurrence: missed.last, of: action)
        return plan(action, cause: .schedule(schedule, occurrence: missed.last), for: event, at: now).history.map { entry in
            var entry = entry
            entry.outcome = .skipped
            entry.dateCompleted = now
            entry.errorMessage = explanation
            return entry
        }
    }
}
