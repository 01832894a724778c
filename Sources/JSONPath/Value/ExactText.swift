/// A string that equals and hashes by its bytes. Swift's `==` on `String` is canonical
/// equivalence; JSONPath (and anything keyed by what a user wrote) tells `"é"` from `"e\u{301}"`.
public struct ExactText: Hashable, Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: ExactText, b: ExactText) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)  // not a UTF-8 byte: ["ab", "c"] and ["a", "bc"] hash apart
    }
}
