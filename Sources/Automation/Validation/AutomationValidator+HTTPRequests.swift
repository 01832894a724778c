import Foundation
import JSONPath

extension AutomationValidator {
    /// The longest `url` of a `webhook` item.
    public static let maximumURLLength = 2048

    /// A `webhook` item: an absolute http(s) URL without credentials, a known method, headers
    /// that are tokens with text values (or `$fromEvent` objects), a timeout and expected status
    /// in range. Whether the target's address may be called is decided when it is sent
    /// (``OutboundTargetPolicy``), after its name is resolved.
    static func validateHTTPRequest(_ request: HTTPRequestConfig, field: String) throws(AutomationError) {
        let urlField = field + ".url"
        guard request.url.utf8.count <= maximumURLLength else {
            throw .invalidValue("\(urlField) is longer than \(maximumURLLength) bytes", field: urlField)
        }
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw .invalidValue("\(urlField) must be an absolute http:// or https:// URL", field: urlField)
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidValue("\(urlField) has no host", field: urlField)
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidValue(
                "\(urlField) must not carry credentials; put them in headers (e.g. authorization)", field: urlField)
        }
        guard HTTPRequestConfig.allowedMethods.contains(request.method) else {
            throw .invalidValue(
                "\(field).method must be one of \(HTTPRequestConfig.allowedMethods.sorted().joined(separator: ", ")), got \"\(request.method.prefix(20))\"",
                field: field + ".method")
        }
        guard case .object(let headers) = request.headers else {
            throw .invalidValue("\(field).headers must be an object of header names to values", field: field + ".headers")
        }
        var seen: Set<String> = []
        for member in headers.members {
            let path = "\(field).headers.\(member.key)"
            let name = member.key.lowercased()
            guard isToken(name) else { throw .invalidValue("\(path): \"\(member.key.prefix(64))\" is not a header name", field: path) }
            guard !HTTPRequestConfig.reservedHeaders.contains(name) else {
                throw .invalidValue("\(path): Signalbox sets \(name) itself", field: path)
            }
            guard seen.insert(name).inserted else { throw .invalidValue("\(path): the header is given twice", field: path) }
            switch member.value {
            case .string(let value):
                guard HTTPRequestConfig.isHeaderValue(value) else {
                    throw .invalidValue("\(path) must not contain line breaks or other control characters", field: path)
                }
            case .object(let object)
            where object[EventValueReference.queryMember] != nil || object[EventValueReference.previousMember] != nil:
                break
            default:
                throw .invalidValue("\(path) must be a string or a {\"$fromEvent\": …} or {\"$fromPrevious\": …} object", field: path)
            }
        }
        guard request.timeoutSeconds > 0, request.timeoutSeconds <= HTTPRequestConfig.maximumTimeoutSeconds else {
            throw .invalidValue(
                "\(field).timeoutSeconds must be more than 0 and at most \(Int(HTTPRequestConfig.maximumTimeoutSeconds))",
                field: field + ".timeoutSeconds")
        }
        if let status = request.expectStatus, !(100...599).contains(status) {
            throw .invalidValue("\(field).expectStatus must be an HTTP status, 100 to 599", field: field + ".expectStatus")
        }
    }

    /// RFC 9110 `token`: what a header name may be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
