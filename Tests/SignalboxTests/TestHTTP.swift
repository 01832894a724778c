import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The tests' HTTP client for a running `serve`: AsyncHTTPClient on SwiftNIO.
///
/// Not URLSession: on Linux it drives curl's sockets with dispatch sources, a family of teardown
/// races that crash libdispatch's event loop (swift-corelibs-foundation#4791, #5469) and that a
/// full run here died of once; and cancelling a task that awaited it deadlocked a run.
enum TestHTTP {
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// A client with room for many waiting requests to one host (a load of its own).
    static let load: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 100
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends one request to `url` and reads the whole answer, within `timeout`.
    static func send(
        _ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], body: Data? = nil,
        timeout: Duration = .seconds(30), client: HTTPClient = .shared
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .init(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }
}
