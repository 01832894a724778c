import Foundation
import JSONPath
import Testing

@testable import Automation

/// ``JSONValueDecoder`` decodes request bodies as `AutomationJSON.decoder()` did: most cases are
/// checked against Foundation itself, the intended differences on their own.
@Suite("Decoding from a parsed JSON value")
struct JSONValueDecoderTests {
    struct Inner: Codable, Hashable {
        var id: String
        var tags: [String]?
    }

    struct Sample: Codable, Hashable {
        var count: Int
        var small: Int8?
        var unsigned: UInt32?
        var wide: Int64?
        var ratio: Double?
        var single: Float?
        var flag: Bool?
        var text: String?
        var when: Date?
        var list: [Int]?
        var grid: [[Int]]?
        var inner: Inner?
        var items: [Inner]?
        var map: [String: Int]?
        var blob: Data?
        var link: URL?
        var cost: Decimal?
        var kind: ProcessType?
    }

    /// A success's value, or a failure's kind and the coding path it names.
    enum Outcome<T: Hashable>: Hashable {
        case value(T)
        case failure(String)
    }

    static func outcome<T: Decodable & Hashable>(_ type: T.Type, _ json: String, foundation: Bool) -> Outcome<T> {
        do {
            if foundation { return .value(try AutomationJSON.decoder().decode(T.self, from: Data(json.utf8))) }
            return .value(try JSONValueDecoder().decode(T.self, from: try JSONParser.parse(json)))
        } catch let error as DecodingError {
            return .failure(describe(error, comparable: true))
        } catch {
            return .failure("\(error)")
        }
    }

    /// `keyNotFound actions[0].name`; Foundation reports `dataCorrupted` (numbers, dates)
    /// without a path, so for comparison with it that path is left out.
    static func describe(_ error: DecodingError, comparable: Bool = false) -> String {
        switch error {
        case .keyNotFound(let key, let context): "keyNotFound " + AutomationError.jsonPath(context.codingPath + [key])
        case .typeMismatch(_, let context): "typeMismatch " + AutomationError.jsonPath(context.codingPath)
        case .valueNotFound(_, let context): "valueNotFound " + AutomationError.jsonPath(context.codingPath)
        case .dataCorrupted(let context): "dataCorrupted" + (comparable ? "" : " " + AutomationError.jsonPath(context.codingPath))
        @unknown default: "\(error)"
        }
    }

    static let foundationCases: [String] = [
        #"{"count": 1}"#,
        #"{"count": 1, "small": -128, "unsigned": 4294967295, "wide": -9223372036854775808, "ratio": 2, "single": 3.4}"#,
        #"{"count": 1.0, "small": 1e2, "unsigned": 0.0, "wide": -0}"#,
        #"{"count": -0.0, "ratio": 1e-300, "single": 0.25}"#,
        // Integers that do not fit, or are not integers.
        #"{"count": 1.5}"#,
        #"{"count": 9223372036854775808}"#,
        #"{"count": 1, "small": 128}"#,
        #"{"count": 1, "unsigned": -1}"#,
        #"{"count": 1, "single": 1e300}"#,
        // Missing members, nulls and wrong types, at depth.
        #"{}"#,
        #"{"count": null}"#,
        #"{"count": "1"}"#,
        #"{"count": true}"#,
        #"{"count": 1, "flag": 1}"#,
        #"{"count": 1, "text": 5}"#,
        #"{"count": 1, "text": null, "flag": null, "inner": null}"#,
        #"{"count": 1, "list": [1, 2, "x"]}"#,
        #"{"count": 1, "list": [1, null]}"#,
        #"{"count": 1, "list": {}}"#,
        #"{"count": 1, "grid": [[1], [2, [3]]]}"#,
        #"{"count": 1, "inner": []}"#,
        #"{"count": 1, "inner": {"tags": []}}"#,
        #"{"count": 1, "items": [{"id": "a"}, {"id": "b", "tags": ["x", 2]}]}"#,
        #"{"count": 1, "items": [{"id": "a"}, {"tags": null}]}"#,
        #"{"count": 1, "map": {"a": 1, "b": 2}}"#,
        #"{"count": 1, "map": {"a": "1"}}"#,
        #"{"count": 1, "kind": "app"}"#,
        #"{"count": 1, "kind": "rocket"}"#,
        // Dates: ISO 8601 with or without fractions, Z or an offset; anything else refused.
        #"{"count": 1, "when": "2026-01-05T10:00:00Z"}"#,
        #"{"count": 1, "when": "2026-01-05T10:00:00.125Z"}"#,
        #"{"count": 1, "when": "2026-01-05T10:00:00.123456+05:30"}"#,
        #"{"count": 1, "when": "2026-01-05T10:00:00+0530"}"#,
        #"{"count": 1, "when": "2026-01-05T10:00:00-08:00"}"#,
        #"{"count": 1, "when": "2026-01-05"}"#,
        #"{"count": 1, "when": "2026-01-05T10:00:00"}"#,
        #"{"count": 1, "when": "2026-01-05 10:00:00Z"}"#,
        #"{"count": 1, "when": "2026-01-05t10:00:00z"}"#,
        #"{"count": 1, "when": 1767607200}"#,
        // Foundation's special forms: base64 data, URL strings, decimal numbers.
        #"{"count": 1, "blob": "aGVsbG8=", "link": "https://example.test/a?b=c", "cost": 12.5}"#,
        #"{"count": 1, "blob": "not base64!"}"#,
        #"{"count": 1, "cost": 7}"#,
        // Not an object at all.
        #"[]"#,
        #"null"#,
        #""text""#,
    ]

