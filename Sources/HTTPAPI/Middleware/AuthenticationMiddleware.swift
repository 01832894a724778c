import Automation
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a ``Caller`` through the service (which looks the
/// token up by its SHA-256 hash) and stores it in the context; 401 when the header is missing,
/// malformed or names no token.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let service: AutomationService

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
        context.caller = try await service.authenticate(bearerToken: String(parts[1]))
        return try await next(request, context)
    }
}
