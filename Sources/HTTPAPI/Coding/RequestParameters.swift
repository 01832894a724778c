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
    /// The query parameter `name`, percent-decoded (nil when absent). Present but empty
    /// (`?limit=`) is a 400 naming it: read as absent, a typo'd filter would widen the answer.
    func query(_ name: String) throws -> String? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard !text.isEmpty else {
            throw APIError.invalidInput("query parameter \(name) is empty; give a value or leave it out", field: name)
        }
        return text
    }

    /// An integer query parameter in `range`; `defaultValue` when absent.
    func queryInt(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = try query(name) else { return defaultValue }
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
        guard let text = try query(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.invalidInput("\(name) must be one of \(known) (got \"\(text.prefix(64))\")", field: name)
        }
        return value
    }

    /// The namespace a list is narrowed to (`?namespace=`; nil when absent), a 400 when it could
    /// name none.
    func queryNamespace() throws -> NamespaceName? {
        guard let text = try query("namespace") else { return nil }
        let namespace = NamespaceName(rawValue: text)
        try AutomationValidator.validateNamespace(namespace)
        return namespace
    }

    /// A page request from `limit` and `cursor`.
    func pageRequest() throws -> PageRequest {
        let limit = try queryInt("limit", default: PageRequest.defaultLimit, range: 1...PageRequest.maximumLimit)
        return PageRequest(limit: limit, cursor: try query("cursor"))
    }

    /// An RFC 3339 instant query parameter (`2026-01-06T09:00:00Z`, fractional seconds and any
    /// offset allowed).
    func queryDate(_ name: String) throws -> Date? {
        guard let text = try query(name) else { return nil }
        guard let date = RFC3339Instant.parse(text) else {
            throw APIError.invalidInput(
                "\(name) must be an RFC 3339 instant such as 2026-01-06T09:00:00Z or 2026-01-06T10:00:00+01:00", field: name)
        }
        return date
    }
}