    @Test("values and errors as Foundation's decoder gives them", arguments: foundationCases)
    func sameAsFoundation(_ json: String) {
        let ours = Self.outcome(Sample.self, json, foundation: false)
        let foundation = Self.outcome(Sample.self, json, foundation: true)
        #expect(ours == foundation, "\(json)")
    }

    @Test("top-level scalars, arrays and dictionaries as Foundation decodes them")
    func topLevel() {
        #expect(Self.outcome(Int.self, "42", foundation: false) == Self.outcome(Int.self, "42", foundation: true))
        #expect(Self.outcome(Int?.self, "null", foundation: false) == .value(nil))
        #expect(Self.outcome([Int?].self, "[1, null]", foundation: false) == .value([1, nil]))
        #expect(Self.outcome([Int: String].self, #"{"1": "a"}"#, foundation: false) == .value([1: "a"]))
        #expect(Self.outcome([Int: String].self, #"{"x": "a"}"#, foundation: false) == Self.outcome([Int: String].self, #"{"x": "a"}"#, foundation: true))
        #expect(Self.outcome([Date].self, #"["2026-01-05T10:00:00Z"]"#, foundation: false) == .value([Date(timeIntervalSince1970: 1_767_607_200)]))
        #expect(Self.outcome(UInt64.self, "18446744073709551615", foundation: false) == .failure("dataCorrupted"), "beyond 2^63 the parsed double is not exact")
    }

    @Test("the seed's request bodies decode as Foundation decodes them")
    func seedBodies() throws {
        for json in [SeedJSON.createAction, SeedJSON.interactionItem, SeedJSON.capsuleItem] {
            let value = try JSONParser.parse(json)
            let ours = try JSONValueDecoder().decode(CreateActionRequest.self, from: json == SeedJSON.createAction ? value : ["name": "n", "actions": [value]])
            let foundationJSON = json == SeedJSON.createAction ? json : #"{"name": "n", "actions": [\#(json)]}"#
            #expect(ours == (try decode(CreateActionRequest.self, from: foundationJSON)))
        }
        let schedule = try JSONValueDecoder().decode(AddScheduleRequest.self, from: try JSONParser.parse(SeedJSON.addSchedule))
        #expect(schedule == (try decode(AddScheduleRequest.self, from: SeedJSON.addSchedule)))
        let trigger = try JSONValueDecoder().decode(AddTriggerRequest.self, from: try JSONParser.parse(SeedJSON.addTrigger))
        #expect(trigger == (try decode(AddTriggerRequest.self, from: SeedJSON.addTrigger)))
        let entry = try JSONValueDecoder().decode(ExecutionHistoryEntry.self, from: try JSONParser.parse(SeedJSON.historyEntry))
        #expect(entry == (try decode(ExecutionHistoryEntry.self, from: SeedJSON.historyEntry)))
    }

    /// Every container kind through a hand-written `init(from:)`.
    struct Manual: Decodable, Hashable {
        var first: String
        var pair: [Int]
        var nested: Int
        var rows: [[String]]
        var fromSuper: String
        var fromNamedSuper: Int
        var nils: Int

