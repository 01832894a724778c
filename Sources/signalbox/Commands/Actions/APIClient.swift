import Automation
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client of the Signalbox REST API for the CLI verbs: sends JSON with the bearer
/// token, returns the body of a 2xx answer, and turns anything else into an ``APIClientError``
/// carrying the server's error message.
struct APIClient {
    let server: URL
    let token: String?

    /// Sends `method path` with an optional JSON body; the body of a 2xx answer.
    func send(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil, headers: [String: String] = [:]
    ) async throws(APIClientError) -> Data {
        guard var components = URLComponents(url: server, resolvingAgainstBaseURL: false) else {
            throw APIClientError(message: "--server \(server) is not a URL")
        }
        components.percentEncodedPath = components.percentEncodedPath.trimmingSuffix("/") + path
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw APIClientError(message: "cannot build a URL for \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw APIClientError(message: "cannot reach the server at \(server.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw APIClientError(status: status, body: data) }
        return data
    }

    /// Path segment escaping for names (`/namespaces/{ns}/automated-actions/{name}`).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A failed call: the server's error (code, field, position, message, hint) or a transport
/// problem. `description` is what the CLI prints after `error: `.
struct APIClientError: Error, CustomStringConvertible {
    var status: Int?
    var code: String?
    var message: String
    /// The request field the server blames, and its own message (without the field): what
    /// `apply` maps back to a file position.
    var field: String?
    var serverMessage: String?

    init(message: String) {
        self.message = message
    }

    /// Reads the server's `{"error": {...}}` body; falls back to the status and raw text.
    init(status: Int, body: Data) {
        self.status = status
        struct Body: Decodable {
            struct Detail: Decodable {
                var code: String
                var message: String
                var field: String?
                var position: SourcePosition?
                var hint: String?
            }
            var error: Detail
        }
        if let parsed = try? JSONDecoder().decode(Body.self, from: body) {
            code = parsed.error.code
            field = parsed.error.field
            serverMessage = parsed.error.message
            var text = ""
            if let field = parsed.error.field {
                text += field + (parsed.error.position.map { " at \($0.line):\($0.column)" } ?? "") + ": "
            }
            text += parsed.error.message
            if let hint = parsed.error.hint { text += " (hint: \(hint))" }
            message = text
        } else {
            let raw = String(decoding: body.prefix(300), as: UTF8.self)
            message = raw.isEmpty ? "the server answered HTTP \(status)" : "HTTP \(status): \(raw)"
        }
    }

    var description: String {
        guard let status else { return message }
        return "\(message) [\(status)\(code.map { " \($0)" } ?? "")]"
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
