import Automation
import Hummingbird

/// Definitions as code (`signalbox apply`, `signalbox export`): admin only for apply.
extension SignalboxAPI {
    func addDefinitionRoutes(to api: RouterGroup<APIRequestContext>) {
        // The whole set, validated again here and written in one transaction: all or nothing.
        api.post("/definitions/apply") { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(ApplyDefinitionsRequest.self, context: context)
            return JSONResponse.make(try await service.applyDefinitions(body, as: caller))
        }
        api.get("/definitions/export") { request, context in
            let caller = try context.requireCaller()
            let namespace = try request.queryNamespace()
            return JSONResponse.make(try await service.exportDefinitions(namespace: namespace, as: caller))
        }
    }
}
