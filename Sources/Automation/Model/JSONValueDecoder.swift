import Foundation
import JSONPath

/// Decodes `Decodable` values from a parsed ``JSONPath/JSONValue``, so a request body is parsed
/// once, by `JSONParser` (whose errors carry a byte offset), and never again by Foundation.
///
/// It decodes as ``AutomationJSON/decoder()`` does: dates are ISO 8601 strings (fractional seconds
/// and offsets allowed), `Data` is base64, `URL` a string; an integer type takes a number only when
/// it is integral and fits (`1.0` and `1e2` are taken, `1.5`, or `300` for an `Int8`, are
/// `dataCorrupted`); a missing member, a `null` and a wrong type are `keyNotFound`,
/// `valueNotFound` and `typeMismatch` with the coding path, so ``AutomationError/init(decoding:)``
/// names the field. Where it differs: a repeated member has its last value (the parser's rule;
/// Foundation keeps the first), and an integer written with a fraction or an exponent, or beyond
/// `Int`, is taken only within ±2⁶³, where the parsed `Double` is known to be the number written.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoding(value, parent: nil, key: nil).decodeValue(T.self)
    }
}

/// The coding path as a linked list: nested values share their parent's path instead of each
/// copying an array; the array is built only when asked for (errors, mostly).
final class CodingPathNode {
    let key: any CodingKey
    let parent: CodingPathNode?

    init(_ key: any CodingKey, parent: CodingPathNode?) {
        self.key = key
        self.parent = parent
    }

    static func keys(_ node: CodingPathNode?, then last: (any CodingKey)? = nil) -> [any CodingKey] {
        var keys: [any CodingKey] = last.map { [$0] } ?? []
        var node = node
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}

/// One value being decoded: the `Decoder`, and its own single-value container.
///
/// The value's key is kept apart from its parent's path so that decoding a string or a number
/// allocates nothing; a node is made only for a value that opens a container.
struct JSONValueDecoding: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    private let parent: CodingPathNode?
    private let key: (any CodingKey)?

    init(_ value: JSONValue, parent: CodingPathNode?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] { CodingPathNode.keys(parent, then: key) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private var path: CodingPathNode? { key.map { CodingPathNode($0, parent: parent) } ?? parent }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: Any].self, container: "keyed") }
        return KeyedDecodingContainer(JSONValueKeyedContainer<Key>(object: object, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, container: "unkeyed") }
        return JSONValueUnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Values

    /// `T`, with Foundation's special cases: these types have a JSON form of their own in
    /// `JSONDecoder` that their `Decodable` conformance does not give.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Date.self { return try decodeDate() as! T }
        if T.self == Data.self { return try decodeData() as! T }
        if T.self == URL.self { return try decodeURL() as! T }
        if T.self == Decimal.self { return try decodeDecimal() as! T }
        return try T(from: self)
    }

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(String.self) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(Double.self) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(Float.self) }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(T.self) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch value {
        case .int(let int):
            if let exact = I(exactly: int) { return exact }
        case .double(let double):
            // Past 2⁶³ the double may not be the integer that was written (UInt64's upper half).
            if double.magnitude < 0x1p63, let exact = I(exactly: double) { return exact }
        default:
            throw mismatch(I.self)
        }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "number \(value.jsonText) does not fit in \(I.self)"))
    }

    private func floatingPoint<F: BinaryFloatingPoint>(_ type: F.Type) throws -> F {
        switch value {
        case .int(let int): return F(int)
        case .double(let double):
            let converted = F(double)
            if converted.isFinite { return converted }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "number \(value.jsonText) does not fit in \(F.self)"))
        default: throw mismatch(F.self)
        }
    }

    private func decodeDate() throws -> Date {
        let text = try decode(String.self)
        // As `AutomationJSON.decoder()` reads dates: RFC 3339, any offset.
        guard let date = RFC3339Instant.parse(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath,
                debugDescription: "expected an RFC 3339 date-time such as 2026-01-05T10:00:00Z, got \"\(text.prefix(64))\""))
        }
        return date
    }

    private func decodeData() throws -> Data {
        guard let data = Data(base64Encoded: try decode(String.self)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    private func decodeURL() throws -> URL {
        let text = try decode(String.self)
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid URL string."))
        }
        return url
    }

    private func decodeDecimal() throws -> Decimal {
        switch value {
        case .int(let int): return Decimal(int)
        // The shortest text that reads back as the double: "0.1", not 0.1000000000000000055….
        case .double(let double): return Decimal(string: double.description) ?? Decimal(double)
        default: throw mismatch(Decimal.self)
        }
    }

    /// A value of the wrong JSON type: `valueNotFound` for `null`, else `typeMismatch`, with
    /// Foundation's wording.
    private func mismatch(_ type: Any.Type, container: String? = nil) -> DecodingError {
        if value.isNull {
            let message = container.map { "Cannot get \($0) decoding container -- found null value instead" }
                ?? "Cannot get value of type \(type) -- found null value instead"
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: message))
        }
        let found = switch value {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }
}

/// The members of an object, looked up through a ``JSONObject/KeyLookup`` (a hash index when
/// the object is wide, so decoding a dictionary of n members stays linear).
struct JSONValueKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let path: CodingPathNode?
    private let lookup: JSONObject.KeyLookup

    init(object: JSONObject, path: CodingPathNode?) {
        self.object = object
        self.path = path
        lookup = object.keyLookup()
    }

    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { lookup.index(forKey: key.stringValue) != nil }

    private func member(_ key: Key) throws -> JSONValueDecoding {
        guard let value = lookup[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return JSONValueDecoding(value, parent: path, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).decodeValue(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try member(key).unkeyedContainer() }

    /// As Foundation: the member named `super`, or `null` when there is none.
    func superDecoder() throws -> any Decoder {
        JSONValueDecoding(object["super"] ?? .null, parent: path, key: AnyCodingKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoding(lookup[key.stringValue] ?? .null, parent: path, key: key)
    }
}

/// The elements of an array, in order; the index moves only past an element that decoded.
struct JSONValueUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let path: CodingPathNode?
    private(set) var currentIndex = 0

    init(elements: [JSONValue], path: CodingPathNode?) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private func current(_ type: Any.Type) throws -> JSONValueDecoding {
        let key = AnyCodingKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: CodingPathNode.keys(path, then: key), debugDescription: "Unkeyed container is at end."))
        }
        return JSONValueDecoding(elements[currentIndex], parent: path, key: key)
    }

    /// Decodes the current element with `decode` and moves past it.
    private mutating func next<T>(_ type: T.Type, _ decode: (JSONValueDecoding) throws -> T) throws -> T {
        let value = try decode(try current(type))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Any?.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decodeValue(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { $0 }
    }
}
