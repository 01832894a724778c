import HTTPTypes
import Hummingbird

/// `405 methodNotAllowed` with an `Allow` header for a known path asked with a method it does not
/// serve (RFC 9110 §15.5.6); Hummingbird alone answers 404, as if the path did not exist.
extension SignalboxAPI {
    /// The methods a client may plausibly try: HTTP's own, plus QUERY (the safe GET with a body).
    static let refusedMethods: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!,
    ]

    /// Registers the refusal on every path of `router` for each method in ``refusedMethods`` the
    /// path does not serve. Call it after every route is added: HEAD is served wherever GET is
    /// (the router generates it), so `Allow` lists it there.
    func addMethodNotAllowedRoutes(to router: Router<APIRequestContext>) {
        let methodsByPath = Dictionary(grouping: router.routes, by: \.path.description)
        for routes in methodsByPath.values {
            var served = Set(routes.map(\.method))
            if served.contains(.get) { served.insert(.head) }
            let allow = Self.refusedMethods.filter(served.contains).map(\.rawValue).joined(separator: ", ")
            for method in Self.refusedMethods where !served.contains(method) {
                router.on(routes[0].path, method: method, responder: MethodNotAllowedResponder(allow: allow))
            }
        }
    }
}

struct MethodNotAllowedResponder: HTTPResponder {
    typealias Context = APIRequestContext
    let allow: String

    func respond(to request: Request, context: APIRequestContext) throws -> Response {
        let error = APIError(
            status: .methodNotAllowed, code: "methodNotAllowed",
            message: "\(request.method) is not served on \(request.uri.path.prefix(200)); allowed: \(allow)")
        var response = JSONResponse.make(error.body, status: .methodNotAllowed)
        response.headers[.allow] = allow
        return response
    }
}
