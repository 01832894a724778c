import Automation
import Hummingbird

/// Message triggers of an action: add (seed 000), enable, disable, remove.
extension SignalboxAPI {
    func addTriggerRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("/automated-actions/by-id/{id}/message-triggers") { request, context in
            let caller = try context.requireCaller()
            let reference = try context.actionReference()
            let body = try await request.decodeJSON(AddTriggerRequest.self, context: context)
            let change = try await service.addTrigger(body, to: reference, as: caller)
            return JSONResponse.make(ActionResponse(change), status: .created)
        }
        api.post("/automated-actions/by-id/{id}/message-triggers/{triggerId}/enable") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("triggerId", as: TriggerID.self)
            return JSONResponse.make(ActionResponse(try await service.enableTrigger(id, of: try context.actionReference(), as: caller)))
        }
        api.post("/automated-actions/by-id/{id}/message-triggers/{triggerId}/disable") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("triggerId", as: TriggerID.self)
            return JSONResponse.make(ActionResponse(try await service.disableTrigger(id, of: try context.actionReference(), as: caller)))
        }
        api.delete("/automated-actions/by-id/{id}/message-triggers/{triggerId}") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("triggerId", as: TriggerID.self)
            return JSONResponse.make(ActionResponse(try await service.removeTrigger(id, from: try context.actionReference(), as: caller)))
        }
    }
}
