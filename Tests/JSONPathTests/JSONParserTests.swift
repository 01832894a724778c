import JSONPath
import Testing

@Suite("JSON parser and serializer")
struct JSONParserTests {
    @Test("types stay distinct and member order is kept")
    func typesAndOrder() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":1.0,"m":true,"n":null,"s":"x","arr":[1,"2",false],"o":{}}"#)
        guard case .object(let o) = v else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["z", "a", "m", "n", "s", "arr", "o"])
        #expect(o["z"].map { if case .int(1) = $0 { true } else { false } } == true)
        #expect(o["a"].map { if case .double(1.0) = $0 { true } else { false } } == true)
        #expect(o["m"]?.boolValue == true)
        #expect(o["m"]?.intValue == nil, "a Bool is never a number")
        #expect(o["n"]?.isNull == true)
        #expect(v.jsonText == #"{"z":1,"a":1.0,"m":true,"n":null,"s":"x","arr":[1,"2",false],"o":{}}"#)
    }

    @Test("numbers")
    func numbers() throws {
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try JSONParser.parse("1.5e3") == .int(1500))
        #expect(try JSONParser.parse("0.1").doubleValue == 0.1)
        #expect(try JSONParser.parse("123456789.123456789").doubleValue == 123456789.123456789)
        #expect(try JSONParser.parse("1E-2").doubleValue == 0.01)
        for bad in ["01", "1.", ".1", "-", "1e", "+1", "1e+", "--1", "0x10", "NaN", "Infinity", "1e400"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test("strings and escapes")
    func strings() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\uD834\uDD1E""#) == .string("é𝄞"))
        #expect(try JSONParser.parse("\"é😀\"") == .string("é😀"))
        let roundTrip: JSONValue = .string("q\"\\\n\u{1}é")
        #expect(try JSONParser.parse(roundTrip.jsonText) == roundTrip)
        #expect(roundTrip.jsonText == #""q\"\\\n\u0001é""#)
    }

    @Test("errors carry the byte offset")
    func errorOffsets() {
        let cases: [(String, Int, JSONParseError.Code)] = [
            (#"{"a":1,}"#, 7, .unexpectedByte),
            (#"[1,2"#, 4, .unexpectedEnd),
            (#"{"a" 1}"#, 5, .unexpectedByte),
            (#""abc"#, 0, .unterminatedString),
            (#"["a", "b\"#, 6, .unterminatedString),
            ("\"a\u{1}b\"", 2, .controlCharacterInString),
            (#""\x""#, 1, .invalidEscape),
            (#""\uD800""#, 1, .invalidUnicodeEscape),
            (#"[1] 2"#, 4, .trailingData),
            (#"tru"#, 3, .unexpectedEnd),
            (#"[01]"#, 1, .invalidNumber),
        ]
        for (text, offset, code) in cases {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.byteOffset == offset, "\(text): \(error)")
                #expect(error.code == code, "\(text): \(error)")
                #expect(error.description.contains("byte \(offset)"))
            }
        }
        let invalidUTF8: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(invalidUTF8) }
    }

    @Test("100,000 levels of nesting are rejected with an error")
    func deepNesting() {
        for open in ["[", "{\"a\":"] {
            let text = String(repeating: open, count: 100_000)
            do {
                _ = try JSONParser.parse(text)
                Issue.record("accepted 100,000 levels")
            } catch {
                #expect(error.code == .depthLimitExceeded)
                #expect(error.byteOffset > 0)
            }
        }
        // Even a caller asking for 100,000 levels gets the safe ceiling.
        let generous = JSONParser.Limits(maxDepth: 100_000)
        #expect(generous.maxDepth == JSONParser.Limits.depthCeiling)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[", count: 100_000), limits: generous) }
        let limits = JSONParser.Limits(maxDepth: 3)
        #expect(throws: Never.self) { try JSONParser.parse("[[[1]]]", limits: limits) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[[[[1]]]]", limits: limits) }
    }

    @Test("size limit")
    func sizeLimit() {
        do {
            _ = try JSONParser.parse("[1,2,3]", limits: JSONParser.Limits(maxBytes: 4))
            Issue.record("accepted oversize document")
        } catch {
            #expect(error.code == .sizeLimitExceeded)
        }
    }

    @Test("duplicate keys keep the first position and the last value")
    func duplicates() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.objectValue?.keys == ["a", "b"])
        #expect(v["a"] == .int(3))
    }

    @Test("equality and hashing follow JSONPath semantics")
    func equality() {
        #expect(JSONValue.int(1) == .double(1.0))
        #expect(JSONValue.int(1).hashValue == JSONValue.double(1.0).hashValue)
        #expect(JSONValue.bool(true) != .int(1))
        #expect(JSONValue.object(JSONObject([("a", 1), ("b", 2)])) == .object(JSONObject([("b", 2), ("a", 1)])))
        #expect(
            JSONValue.object(JSONObject([("a", 1), ("b", 2)])).hashValue == JSONValue.object(JSONObject([("b", 2), ("a", 1)])).hashValue
        )
        #expect(JSONObject([("a", 1), ("b", 2)]) == JSONObject([("b", 2.0), ("a", 1)]))
        #expect(JSONObject([("a", 1)]) != JSONObject([("a", "1")]))
        #expect(JSONValue.string("é") != .string("e\u{301}"))
        #expect(JSONValue.int(9_007_199_254_740_993) != .double(9_007_199_254_740_992.0))
    }

    @Test("strings of every length with a special character at every position")
    func stringScanningBoundaries() throws {
        let specials: [(json: String, decoded: String)] = [("\\\"", "\""), ("\\\\", "\\"), ("é", "é"), ("\\u0041", "A"), ("😀", "😀")]
        for length in 0..<34 {
            for position in 0...length {
                for (json, decoded) in specials {
                    let prefix = String(repeating: "a", count: position)
                    let suffix = String(repeating: "b", count: length - position)
                    let value = try JSONParser.parse("{\"k\(prefix)\":\"\(prefix)\(json)\(suffix)\",\"\(prefix)\(json)\(suffix)\":1}")
                    #expect(value["k" + prefix] == .string(prefix + decoded + suffix), "length \(length) at \(position)")
                    #expect(value[prefix + decoded + suffix] == .int(1), "key of length \(length) at \(position)")
                    #expect(value.objectValue?.count == 2)
                }
                let control = "[\"" + String(repeating: "a", count: position) + "\u{1}" + String(repeating: "b", count: length - position) + "\"]"
                do {
                    _ = try JSONParser.parse(control)
                    Issue.record("accepted a raw control character at \(position)")
                } catch {
                    #expect(error.code == .controlCharacterInString)
                    #expect(error.byteOffset == 2 + position)
                }
            }
        }
    }
}
