import JSONPath
import SignalboxTestSupport
import Testing

/// Seeded property tests over random and mutated input: the parsers and the evaluator must never
/// crash, errors must point inside the input, and successful results must be self-consistent.
/// The seed is fixed so a failure reproduces; the failing input is printed.
@Suite("Robustness (seeded fuzz)")
struct FuzzTests {
    static let validDocuments = [
        #"{"type":"AppProcessUpdated","item":{"id":"p-1","appId":"app-7","status":"Finished","durationMs":1234,"tags":["nightly","eu"],"result":{"rows":10}}}"#,
        #"[1,-2.5e3,true,false,null,"s\"\\\u00e9",[],{},{"a":[{"b":{"c":[0.1]}}]}]"#,
        #"{"é":"\ud83d\ude00","k":[1,2,3],"n":{"m":{"o":null}}}"#,
    ]

    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator, alphabet: [UInt8]) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let choice = Int.random(in: 0..<4, using: &rng)
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch choice {
            case 0 where !out.isEmpty: out[position] = alphabet.randomElement(using: &rng)!
            case 1: out.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where !out.isEmpty: out.remove(at: position)
            default:
                if !out.isEmpty {
                    let end = min(out.count, position + Int.random(in: 1...8, using: &rng))
                    out.insert(contentsOf: out[position..<end], at: position)
                }
            }
        }
        return out
    }

    @Test("JSON parser: random bytes and mutated documents")
    func jsonParser() {
        var rng = SeededGenerator(seed: 0x5167_4E41_4C42_4F58)
        let alphabet = Array(#"{}[],:"\/ -+.eE0123456789tfnulr"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xFF, 0xED, 0xA0]
        var parsed = 0
        for iteration in 0..<6000 {
            let bytes: [UInt8]
            if iteration % 3 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                }
            } else {
                bytes = Self.mutate(Array(Self.validDocuments[iteration % 3].utf8), &rng, alphabet: alphabet)
            }
            do {
                let value = try JSONParser.parse(bytes, limits: JSONParser.Limits(maxBytes: 1 << 20, maxDepth: 16))
                parsed += 1
                let again = try? JSONParser.parse(value.jsonText)
                #expect(again == value, "round trip of \(bytes)")
            } catch {
                #expect(error.byteOffset >= 0 && error.byteOffset <= bytes.count, "offset \(error.byteOffset) for \(bytes)")
            }
        }
        #expect(parsed > 100, "mutations should sometimes stay valid")
    }

    static let seedsForQueries = [
        "$.store.book[?@.price < 10 && @.category == 'fiction'].title",
        "$..[?length(@) > 1 || count(@.*) == 2]",
        "$[0:5:2, -1, 'a', \"b\"][?match(@.x, 'a.*[0-9]')]",
        "$.a[?search(@, '\\\\p{Lu}')]..b[*]",
        "$[?!(@.a == null) && value(@..c) != 'x']",
    ]

    static let filterSeeds = [
        "$.item.status == 'Finished' && $.item.appId == 'app-7'",
        "!($.item.durationMs > 5000 || $.item.tags[?@ == 'eu']) && length(@.item.tags) >= 2",
        "match(@.item.appId, 'app-[0-9]+') || search($.type, '^App') || $.item.result.rows <= 10.5e0",
        "$['item']['tags'][-1] == \"eu\" && count($..*) > 3 && value($.item.id) != null",
    ]

    static let queryAlphabet = Array("$@.[]*?:,()!=<>&|'\"-0123456789 abcdeilmnsutvhr\\{}pLu".unicodeScalars)

    static func mutateText(_ text: String, _ rng: inout SeededGenerator) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0 where !scalars.isEmpty: scalars[position] = queryAlphabet.randomElement(using: &rng)!
            case 1: scalars.insert(queryAlphabet.randomElement(using: &rng)!, at: position)
            default: if !scalars.isEmpty { scalars.remove(at: position) }
            }
        }
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars)
        return s
    }

    static func documents() throws -> [JSONValue] {
        try validDocuments.map { try JSONParser.parse($0) } + [
            [
                "store": ["book": [["price": 8, "category": "fiction", "title": "T"], ["price": 12]]],
                "a": [["b": 1, "x": "a1"], "Zed"],
            ]
        ]
    }

    @Test("query parser and evaluator: every node's path leads back to its value")
    func queries() throws {
        var rng = SeededGenerator(seed: 42)
        let docs = try Self.documents()
        var accepted = 0
        for iteration in 0..<4000 {
            let text: String
            if iteration % 4 == 0 {
                var s = ""
                s.unicodeScalars.append(
                    contentsOf: (0..<Int.random(in: 0...24, using: &rng)).map { _ in Self.queryAlphabet.randomElement(using: &rng)! }
                )
                text = "$" + s
            } else {
                text = Self.mutateText(Self.seedsForQueries[iteration % Self.seedsForQueries.count], &rng)
            }
            let query: JSONPathQuery
            do {
                query = try JSONPathQuery(parsing: text)
            } catch {
                let length = text.unicodeScalars.count
                #expect(error.column >= 1 && error.column <= length + 1, "\(text): \(error)")
                #expect(error.span.lowerBound <= length, "\(text): \(error)")
                continue
            }
            accepted += 1
            for doc in docs {
                for node in try #require(try? query.select(in: doc), "\(text) exceeded the budget") {
                    #expect(Self.resolve(node.path, in: doc) == node.value, "\(text) at \(node.path)")
                }
            }
        }
        #expect(accepted > 100)
    }

    @Test("trigger filters: evaluate never crashes and explain agrees with evaluate")
    func filters() throws {
        var rng = SeededGenerator(seed: 7)
        let docs = try Self.documents()
        var accepted = 0
        for iteration in 0..<4000 {
            let text = Self.mutateText(Self.filterSeeds[iteration % Self.filterSeeds.count], &rng)
            do {
                let filter = try TriggerFilter(parsing: text)
                accepted += 1
                for doc in docs {
                    #expect((try? filter.explain(doc).result) == (try? filter.evaluate(doc)), "\(text)")
                }
            } catch {
                let length = text.unicodeScalars.count
                #expect(error.column >= 1 && error.column <= length + 1, "\(text): \(error)")
            }
        }
        #expect(accepted > 100)
    }

    static func resolve(_ path: NormalizedPath, in document: JSONValue) -> JSONValue? {
        var current = document
        for element in path.elements {
            switch element {
            case .name(let n):
                guard let next = current[n] else { return nil }
                current = next
            case .index(let i):
                guard let next = current[i] else { return nil }
                current = next
            }
        }
        return current
    }
}
