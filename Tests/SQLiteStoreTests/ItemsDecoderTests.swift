import Automation
import Testing

@testable import SQLiteStore

/// The decoder that reads an action's items once per distinct text keeps texts apart by their
/// bytes: items that differ only in Unicode spelling are different items.
@Suite("Items decoded once per distinct text")
struct ItemsDecoderTests {
    static func items(_ word: String) -> String {
        #"[{"name": "Run", "config": {"$type": "app", "version": {"id": "c3", "version": 1}, "inputs": [{"name": "word", "value": "\#(word)"}]}}]"#
    }

    static func word(_ items: [ActionItem]) -> [UInt8] {
        guard case .app(let config) = items[0].config else { return [] }
        return Array((config.inputs[0].value.stringValue ?? "").utf8)
    }

    @Test func equalTextsDecodeOnceAndCanonicallyEquivalentOnesStayApart() throws {
        var decoder = ItemsDecoder()
        let composed = try decoder.items(Self.items("caf\u{E9}"), table: "automatedAction")
        let decomposed = try decoder.items(Self.items("cafe\u{301}"), table: "automatedAction")
        let again = try decoder.items(Self.items("caf\u{E9}"), table: "automatedAction")
        #expect(Self.word(composed) == Array("caf\u{E9}".utf8))
        #expect(Self.word(decomposed) == Array("cafe\u{301}".utf8))
        #expect(again == composed)
        #expect(throws: SQLiteStoreError.self) { try decoder.items("[{", table: "automatedAction") }
    }
}
