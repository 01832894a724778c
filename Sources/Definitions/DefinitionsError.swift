/// A definitions file that cannot be applied, with where: `file:line:column: field: message`
/// (what `signalbox apply` prints and `serve` logs). Positions are 1-based, as editors count.
public struct DefinitionsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The offending member as a path within the document (`automatedActions[0].schedules[1].cron`).
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        text += ": "
        if let field, !field.isEmpty, !message.hasPrefix(field) { text += field + ": " }
        return text + message
    }
}
