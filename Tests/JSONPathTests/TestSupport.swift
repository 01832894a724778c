import JSONPath
import Testing

/// Shared helpers for the JSONPath tests.
enum TestSupport {
    /// The CTS file: `SIGNALBOX_JSONPATH_CTS`, else `<repo>/../shared/testdata/jsonpath-cts/cts.json`
    /// where `<repo>` is the nearest ancestor of this file holding `Package.swift`.
    static func ctsPath(filePath: String = #filePath) -> String {
        if let override = environment("SIGNALBOX_JSONPATH_CTS"), !override.isEmpty { return override }
        var components = filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        while components.count > 1 {
            components.removeLast()
            let dir = components.joined(separator: "/")
            if fileExists(dir + "/Package.swift") {
                return dir + "/../shared/testdata/jsonpath-cts/cts.json"
            }
        }
        return "/work/shared/testdata/jsonpath-cts/cts.json"
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Reads a whole file, or `nil` when it cannot be opened.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    static func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(text)
    }

    static func filter(_ text: String) throws -> TriggerFilter {
        try TriggerFilter(parsing: text)
    }

    /// Expects `text` to fail as a trigger filter and returns the error.
    static func filterError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONPathError? {
        do {
            _ = try TriggerFilter(parsing: text)
            Issue.record("expected `\(text)` to be rejected", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// The worked-example event from JSONPATH-FILTERS.md §(c).
    static let exampleEvent: JSONValue = [
        "type": "AppProcessUpdated",
        "item": [
            "id": "p-1", "appId": "app-7", "status": "Finished", "durationMs": 1234, "tags": ["nightly", "eu"],
            "result": ["rows": 10],
        ],
    ]
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
