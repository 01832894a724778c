/// Something accepted that probably does not mean what was written (a filter comparing a
/// string with a number, say). Returned to the caller beside the result; never an error.
public struct ValidationWarning: Hashable, Sendable, Codable, CustomStringConvertible {
    /// JSON path of the field in the request, e.g. `eventFilter` or `messageTriggers[1].eventFilter`.
    public var field: String
    public var message: String
    public var position: SourcePosition?
    public var hint: String?

    public init(field: String, message: String, position: SourcePosition? = nil, hint: String? = nil) {
        self.field = field
        self.message = message
        self.position = position
        self.hint = hint
    }

    public var description: String {
        var text = "\(field)"
        if let position { text += " \(position)" }
        text += ": warning: \(message)"
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}
