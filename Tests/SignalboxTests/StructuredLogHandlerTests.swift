import Foundation
import Testing
@testable import signalbox

@Suite struct StructuredLogHandlerTests {
    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let line = StructuredLogHandler.logfmt([
            ("level", "info"), ("msg", "event received"), ("text", #"say "hi""#), ("empty", ""), ("multi", "a\nb"),
        ])
        #expect(line == #"level=info msg="event received" text="say \"hi\"" empty="" multi="a\nb""#)
        // A backslash is escaped only inside quotes; é and ✓ pass through.
        #expect(StructuredLogHandler.logfmt([("path", #"C:\x y"#), ("name", "café ✓ =")]) == #"path="C:\\x y" name="café ✓ =""#)
    }

    @Test func jsonLinesAreValidJSONObjects() throws {
        let line = StructuredLogHandler.json([("msg", "quote \" and \\ and \u{1}"), ("n", "1")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == "quote \" and \\ and \u{1}")
        #expect(object["n"] == "1")
    }
}
