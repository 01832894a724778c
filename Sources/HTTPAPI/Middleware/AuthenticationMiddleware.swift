import Automation
import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a ``Caller`` through the service (which looks the
/// token up by its SHA-256 hash) and stores it in the context; 401 when the header is missing,
/// malformed or names no token (or an expired one); 403 for a viewer token's writes; 429 with
/// `Retry-After` for a token over its request rate.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let service: AutomationService
    /// Each token's requests per second (nil: unlimited).
    let rates: TokenBucketLimiter<TokenID>
    let limit: WebhookRateLimit?

    func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw AutomationError.unauthorized("missing Authorization header; send \"Authorization: Bearer <token>\"")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AutomationError.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        var context = context
        let caller = try await service.authenticate(bearerToken: String(parts[1]))
        // A viewer reads: GET, and the filter tester, which changes nothing.
        if !caller.role.canWrite && request.method != .get && request.method != .head && request.uri.path != "/filters/test" {
            throw AutomationError.forbidden("a viewer token only reads; \(request.method) \(request.uri.path) needs a member or admin token")
        }
        if let limit, let token = caller.tokenId, let wait = rates.take(token, limit: limit, at: Date()) {
            var response = JSONResponse.make(
                APIError(
                    status: .tooManyRequests, code: "rateLimited",
                    message: "this token makes at most \(limit.perSecond) requests per second (burst \(limit.burst)); retry after the Retry-After seconds"
                ).body, status: .tooManyRequests)
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        }
        context.caller = caller
        return try await next(request, context)
    }
}
