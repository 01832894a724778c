@testable import JSONPath
import Testing

/// Member lookup compares a fingerprint (length and first eight bytes) first; keys of at most
/// eight bytes are decided by it and their length alone.
@Suite("JSONObject lookups")
struct JSONObjectLookupTests {
    /// Keys that share bytes, differ only past the eighth byte, or only by trailing NULs (whose
    /// fingerprint words are equal and lengths differ).
    static let keys = [
        "a", "a\u{0}", "a\u{0}\u{0}", "ab", "b", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghj", "",
        "caf\u{E9}", "cafe\u{301}", "\u{0}", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
    ]

    @Test("every key is found at its own position, parsed or built, and absent keys are not found")
    func shortAndLongKeys() throws {
        let built = JSONObject(Self.keys.enumerated().map { ($0.element, JSONValue.int($0.offset)) })
        let text = "{" + Self.keys.enumerated().map { "\(JSONValue.string($0.element).jsonText):\($0.offset)" }.joined(separator: ",") + "}"
        let parsed = try #require(try JSONParser.parse(text).objectValue)
        for object in [built, parsed] {
            #expect(object.count == Self.keys.count)
            for (position, key) in Self.keys.enumerated() {
                #expect(object.index(forKey: key) == position, "\(key.unicodeScalars.map(\.value))")
                #expect(object[key] == .int(position))
            }
            for absent in ["c", "a\u{0}\u{0}\u{0}", "abcdefg", "abcdefghk", "caf", "\u{0}\u{0}"] {
                #expect(object.index(forKey: absent) == nil, "\(absent.unicodeScalars.map(\.value))")
            }
        }
        // Through a compiled path too (the trigger's lookup).
        let filter = try TriggerFilter(parsing: #"$['a\u0000'] == 1 && $['abcdefghi'] == 7 && $.b == 4"#)
        #expect(try filter.evaluate(.object(parsed)))
        #expect(try !TriggerFilter(parsing: #"$['a\u0000\u0000\u0000'] == 1"#).evaluate(.object(parsed)))
    }
}
