import Automation
import Hummingbird

/// Actions: create, read, list, update, lifecycle (activate, pause/resume, archive), delete, bulk.
extension SignalboxAPI {
    func addActionRoutes(to api: RouterGroup<APIRequestContext>) {
        // Seed 000: create in a namespace; list and get by name beside it.
        api.post("/namespaces/{ns}/automated-actions") { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(CreateActionRequest.self, context: context)
            let change = try await service.createAction(body, namespace: try context.namespace(), as: caller)
            var response = JSONResponse.make(ActionResponse(change), status: .created)
            response.headers[.location] = "/automated-actions/by-id/\(change.action.id)"
            return response
        }
        api.get("/namespaces/{ns}/automated-actions") { request, context in
            let caller = try context.requireCaller()
            let filter = try request.actionListFilter(namespace: try context.namespace())
            let page = try await service.listActions(filter, page: try request.pageRequest(), as: caller)
            return JSONResponse.make(PageResponse(page))
        }
        // Every namespace of the tenant, `?namespace=` to narrow.
        api.get("/automated-actions") { request, context in
            let caller = try context.requireCaller()
            let namespace = try request.queryNamespace()
            let page = try await service.listActions(
                try request.actionListFilter(namespace: namespace), page: try request.pageRequest(), as: caller)
            return JSONResponse.make(PageResponse(page))
        }
        api.get("/namespaces/{ns}/automated-actions/{name}") { _, context in
            let caller = try context.requireCaller()
            let reference = ActionReference.name(try context.pathText("name"), namespace: try context.namespace())
            return JSONResponse.make(ActionResponse(try await service.action(reference, as: caller)))
        }

        // Seed 000: by id.
        api.get("/automated-actions/by-id/{id}") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(ActionResponse(try await service.action(try context.actionReference(), as: caller)))
        }
        api.put("/automated-actions/by-id/{id}") { request, context in
            let caller = try context.requireCaller()
            let reference = try context.actionReference()
            let body = try await request.decodeJSON(UpdateActionRequest.self, context: context)
            return JSONResponse.make(ActionResponse(try await service.updateAction(reference, body, as: caller)))
        }
        api.delete("/automated-actions/by-id/{id}") { _, context in
            let caller = try context.requireCaller()
            try await service.deleteAction(try context.actionReference(), as: caller)
            return JSONResponse.noContent()
        }
        api.post("/automated-actions/by-id/{id}/pause") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(ActionResponse(try await service.pauseAction(try context.actionReference(), as: caller)))
        }
        api.post("/automated-actions/by-id/{id}/resume") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(ActionResponse(try await service.resumeAction(try context.actionReference(), as: caller)))
        }
        api.post("/automated-actions/by-id/{id}/activate") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(ActionResponse(try await service.activateAction(try context.actionReference(), as: caller)))
        }
        api.post("/automated-actions/by-id/{id}/archive") { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(ActionResponse(try await service.archiveAction(try context.actionReference(), as: caller)))
        }

        // Statistics: the tenant's, and one action's.
        api.get("/automated-actions/stats") { request, context in
            let caller = try context.requireCaller()
            let window = try request.queryEnum("window", as: StatisticsWindow.self) ?? .day
            return JSONResponse.make(try await service.statistics(window: window, as: caller))
        }
        api.get("/automated-actions/by-id/{id}/stats") { request, context in
            let caller = try context.requireCaller()
            let window = try request.queryEnum("window", as: StatisticsWindow.self) ?? .day
            return JSONResponse.make(try await service.statistics(of: try context.actionReference(), window: window, as: caller))
        }

        // Seed 001: bulk pause, resume and delete.
        api.post("/automated-actions/bulk") { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(BulkRequest.self, context: context)
            let results = try await service.bulk(body.operation, actionIds: body.actionIds, as: caller)
            let succeeded = results.filter(\.succeeded).count
            return JSONResponse.make(
                BulkResponse(operation: body.operation, succeeded: succeeded, failed: results.count - succeeded, results: results))
        }
    }
}

extension Request {
    /// `?status=` and `?trigger=` of an action list, each one of its known values.
    func actionListFilter(namespace: NamespaceName?) throws -> ActionListFilter {
        ActionListFilter(namespace: namespace, status: try queryEnum("status", as: ActionStatus.self), trigger: try queryEnum("trigger", as: TriggerKind.self))
    }
}

extension APIRequestContext {
    /// The action of a `/automated-actions/by-id/{id}/…` path.
    func actionReference() throws -> ActionReference {
        .id(try pathID("id", as: ActionID.self))
    }
}
