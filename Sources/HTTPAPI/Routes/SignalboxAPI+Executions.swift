import Automation
import Hummingbird

/// Running actions and reading what ran: manual trigger, history, the upcoming-runs calendar.
extension SignalboxAPI {
    func addExecutionRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("/automated-actions/by-id/{id}/trigger") { request, context in
            let caller = try context.requireCaller()
            let key = request.headers[Self.idempotencyKeyHeader]
            let result = try await service.triggerManually(try context.actionReference(), idempotencyKey: key, as: caller)
            var response = JSONResponse.make(TriggerResponse(result), status: .accepted)
            // As Stripe and the IETF draft do: say that this answer repeats an earlier one.
            if result.replayed { response.headers[Self.idempotentReplayedHeader] = "true" }
            return response
        }
        // Seed 000 answers with a bare array; the next page's cursor travels in a header.
        api.get("/automated-actions/by-id/{id}/history") { request, context in
            let caller = try context.requireCaller()
            let filter = HistoryFilter(
                outcome: try request.queryEnum("outcome", as: ExecutionOutcome.self),
                triggerType: try request.queryEnum("triggerType", as: ExecutionTriggerType.self))
            let page = try await service.history(of: try context.actionReference(), filter: filter, page: try request.pageRequest(), as: caller)
            var response = JSONResponse.make(page.items)
            if let cursor = page.nextCursor { response.headers[Self.nextCursorHeader] = cursor }
            return response
        }
        // Seed 001's calendar view: next runs across the tenant's actions, earliest first.
        api.get("/automated-actions/upcoming") { request, context in
            let caller = try context.requireCaller()
            let limit = try request.queryInt("limit", default: 20, range: 1...service.limits.upcomingRuns)
            let namespace = try request.queryNamespace()
            let runs = try await service.upcomingRuns(
                limit: limit, until: try request.queryDate("until"), namespace: namespace, from: try request.queryDate("from"), as: caller)
            return JSONResponse.make(runs)
        }
    }

    /// Request header of a manual run's idempotency key (draft-ietf-httpapi-idempotency-key-header).
    static let idempotencyKeyHeader = HTTPFields.Element.Name("Idempotency-Key")!
    /// Response header set when a manual run's answer is that of an earlier request with the same key.
    static let idempotentReplayedHeader = HTTPFields.Element.Name("Idempotent-Replayed")!

    /// Response header carrying the cursor of the next history page.
    static let nextCursorHeader = HTTPFields.Element.Name("X-Next-Cursor")!  // HTTPField, which Hummingbird does not re-export
}
