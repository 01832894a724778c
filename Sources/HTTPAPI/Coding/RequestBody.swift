import Automation
import Foundation
import Hummingbird

extension Request {
    /// Decodes the JSON body as `T`, or throws a 400 that says what is wrong and where: the
    /// line and column of a syntax error, the JSON path of a missing or mistyped member.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: APIRequestContext) async throws -> T {
        try Self.decodeJSON(T.self, Array(try await body.collect(upTo: context.maxUploadSize).readableBytesView))
    }

    /// ``decodeJSON(_:context:)`` for a body that may be left out: nil when it is empty.
    func decodeJSONIfPresent<T: Decodable>(_ type: T.Type, context: APIRequestContext) async throws -> T? {
        let bytes = Array(try await body.collect(upTo: context.maxUploadSize).readableBytesView)
        return bytes.isEmpty ? nil : try Self.decodeJSON(T.self, bytes)
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        if let failure = JSONSyntaxLocator.firstError(in: bytes) {
            throw APIError.invalidInput(
                "the body is not valid JSON: \(failure.message) at line \(failure.line), column \(failure.column)",
                field: "body",
                position: SourcePosition(line: failure.line, column: failure.column, span: failure.offset..<(failure.offset + 1)))
        }
        do {
            return try AutomationJSON.decoder().decode(T.self, from: Data(bytes))
        } catch {
            throw APIError(AutomationError(decoding: error))
        }
    }

}
