import Automation
import Foundation
import Hummingbird

/// Responses with JSON bodies written by ``AutomationJSON``'s encoder (ISO 8601 dates, nulls
/// kept), so the REST API and the CLI agree on the seed's shapes.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data: Data
        do {
            data = try AutomationJSON.encoder().encode(value)
        } catch {
            // Only non-finite doubles can fail here (never produced by the domain); answer with
            // a fixed body rather than an empty one.
            data = Data(#"{"error":{"code":"internal","status":500,"message":"the response could not be encoded"}}"#.utf8)
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `204 No Content`.
    static func noContent() -> Response {
        Response(status: .noContent)
    }
}
