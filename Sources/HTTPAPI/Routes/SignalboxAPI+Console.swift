import Automation
import Foundation
import Hummingbird

/// The web console (docs/console.md): its static assets under `/ui` (no token: they hold no
/// data) and the endpoints it reads beyond the seed's API — who the token is, an actions list
/// with run summaries, a schedule's next occurrences, and the live history stream.
extension SignalboxAPI {
    func addConsoleAssetRoutes(to router: Router<APIRequestContext>) {
        router.get("/ui") { _, _ in try ConsoleAssets.response(for: "index.html") }
        router.get("/ui/{asset}") { _, context in try ConsoleAssets.response(for: try context.pathText("asset")) }
    }

    func addConsoleRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("/whoami") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(WhoAmIResponse(tenantId: caller.tenantId, role: caller.role, tokenId: caller.tokenId))
        }
        // One request per page of the actions list, summaries counted by the store in one read.
        api.get("/automated-actions/summary") { request, context in
            let caller = try context.requireCaller()
            let namespace = try request.queryNamespace()
            let page = try await service.actionSummaries(
                try request.actionListFilter(namespace: namespace), page: try request.pageRequest(), as: caller)
            return JSONResponse.make(PageResponse(items: page.items.map(ActionSummaryRow.init), nextCursor: page.nextCursor))
        }
        api.get("/automated-actions/by-id/{id}/schedules/{scheduleId}/occurrences") { request, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("scheduleId", as: ScheduleID.self)
            let count = try request.queryInt("count", default: 5, range: 1...AutomationService.maximumOccurrences)
            let (schedule, dates) = try await service.occurrences(of: id, in: try context.actionReference(), count: count, as: caller)
            return JSONResponse.make(OccurrencesResponse(schedule: schedule, dates: dates))
        }
        api.get("/events/recent") { request, context in
            let caller = try context.requireCaller()
            let limit = try request.queryInt("limit", default: RecentEvents.perTenant, range: 1...RecentEvents.perTenant)
            return JSONResponse.make(Array(recentEvents.events(of: caller.tenantId).prefix(limit)))
        }
        api.get("/history/stream") { _, context in
            let caller = try context.requireCaller()
            guard let subscription = historyFeed.subscribe() else {
                throw AutomationError.unavailable("too many live history streams are open; try again later")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                    Self.accelBufferingHeader: "no",
                ],
                body: ResponseBody { [service, historyFeed] writer in
                    defer { historyFeed.unsubscribe(subscription) }
                    let stream = HistoryStream(subscription: subscription, caller: caller, service: service)
                    try await stream.run(writer: &writer)
                })
        }
    }

    /// Asks proxies (nginx) not to buffer the event stream.
    static let accelBufferingHeader = HTTPFields.Element.Name("X-Accel-Buffering")!
}

/// `GET /whoami`: the tenant and role the bearer token stands for.
struct WhoAmIResponse: Encodable {
    var tenantId: TenantID
    var role: Role
    var tokenId: TokenID?
}

/// One row of `GET /automated-actions/summary`: what the actions list shows, nothing more.
struct ActionSummaryRow: Encodable {
    var id: ActionID
    var namespace: NamespaceName
    var name: String
    var status: ActionStatus
    var triggerKinds: [TriggerKind]
    var nextRunAt: Date?
    var lastRunAt: Date?
    var lastOutcome: ExecutionOutcome?
    var successes: Int
    var failures: Int
    var successRate: Double?
    var consecutiveFailures: Int
    var totalExecutions: Int
    var pausedReason: String?
    var managedBy: ActionManager?

    init(_ summary: ActionSummary) {
        let action = summary.action
        id = action.id
        namespace = action.namespace
        name = action.name
        status = action.status
        triggerKinds = TriggerKind.allCases.filter { ActionListFilter(trigger: $0).includes(action) }
        nextRunAt = action.nextScheduledRunAt
        lastRunAt = summary.runs.last?.dateStarted
        lastOutcome = summary.runs.last?.outcome
        successes = summary.runs.successes
        failures = summary.runs.failures
        successRate = summary.runs.successRate
        consecutiveFailures = action.consecutiveFailures
        totalExecutions = action.totalExecutions
        pausedReason = action.pausedReason
        managedBy = action.managedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, namespace, name, status, triggerKinds, nextRunAt, lastRunAt, lastOutcome, successes, failures
        case successRate, consecutiveFailures, totalExecutions, pausedReason, managedBy
    }

    /// Nulls written as `null`, as the seed's shapes do.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(triggerKinds, forKey: .triggerKinds)
        try c.encode(nextRunAt, forKey: .nextRunAt)
        try c.encode(lastRunAt, forKey: .lastRunAt)
        try c.encode(lastOutcome, forKey: .lastOutcome)
        try c.encode(successes, forKey: .successes)
        try c.encode(failures, forKey: .failures)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encode(totalExecutions, forKey: .totalExecutions)
        try c.encode(pausedReason, forKey: .pausedReason)
        try c.encode(managedBy, forKey: .managedBy)
    }
}

/// `GET …/schedules/{scheduleId}/occurrences`: each instant in UTC and on the schedule's wall clock.
struct OccurrencesResponse: Encodable {
    struct Occurrence: Encodable {
        /// RFC 3339 in UTC (`Z`).
        var utc: String
        /// RFC 3339 on the schedule's wall clock, with its offset (`2027-03-28T03:00:00+02:00`).
        var local: String
    }

    var scheduleId: ScheduleID
    var timeZone: String
    var occurrences: [Occurrence]

    init(schedule: CronScheduleDefinition, dates: [Date]) {
        scheduleId = schedule.id
        timeZone = schedule.timeZone
        let zone = TimeZone(identifier: schedule.timeZone) ?? .gmt
        occurrences = dates.map { Occurrence(utc: Self.rfc3339($0, in: .gmt), local: Self.rfc3339($0, in: zone)) }
    }

    /// Whole seconds, the zone's offset at that instant (`Z` for UTC).
    static func rfc3339(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = zone.secondsFromGMT(for: date)
        let wall = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        guard zone.identifier != "GMT" || offset != 0 else { return wall + "Z" }
        let sign = offset < 0 ? "-" : "+"
        return wall + String(format: "%@%02d:%02d", sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    }
}
