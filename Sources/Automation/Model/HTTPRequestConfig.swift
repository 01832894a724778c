import Foundation
import JSONPath

/// `$type: webhook` — an HTTP request Signalbox sends itself (seed 001's "Webhook (HTTP
/// Request)": `url`, `method`, `headers`, `body`), signed the Standard Webhooks way with the
/// action's signing secret. Unlike the other kinds it publishes no command.
///
/// `headers` values and `body` may hold `{"$fromEvent": …}` objects. A `body` that is a JSON
/// string is sent as that text; any other JSON is sent serialized, as `application/json` unless
/// `headers` names a `content-type`. Unknown members are refused rather than kept: nothing would
/// read them.
public struct HTTPRequestConfig: Hashable, Sendable, Codable {
    public var url: String
    /// Upper-case, one of ``allowedMethods``; `POST` when absent.
    public var method: String
    /// Header name → value (a string, or a `$fromEvent` object that selects one); an object.
    public var headers: JSONValue
    public var body: JSONValue?
    /// How long one attempt may take, connection to last byte.
    public var timeoutSeconds: Double
    /// The status that counts as success; any 2xx when nil.
    public var expectStatus: Int?

    public static let allowedMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    public static let defaultTimeoutSeconds = 10.0
    public static let maximumTimeoutSeconds = 120.0
    /// Headers Signalbox sets on every request; an item cannot set them.
    public static let reservedHeaders: Set<String> = [
        "webhook-id", "webhook-timestamp", "webhook-signature", "idempotency-key", "host", "content-length",
        "transfer-encoding", "connection",
    ]

    public init(
        url: String, method: String = "POST", headers: JSONValue = .object(JSONObject()), body: JSONValue? = nil,
        timeoutSeconds: Double = Self.defaultTimeoutSeconds, expectStatus: Int? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.expectStatus = expectStatus
    }

    /// Whether `value` can be a header value (RFC 9110 field-value): no control characters but
    /// tab. Checked by scalar: "\r\n" is one Character.
    public static func isHeaderValue(_ value: String) -> Bool {
        !value.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f }
    }

    static let knownKeys: Set<String> = [ActionConfig.typeKey, "url", "method", "headers", "body", "timeoutSeconds", "expectStatus"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        if let unknown = c.allKeys.first(where: { !Self.knownKeys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: c,
                debugDescription: "unknown member of a webhook item; expected url, method, headers, body, timeoutSeconds, expectStatus")
        }
        url = try c.decode(String.self, forKey: AnyCodingKey("url"))
        method = try c.decodeIfPresent(String.self, forKey: AnyCodingKey("method")) ?? "POST"
        headers = try c.decodeIfPresent(AnyJSON.self, forKey: AnyCodingKey("headers"))?.value ?? .object(JSONObject())
        body = try c.decodeIfPresent(AnyJSON.self, forKey: AnyCodingKey("body"))?.value
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: AnyCodingKey("timeoutSeconds")) ?? Self.defaultTimeoutSeconds
        expectStatus = try c.decodeIfPresent(Int.self, forKey: AnyCodingKey("expectStatus"))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(url, forKey: AnyCodingKey("url"))
        try c.encode(method, forKey: AnyCodingKey("method"))
        try c.encode(AnyJSON(headers), forKey: AnyCodingKey("headers"))
        try c.encodeIfPresent(body.map(AnyJSON.init), forKey: AnyCodingKey("body"))
        try c.encode(timeoutSeconds, forKey: AnyCodingKey("timeoutSeconds"))
        try c.encodeIfPresent(expectStatus, forKey: AnyCodingKey("expectStatus"))
    }
}
