/// One step of a normalized path or singular query: a member name or an array index.
public enum PathElement: Sendable, Hashable {
    case name(String)
    case index(Int)
}
