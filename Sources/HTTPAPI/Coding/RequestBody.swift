import Automation
import Hummingbird
import JSONPath

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

    /// Request bodies nest far less; deep nesting only costs stack in the decoding.
    static let bodyLimits = JSONParser.Limits(maxBytes: .max, maxDepth: 128)

    /// Parses the body once, with `JSONParser`, and decodes `T` from the parsed value.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: bodyLimits)
        } catch {
            throw APIError(AutomationError(invalidJSON: error, in: bytes))
        }
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch {
            throw APIError(AutomationError(decoding: error))
        }
    }
}
