import Automation
import Hummingbird

/// Tools: the filter tester (touches no stored data) and the history clean-up (admin).
extension SignalboxAPI {
    func addToolRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("/filters/test") { request, context in
            _ = try context.requireCaller()
            let body = try await request.decodeJSON(FilterTestRequest.self, context: context)
            return JSONResponse.make(try service.testFilter(body))
        }
        api.post("/maintenance/history-cleanup") { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(HistoryCleanupRequest.self, context: context)
            return JSONResponse.make(try await service.cleanUpHistory(body, as: caller))
        }
    }
}
