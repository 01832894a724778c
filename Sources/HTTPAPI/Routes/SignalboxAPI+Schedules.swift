import Automation
import Hummingbird

/// Cron schedules of an action: add (seed 000), enable, disable, remove.
extension SignalboxAPI {
    func addScheduleRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("/automated-actions/by-id/{id}/schedules") { request, context in
            let caller = try context.requireCaller()
            let reference = try context.actionReference()
            let body = try await request.decodeJSON(AddScheduleRequest.self, context: context)
            let action = try await service.addSchedule(body, to: reference, as: caller)
            return JSONResponse.make(ActionResponse(action), status: .created)
        }
        api.post("/automated-actions/by-id/{id}/schedules/{scheduleId}/enable") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("scheduleId", as: ScheduleID.self)
            return JSONResponse.make(ActionResponse(try await service.enableSchedule(id, of: try context.actionReference(), as: caller)))
        }
        api.post("/automated-actions/by-id/{id}/schedules/{scheduleId}/disable") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("scheduleId", as: ScheduleID.self)
            return JSONResponse.make(ActionResponse(try await service.disableSchedule(id, of: try context.actionReference(), as: caller)))
        }
        api.delete("/automated-actions/by-id/{id}/schedules/{scheduleId}") { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("scheduleId", as: ScheduleID.self)
            return JSONResponse.make(ActionResponse(try await service.removeSchedule(id, from: try context.actionReference(), as: caller)))
        }
    }
}
