import Automation
import Hummingbird

/// Tools that touch no stored data: the filter tester.
extension SignalboxAPI {
    func addToolRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("/filters/test") { request, context in
            _ = try context.requireCaller()
            let body = try await request.decodeJSON(FilterTestRequest.self, context: context)
            return JSONResponse.make(try service.testFilter(body))
        }
    }
}
