import Foundation

extension PostgresStoreConfiguration {
    /// Reads `postgres://user:password@host:port/database?sslmode=…` (or `postgresql://`).
    ///
    /// The user, password and database are percent-decoded; an IPv6 host stands in brackets; the
    /// port defaults to 5432; the only parameter read is `sslmode` (`disable`, `prefer`, `require`;
    /// default `prefer`). The user info ends at the last `@`, so a password holding an unencoded
    /// `/`, `?` or `@` still parses, and is never part of an error.
    ///
    /// - Parameter key: the configuration key the URL came from, which errors name.
    public init(url: String, key: String = "database.url") throws(PostgresStoreError) {
        let shown = Self.redacted(url)
        func invalid(_ reason: String) -> PostgresStoreError { .invalidURL(key: key, reason, in: shown) }

        guard let schemeEnd = url.range(of: "://") else { throw invalid("not a URL (expected postgres://user:password@host:port/database)") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("unsupported scheme \"\(scheme)\" (expected postgres:// or postgresql://)")
        }
        var rest = url[schemeEnd.upperBound...]

        // User info: up to the last "@".
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? userInfo
            guard let decodedUser = user.removingPercentEncoding else { throw invalid("invalid percent-encoding in the user name") }
            username = decodedUser
            if let colon = userInfo.firstIndex(of: ":") {
                guard let decoded = userInfo[userInfo.index(after: colon)...].removingPercentEncoding else {
                    throw invalid("invalid percent-encoding in the password")
                }
                password = decoded
            }
        }
        guard let username, !username.isEmpty else { throw invalid("missing user name") }

        // Query: after the first "?".
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        // Host and port: up to the first "/".
        let slash = rest.firstIndex(of: "/")
        let hostPort = slash.map { rest[..<$0] } ?? rest
        let (host, port) = try Self.hostAndPort(hostPort, invalid: invalid)

        guard let slash, rest.index(after: slash) < rest.endIndex else { throw invalid("missing database name") }
        let path = rest[rest.index(after: slash)...]
        guard !path.contains("/") else { throw invalid("the database name must not contain \"/\"") }
        guard let database = path.removingPercentEncoding else { throw invalid("invalid percent-encoding in the database name") }
        guard !database.isEmpty else { throw invalid("missing database name") }

        var tls = TLSMode.prefer
        for parameter in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard name == "sslmode" else { throw invalid("unknown parameter \"\(name)\" (only sslmode is read)") }
            guard let mode = TLSMode(rawValue: value) else {
                let known = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid("unsupported sslmode \"\(value)\" (expected one of \(known))")
            }
            tls = mode
        }
        self.init(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func hostAndPort(
        _ text: Substring, invalid: (String) -> PostgresStoreError
    ) throws(PostgresStoreError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("unclosed \"[\" in the host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw invalid("missing host") }
        var port = defaultPort
        if let portText {
            guard let number = Int(portText), (1...65_535).contains(number) else {
                throw invalid("invalid port \"\(portText.prefix(16))\" (expected 1 to 65535)")
            }
            port = number
        }
        return (String(host), port)
    }

    /// `url` with its password (whatever stands between the user's `:` and the last `@`) replaced
    /// by `***`: safe to log or to put in an error, even when the URL does not parse.
    public static func redacted(_ url: String) -> String {
        // Not a URL: it could be anything, a bare password included.
        guard let schemeEnd = url.range(of: "://") else { return "(a value that is not a URL)" }
        let rest = url[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return url }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(rest[at...])
    }
}
