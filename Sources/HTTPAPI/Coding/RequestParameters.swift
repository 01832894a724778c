import Automation
import Foundation
import Hummingbird

/// Reading path and query parameters into domain values, each failure a 400 naming the
/// parameter.
extension APIRequestContext {
    /// A path parameter, percent-decoded.
    func pathText(_ name: String) throws -> String {
        guard let raw = parameters.get(name) else {
            throw APIError.invalidInput("missing path parameter \(name)", field: name)
        }
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.invalidInput("path parameter \(name) is not valid percent-encoding", field: name)
        }
        return decoded
    }

    /// A UUID path parameter (`id`, `scheduleId`, `triggerId`).
    func pathID<ID: UUIDIdentifier>(_ name: String, as type: ID.Type) throws -> ID {
        let text = try pathText(name)
        guard let id = ID(text) else {
            throw APIError.invalidInput("\(name) \"\(text.prefix(64))\" is not a UUID", field: name)
        }
        return id
    }

    /// The namespace of `/namespaces/{ns}/…`.
    func namespace() throws -> NamespaceName {
        NamespaceName(try pathText("ns"))
    }
}

extension Request {
    /// The query parameter `name`, percent-decoded (nil when absent).
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    /// An integer query parameter in `range`; `defaultValue` when absent.
    func queryInt(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name), !text.isEmpty else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw APIError.invalidInput("\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)", field: name)
        }
        guard range.contains(value) else {
            throw APIError.invalidInput("\(name) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))", field: name)
        }
        return value
    }

    /// A query parameter that names one case of `Value` (nil when absent); 400 listing the cases otherwise.
    func queryEnum<Value: RawRepresentable & CaseIterable>(_ name: String, as type: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.invalidInput("\(name) must be one of \(known) (got \"\(text.prefix(64))\")", field: name)
        }
        return value
    }

    /// A page request from `limit` and `cursor`.
    func pageRequest() throws -> PageRequest {
        let limit = try queryInt("limit", default: PageRequest.defaultLimit, range: 1...PageRequest.maximumLimit)
        let cursor = query("cursor").flatMap { $0.isEmpty ? nil : $0 }
        return PageRequest(limit: limit, cursor: cursor)
    }

    /// An ISO 8601 instant query parameter (`2026-01-06T09:00:00Z`, fractional seconds allowed).
    func queryDate(_ name: String) throws -> Date? {
        guard let text = query(name), !text.isEmpty else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw APIError.invalidInput(
            "\(name) must be an ISO 8601 instant such as 2026-01-06T09:00:00Z", field: name)
    }
}
