import Automation
import Foundation
import Hummingbird

/// Delayed runs: `POST …/runs` stores a run for later and answers once it is durable; list, get,
/// cancel one, cancel by key.
extension SignalboxAPI {
    func addDelayedRunRoutes(to api: RouterGroup<APIRequestContext>) {
        let path = "/automated-actions/by-id/{id}/runs"
        api.post(RouterPath(path)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(ScheduleRunRequest.self, context: context)
            let key = request.headers[Self.idempotencyKeyHeader]
            let (run, created) = try await service.scheduleRun(body, of: try context.actionReference(), idempotencyKey: key, as: caller)
            var response = JSONResponse.make(ScheduledRunReceipt(run), status: .accepted)
            response.headers[.location] = "/automated-actions/by-id/\(run.actionId)/runs/\(run.id)"
            if !created { response.headers[Self.idempotentReplayedHeader] = "true" }
            return response
        }
        api.get(RouterPath(path)) { request, context in
            let caller = try context.requireCaller()
            let status = try request.queryEnum("status", as: DelayedRunStatus.self)
            return JSONResponse.make(PageResponse(
                try await service.delayedRuns(of: try context.actionReference(), status: status, page: try request.pageRequest(), as: caller)))
        }
        api.delete(RouterPath(path)) { request, context in
            let caller = try context.requireCaller()
            guard let key = try request.query("key") else {
                throw APIError.invalidInput("give ?key= to cancel the runs with that key, or DELETE …/runs/{runId}", field: "key")
            }
            let cancelled = try await service.cancelDelayedRuns(key: key, of: try context.actionReference(), as: caller)
            return JSONResponse.make(CancelledRuns(cancelled: cancelled))
        }
        api.get(RouterPath(path + "/{runId}")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("runId", as: DelayedRunID.self)
            return JSONResponse.make(try await service.delayedRun(id, of: try context.actionReference(), as: caller))
        }
        api.delete(RouterPath(path + "/{runId}")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("runId", as: DelayedRunID.self)
            return JSONResponse.make(try await service.cancelDelayedRun(id, of: try context.actionReference(), as: caller))
        }
    }
}

/// 202 of `POST …/runs`: `{"outcome": "scheduled", "runId", "scheduledFor", "key"}`.
struct ScheduledRunReceipt: Codable, Sendable {
    var outcome = "scheduled"
    var runId: DelayedRunID
    var scheduledFor: Date
    var key: String?

    init(_ run: DelayedRun) {
        runId = run.id
        scheduledFor = run.dueAt
        key = run.key
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(runId, forKey: .runId)
        try c.encode(scheduledFor, forKey: .scheduledFor)
        try c.encode(key, forKey: .key)
    }
}

/// 200 of `DELETE …/runs?key=`: the runs cancelled (none is not an error).
struct CancelledRuns: Codable, Sendable {
    var cancelled: [DelayedRun]
}
