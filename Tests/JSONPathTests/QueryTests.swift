import JSONPath
import Testing

@Suite("Queries")
struct QueryTests {
    static let document: JSONValue = [
        "store": [
            "book": [
                ["title": "A", "price": 8.95, "tags": ["x"]],
                ["title": "B", "price": 12, "isbn": "0-553"],
            ],
            "o'k": ["line\nbreak": 1],
        ]
    ]

    @Test("select returns values with normalized paths")
    func normalizedPaths() throws {
        let nodes = try JSONPathQuery(parsing: "$..book[?@.price < 10].title").select(in: Self.document)
        #expect(nodes.map(\.value) == ["A"])
        #expect(nodes.map(\.path.description) == ["$['store']['book'][0]['title']"])
        #expect(nodes.first?.path.elements == [.name("store"), .name("book"), .index(0), .name("title")])
        let escaped = try JSONPathQuery(parsing: "$.store[\"o'k\"].*").select(in: Self.document)
        #expect(escaped.map(\.path.description) == ["$['store']['o\\'k']['line\\nbreak']"])
    }

    @Test("selectors and segments")
    func selectors() throws {
        let array: JSONValue = [0, 1, 2, 3, 4, 5]
        let cases: [(String, JSONValue)] = [
            ("$[1:3]", [1, 2]), ("$[::-2]", [5, 3, 1]), ("$[-1]", [5]), ("$[0,0]", [0, 0]), ("$[7]", []), ("$[:2:0]", []),
            ("$[?@ > 3]", [4, 5]), ("$[?@ == 2 || @ == 4]", [2, 4]),
        ]
        for (q, expected) in cases {
            #expect(JSONValue.array(try JSONPathQuery(parsing: q).values(in: array)) == expected, "\(q)")
        }
        #expect(try JSONPathQuery(parsing: "$.store.book[*].price").values(in: Self.document) == [8.95, 12])
        #expect(try JSONPathQuery(parsing: "$..price").values(in: Self.document).count == 2)
        #expect(try JSONPathQuery(parsing: "$.store.book[?@.isbn].title").values(in: Self.document) == ["B"])
        #expect(try JSONPathQuery(parsing: "$.store.book[?count(@.tags[*]) == 1].title").values(in: Self.document) == ["A"])
        #expect(try JSONPathQuery(parsing: "$.a.b[0]").isSingular)
        #expect(try !JSONPathQuery(parsing: "$.a[*]").isSingular)
    }

    @Test("invalid queries report positions")
    func invalid() {
        let cases: [(String, Int)] = [(" $", 1), ("$.", 3), ("$[01]", 3), ("$[?@.a == 1", 12), ("$.a b", 4), ("$['a]", 3), ("", 1)]
        for (q, column) in cases {
            do {
                _ = try JSONPathQuery(parsing: q)
                Issue.record("accepted \(q)")
            } catch {
                #expect(error.column == column, "\(q): \(error)")
            }
        }
    }
}
