import Foundation
import Cron

/// What the web console reads beyond the seed's API: an actions list with run summaries, a
/// filtered history, and a schedule's next occurrences.
extension AutomationService {
    /// The most occurrences of one schedule a caller may ask for at once.
    public static let maximumOccurrences = 100

    /// The tenant's actions that `filter` includes, a page at a time, each with its run summary
    /// (one store read for the page's summaries).
    public func actionSummaries(
        _ filter: ActionListFilter, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<ActionSummary> {
        let actions = try await listActions(filter, page: page, as: caller)
        let ids = actions.items.map(\.id)
        let summaries = try await storeCall { try await store.runSummaries(actionIds: ids) }
        let byId = Dictionary(summaries.map { ($0.actionId, $0) }, uniquingKeysWith: { first, _ in first })
        return Page(
            items: actions.items.map { ActionSummary(action: $0, runs: byId[$0.id] ?? ActionRunSummary(actionId: $0.id)) },
            nextCursor: actions.nextCursor)
    }

    /// An action's history that `filter` includes, newest first, a page at a time.
    public func history(
        of reference: ActionReference, filter: HistoryFilter, page: PageRequest = PageRequest(), as caller: Caller
    ) async throws(AutomationError) -> Page<ExecutionHistoryEntry> {
        try validatePage(page)
        let action = try await resolve(reference, caller)
        return try await storeCall { try await store.history(actionId: action.id, filter: filter, page: page) }
    }

    /// The next `count` instants a schedule of an action fires at, after now (whether or not the
    /// schedule or the action is enabled: the console shows what it would do), with the schedule.
    public func occurrences(
        of scheduleId: ScheduleID, in reference: ActionReference, count: Int, as caller: Caller
    ) async throws(AutomationError) -> (schedule: CronScheduleDefinition, dates: [Date]) {
        guard (1...Self.maximumOccurrences).contains(count) else {
            throw .invalidInput("count must be between 1 and \(Self.maximumOccurrences)", field: "count")
        }
        let action = try await resolve(reference, caller)
        guard let definition = action.schedule(scheduleId) else {
            throw .notFound("schedule \(scheduleId) does not exist", field: "scheduleId")
        }
        let schedule: CronSchedule
        do {
            schedule = try definition.makeSchedule()
        } catch {
            throw .invalidInput("the schedule cannot be evaluated: \(error)", field: "scheduleId")
        }
        return (definition, Array(schedule.occurrences(after: now()).prefix(count)))
    }
}
