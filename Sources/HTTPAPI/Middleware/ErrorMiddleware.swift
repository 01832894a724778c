import Hummingbird
import Logging

/// Turns every error into the JSON error body (``APIError``), so no client sees Hummingbird's
/// plain-text errors or an empty 500.
///
/// It is the outermost middleware and also wraps the not-found responder, so unknown paths
/// answer `404 notFound` as JSON. Errors a client can cause map to 4xx; what remains is logged
/// with the request id and answered `500 internal` without detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// `Retry-After` of a 503.
    static var unavailableRetryAfterSeconds: Int { 5 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.classify(error)
            if apiError.status.code >= 500 {
                logger.error(
                    "request failed",
                    metadata: [
                        "hb.request.id": "\(context.id)", "method": "\(request.method)", "path": "\(request.uri.path)",
                        "error": "\(String(reflecting: type(of: error)))",
                    ])
            } else {
                logger.debug("request refused", metadata: ["hb.request.id": "\(context.id)", "error": "\(apiError)"])
            }
            var response = JSONResponse.make(apiError.body, status: apiError.status)
            if apiError.status == .unauthorized {
                response.headers[.wwwAuthenticate] = "Bearer realm=\"signalbox\""
            }
            // The store or the broker is away for now: a client that honours it backs off.
            if apiError.status == .serviceUnavailable, response.headers[.retryAfter] == nil {
                response.headers[.retryAfter] = String(Self.unavailableRetryAfterSeconds)
            }
            return response
        }
    }
}
