import Automation
import Hummingbird

/// A failure as the REST API reports it: an HTTP status and the JSON body
///
/// ```json
/// {"error": {"code": "invalidInput", "status": 400, "message": "…", "field": "hour",
///            "position": {"line": 1, "column": 3, "start": 2, "end": 3}, "hint": "…"}}
/// ```
///
/// `code` is the stable, machine-readable part (``AutomationError/Code`` names plus
/// `payloadTooLarge`, `methodNotAllowed` and `internal`); `field`, `position` and `hint` are
/// present only when known. Messages never quote secrets or event payloads.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var position: SourcePosition?
    public var hint: String?

    public init(
        status: HTTPResponse.Status, code: String, message: String, field: String? = nil,
        position: SourcePosition? = nil, hint: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.position = position
        self.hint = hint
    }

    /// The API form of a domain error: its code decides the status.
    public init(_ error: AutomationError) {
        self.init(
            status: HTTPResponse.Status(code: error.code.httpStatus), code: error.code.description,
            message: error.message, field: error.field, position: error.position, hint: error.hint)
    }

    public var description: String {
        var text = "\(status.code) \(code)"
        if let field { text += " \(field)" + (position.map { " \($0)" } ?? "") }
        return text + ": \(message)"
    }

    /// A 400 naming `field`.
    static func invalidInput(_ message: String, field: String? = nil, position: SourcePosition? = nil, hint: String? = nil) -> APIError {
        APIError(status: .badRequest, code: "invalidInput", message: message, field: field, position: position, hint: hint)
    }

    /// The JSON body.
    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var status: Int
            var message: String
            var field: String?
            var position: SourcePosition?
            var hint: String?
        }

        var error: Detail
    }

    var body: Body {
        Body(error: .init(code: code, status: status.code, message: message, field: field, position: position, hint: hint))
    }
}

extension APIError {
    /// Classifies any error a handler or middleware threw. Only errors that are not the
    /// request's fault end as `500 internal`; everything a client can cause maps to a 4xx.
    static func classify(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as AutomationError:
            return APIError(error)
        case is DecodingError:
            return APIError(AutomationError(decoding: error))
        case let error as any HTTPResponseError:
            return APIError(httpStatus: error.status, message: (error as? HTTPError)?.body)
        case is CancellationError:
            return APIError(status: .serviceUnavailable, code: "unavailable", message: "the request was cancelled")
        default:
            return APIError(status: .internalServerError, code: "internal", message: "an unexpected error occurred; it has been logged")
        }
    }

    /// An error Hummingbird raised with a bare status (unknown route, body too large, …).
    init(httpStatus status: HTTPResponse.Status, message: String?) {
        let code: String
        let defaultMessage: String
        switch status.code {
        case 400: (code, defaultMessage) = ("invalidInput", "the request is malformed")
        case 401: (code, defaultMessage) = ("unauthorized", "missing or unknown bearer token")
        case 403: (code, defaultMessage) = ("forbidden", "not allowed")
        case 404: (code, defaultMessage) = ("notFound", "no such resource")
        case 405: (code, defaultMessage) = ("methodNotAllowed", "method not allowed on this path")
        case 413: (code, defaultMessage) = ("payloadTooLarge", "the request body is too large")
        case 503: (code, defaultMessage) = ("unavailable", "the service is unavailable; retry later")
        case 500...: (code, defaultMessage) = ("internal", "an unexpected error occurred; it has been logged")
        default: (code, defaultMessage) = ("invalidInput", status.reasonPhrase.isEmpty ? "the request was refused" : status.reasonPhrase)
        }
        self.init(status: status, code: code, message: message ?? defaultMessage)
    }
}