        enum Keys: String, CodingKey { case first, pair, nested, x, rows, named }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Keys.self)
            first = try object.decode(String.self, forKey: .first)
            var pair = try object.nestedUnkeyedContainer(forKey: .pair)
            self.pair = [try pair.decode(Int.self), try pair.decode(Int.self)]
            #expect(pair.isAtEnd && pair.count == 2)
            nested = try object.nestedContainer(keyedBy: Keys.self, forKey: .nested).decode(Int.self, forKey: .x)
            var outer = try object.nestedUnkeyedContainer(forKey: .rows)
            var rows: [[String]] = []
            nils = 0
            while !outer.isAtEnd {
                if try outer.decodeNil() {
                    nils += 1
                    continue
                }
                var row = try outer.nestedUnkeyedContainer()
                var cells: [String] = []
                while !row.isAtEnd { cells.append(try row.decode(String.self)) }
                rows.append(cells)
            }
            self.rows = rows
            fromSuper = try object.superDecoder().singleValueContainer().decode(String.self)
            fromNamedSuper = try Int(from: object.superDecoder(forKey: .named))
        }
    }

    @Test("keyed, unkeyed, nested and super decoders, as Foundation")
    func everyContainer() throws {
        let json = #"{"first": "a", "pair": [1, 2], "nested": {"x": 3}, "rows": [["b"], null, ["c", "d"]], "super": "s", "named": 4}"#
        let ours = Self.outcome(Manual.self, json, foundation: false)
        #expect(ours == Self.outcome(Manual.self, json, foundation: true))
        guard case .value(let manual) = ours else { return }
        #expect(manual.rows == [["b"], ["c", "d"]] && manual.nils == 1 && manual.fromSuper == "s" && manual.fromNamedSuper == 4)
    }

    @Test("an unkeyed container stays on an element that failed and reports its index past the end")
    func unkeyedIndex() throws {
        var array = try JSONValueDecoding(try JSONParser.parse(#"["a", 1]"#), parent: nil, key: nil).unkeyedContainer()
        #expect(try array.decode(String.self) == "a")
        #expect(throws: DecodingError.self) { try array.decode(String.self) }
        #expect(array.currentIndex == 1)
        #expect(try array.decode(Int.self) == 1)
        do {
            _ = try array.decode(Int.self)
            Issue.record("decoded past the end")
        } catch let error as DecodingError {
            #expect(Self.describe(error) == "valueNotFound [2]")
        }
    }

    @Test(
        "errors name the member's JSON path, numbers and dates included",
        arguments: [
            (#"{"count": 1, "items": [{"id": "a"}, {"id": 7}]}"#, "typeMismatch items[1].id"),
            (#"{"count": 1, "items": [{"id": "a"}, {"tags": []}]}"#, "keyNotFound items[1].id"),
            (#"{"count": 1, "items": [{"id": "a", "tags": ["x", null]}]}"#, "valueNotFound items[0].tags[1]"),
            (#"{"count": 1, "grid": [[1], [2.5]]}"#, "dataCorrupted grid[1][0]"),
            (#"{"count": 1, "small": 300}"#, "dataCorrupted small"),
            (#"{"count": 1, "when": "yesterday"}"#, "dataCorrupted when"),
            (#"{"count": 1, "map": {"a": 1, "b": true}}"#, "typeMismatch map.b"),
        ])
    func errorPaths(_ json: String, expected: String) throws {
        do {
            _ = try JSONValueDecoder().decode(Sample.self, from: try JSONParser.parse(json))
            Issue.record("decoded \(json)")
        } catch let error as DecodingError {
            #expect(Self.describe(error) == expected)
        }
    }

    @Test("a number that does not fit is a 400 on its member, where Foundation named no field")
    func numberErrorNamesTheField() throws {
        let json = #"{"name": "n", "actions": [{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 1.5}}}]}"#
        do {
            _ = try JSONValueDecoder().decode(CreateActionRequest.self, from: try JSONParser.parse(json))
            Issue.record("decoded a fractional version")
        } catch {
            let mapped = AutomationError(decoding: error)
            #expect(mapped.field == "actions[0].config.version.version")
            #expect(mapped.message == "number 1.5 does not fit in Int")
        }
    }

    @Test("a repeated member takes its last value, as the parser builds the object")
    func repeatedMember() throws {
        let sample = try JSONValueDecoder().decode(Sample.self, from: try JSONParser.parse(#"{"count": 1, "count": 2}"#))
        #expect(sample.count == 2)
    }

    @Test("free-form JSON keeps its members in document order")
    func anyJSONKeepsOrder() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": {"y": [true, null], "b": "x"}, "m": 2.5}"#)
        let decoded = try JSONValueDecoder().decode(AnyJSON.self, from: value)
        #expect(decoded.value.jsonText == #"{"z":1,"a":{"y":[true,null],"b":"x"},"m":2.5}"#)
        // Foundation reports no order: the members come back sorted.
        #expect(try decode(AnyJSON.self, from: value.jsonText).value.jsonText == #"{"a":{"b":"x","y":[true,null]},"m":2.5,"z":1}"#)
    }

    @Test("a wide object decodes every member")
    func wideObject() throws {
        let members = (0..<5_000).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let map = try JSONValueDecoder().decode([String: Int].self, from: try JSONParser.parse("{\(members)}"))
        #expect(map.count == 5_000 && map["k4999"] == 4999)
    }
}
