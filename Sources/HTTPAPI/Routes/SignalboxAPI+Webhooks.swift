import Automation
import Foundation
import HTTPTypes
import Hummingbird
import StandardWebhooks

/// Webhooks of an action (add, list, get, enable, disable, rotate the secret, remove), and the
/// calls to them: `POST /hooks/{webhookId}`, which needs no bearer token.
extension SignalboxAPI {
    /// The largest webhook body taken; larger ones are answered 413.
    static let webhookBodyLimit = 1 << 20

    func addWebhookRoutes(to api: RouterGroup<APIRequestContext>) {
        let path = "/automated-actions/by-id/{id}/webhooks"
        api.post(RouterPath(path)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(AddWebhookRequest.self, context: context)
            let created = try await service.addWebhook(body, to: try context.actionReference(), as: caller)
            var response = JSONResponse.make(created, status: .created)
            response.headers[.location] = created.webhook.path
            return response
        }
        api.get(RouterPath(path)) { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(["items": try await service.webhooks(of: try context.actionReference(), as: caller)])
        }
        api.get(RouterPath(path + "/{webhookId}")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("webhookId", as: WebhookID.self)
            return JSONResponse.make(try await service.webhook(id, of: try context.actionReference(), as: caller))
        }
        api.post(RouterPath(path + "/{webhookId}/enable")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("webhookId", as: WebhookID.self)
            return JSONResponse.make(try await service.enableWebhook(id, of: try context.actionReference(), as: caller))
        }
        api.post(RouterPath(path + "/{webhookId}/disable")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("webhookId", as: WebhookID.self)
            return JSONResponse.make(try await service.disableWebhook(id, of: try context.actionReference(), as: caller))
        }
        api.post(RouterPath(path + "/{webhookId}/rotate-secret")) { request, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("webhookId", as: WebhookID.self)
            // The body is optional: an empty one rotates with the default grace.
            let rotation = try await request.decodeJSONIfPresent(RotateWebhookSecretRequest.self, context: context) ?? RotateWebhookSecretRequest()
            return JSONResponse.make(try await service.rotateWebhookSecret(id, of: try context.actionReference(), rotation, as: caller))
        }
        api.delete(RouterPath(path + "/{webhookId}")) { _, context in
            let caller = try context.requireCaller()
            let id = try context.pathID("webhookId", as: WebhookID.self)
            try await service.removeWebhook(id, from: try context.actionReference(), as: caller)
            return JSONResponse.noContent()
        }
    }

    /// The signing secret of the action's `webhook` items (requests out).
    func addSigningSecretRoutes(to api: RouterGroup<APIRequestContext>) {
        let path = "/automated-actions/by-id/{id}/signing-secret"
        api.get(RouterPath(path)) { _, context in
            let caller = try context.requireCaller()
            return JSONResponse.make(try await service.signingSecret(of: try context.actionReference(), as: caller))
        }
        api.post(RouterPath(path + "/rotate")) { request, context in
            let caller = try context.requireCaller()
            let rotation = try await request.decodeJSONIfPresent(RotateWebhookSecretRequest.self, context: context) ?? RotateWebhookSecretRequest()
            return JSONResponse.make(try await service.rotateSigningSecret(of: try context.actionReference(), rotation, as: caller))
        }
    }

    func addWebhookCallRoutes(to router: Router<APIRequestContext>) {
        router.post("/hooks/{webhookId}") { request, context in
            // A malformed id is as unknown as a well-formed one that names nothing.
            guard let id = context.parameters.get("webhookId").flatMap(WebhookID.init) else {
                throw AutomationError.notFound("no webhook at this address")
            }
            let target = try await service.webhookTarget(id)
            let now = service.clock.now()
            // Headers and query decide what they can before the body is read: a call that cannot
            // authenticate costs no read of up to 1 MiB and no HMAC.
            var body: [UInt8] = []
            let failure: String?
            switch authenticationBeforeTheBody(request, for: target, at: now) {
            case .refused(let reason):
                failure = reason
            case .accepted:
                body = Array(try await request.body.collect(upTo: Self.webhookBodyLimit).readableBytesView)
                failure = nil
            case .signatureOverTheBody:
                body = Array(try await request.body.collect(upTo: Self.webhookBodyLimit).readableBytesView)
                failure = signatureFailure(request, body: body, for: target, at: now)
            }
            if let failure {
                logger.info("webhook call refused: not authenticated", metadata: [
                    "webhook_id": "\(id)", "reason": "\(failure)", "hb.request.id": "\(context.id)",
                ])
                throw APIError(status: .unauthorized, code: "unauthorized", message: "webhook authentication failed")
            }
            if let wait = webhookRates.take(id, limit: target.webhook.rateLimit, at: now) {
                var response = JSONResponse.make(APIError(
                    status: .tooManyRequests, code: "rateLimited",
                    message: "this webhook takes at most \(target.webhook.rateLimit.perSecond) calls per second (burst \(target.webhook.rateLimit.burst))"
                ).body, status: .tooManyRequests)
                response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
                return response
            }
            // A `?secret=` sender names its retries with Idempotency-Key (seed 001 has no webhook-id).
            let messageID = request.headers[values: .webhookID].first ?? request.headers[Self.idempotencyKeyHeader]
            let call = WebhookCall(
                messageID: messageID, body: body, contentType: request.headers[.contentType],
                headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) })
            return JSONResponse.make(try await service.receiveWebhook(call, for: target), status: .accepted)
        }
    }

    /// What a call's headers and query decide about its authentication.
    private enum Authentication {
        /// By `?secret=`, where the webhook allows it.
        case accepted
        case refused(_ reason: String)
        /// The Standard Webhooks headers are there and the timestamp is in the window: the
        /// signature over the body decides.
        case signatureOverTheBody
    }

    /// Standard Webhooks headers or, where the webhook allows it and no signature was sent,
    /// `?secret=` (compared in constant time).
    private func authenticationBeforeTheBody(_ request: Request, for target: WebhookTarget, at now: Date) -> Authentication {
        let signatures = request.headers[values: .webhookSignature].first
        if signatures == nil, let given = request.uri.queryParameters.get("secret") {
            guard target.webhook.allowSecretParameter else { return .refused("secret parameter given; this webhook takes signatures only") }
            let secrets = target.credentials.secrets(at: now)
            let matched = secrets.reduce(false) { $0 || StandardWebhooks.constantTimeEqual(Array(given.utf8), Array($1.text.utf8)) }
            return matched ? .accepted : .refused("secret parameter does not match")
        }
        do {
            try StandardWebhooks.checkHeaders(
                messageID: request.headers[values: .webhookID].first, timestamp: request.headers[values: .webhookTimestamp].first,
                signatures: signatures, now: now)
            return .signatureOverTheBody
        } catch {
            return .refused("\(error)")
        }
    }

    /// Why the call's signature does not hold over `body` with a live secret, or nil when it does.
    private func signatureFailure(_ request: Request, body: [UInt8], for target: WebhookTarget, at now: Date) -> String? {
        do {
            try StandardWebhooks.verify(
                messageID: request.headers[values: .webhookID].first, timestamp: request.headers[values: .webhookTimestamp].first,
                signatures: request.headers[values: .webhookSignature].first, body: body,
                keys: target.credentials.secrets(at: now).map(\.key), now: now)
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension HTTPField.Name {
    static let webhookID = HTTPField.Name(StandardWebhooks.idHeader)!
    static let webhookTimestamp = HTTPField.Name(StandardWebhooks.timestampHeader)!
    static let webhookSignature = HTTPField.Name(StandardWebhooks.signatureHeader)!
}
