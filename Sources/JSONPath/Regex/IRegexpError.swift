/// Why a pattern is not I-Regexp (RFC 9485), with the scalar offset inside the pattern.
public struct IRegexpError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 0-based offset (in Unicode scalars) of the offending part of the pattern.
    public let offset: Int
    /// Length of the offending part, in scalars.
    public let length: Int
    public let message: String
    /// The I-Regexp spelling, when there is one (`\d` → `[0-9]`).
    public let hint: String?

    init(_ message: String, at offset: Int, length: Int = 1, hint: String? = nil) {
        self.offset = offset
        self.length = length
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = "invalid I-Regexp at \(offset): \(message)"
        if let hint { s += "; \(hint)" }
        return s
    }
}
