/// Something that compiles but probably does not mean what the author intended.
public struct FilterWarning: Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public let span: Range<Int>
    public let hint: String?

    public var description: String {
        var s = "\(line):\(column): warning: \(message)"
        if let hint { s += "; hint: \(hint)" }
        return s
    }
}
