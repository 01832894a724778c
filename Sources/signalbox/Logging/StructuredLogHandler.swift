import Foundation
import JSONPath
import Logging
import Synchronization

/// One line per log event on stderr, as logfmt (`ts=… level=info msg="…" key=value`) or JSON.
struct StructuredLogHandler: LogHandler {
    enum Format: Sendable { case logfmt, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let output = Mutex(())

    init(label: String, format: Format, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Date.now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))),
            ("level", event.level.rawValue), ("logger", label), ("msg", event.message.description),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { fields.append((key, "\(value)")) }
        let line = format == .json ? Self.json(fields) : Self.logfmt(fields)
        Self.output.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
            guard needsQuotes else { return "\(key)=\(value)" }
            // One pass over the scalars (three Foundation replacements cost more than the rest of
            // a line; a start-up that reports thousands of missed schedules logs thousands).
            var escaped = ""
            escaped.reserveCapacity(value.utf8.count + 8)
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\(key)=\"\(escaped)\""
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, String)]) -> String {
        let members = fields.map { key, value in "\(quote(key)):\(quote(value))" }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// JSON string literal, with the escaping of the JSONPath module's serializer.
    private static func quote(_ text: String) -> String {
        JSONValue.string(text).jsonText
    }
}
