/// The parsed form of an I-Regexp, compiled into a ``RegexProgram``.
indirect enum RegexNode: Sendable {
    case empty
    case scalar(Unicode.Scalar)
    case any
    case set(ScalarSet)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
    case startAnchor
    case endAnchor
}
