import Automation
import Hummingbird

/// The web console's files, compiled into the binary (SwiftPM `embedInCode` resources of
/// `Console/Assets`), served under `/ui` with a Content-Security-Policy that allows only this
/// origin's own scripts, styles and API: no inline script, nothing from elsewhere.
enum ConsoleAssets {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Name → (media type, bytes).
    static let files: [String: (contentType: String, body: ByteBuffer)] = [
        "index.html": ("text/html; charset=utf-8", ByteBuffer(bytes: PackageResources.index_html)),
        "app.js": ("text/javascript; charset=utf-8", ByteBuffer(bytes: PackageResources.app_js)),
        "app.css": ("text/css; charset=utf-8", ByteBuffer(bytes: PackageResources.app_css)),
    ]

    /// The file, or a JSON 404 for any other name.
    static func response(for name: String) throws -> Response {
        guard let file = files[name] else { throw AutomationError.notFound("no console file \(name.prefix(64))", field: "asset") }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType, .contentSecurityPolicy: contentSecurityPolicy, .cacheControl: "no-cache",
                .xContentTypeOptions: "nosniff", Self.referrerPolicy: "no-referrer", Self.frameOptions: "DENY",
            ],
            body: .init(byteBuffer: file.body))
    }

    static let frameOptions = HTTPFields.Element.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
}
