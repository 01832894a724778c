import JSONPath

/// Any JSON value, `Codable`: how the model keeps JSON it does not interpret (unknown members of
/// an item config, events given to the filter tester) without losing it.
///
/// It wraps ``JSONPath/JSONValue`` so values can go straight to filters and queries. Equality and
/// hashing are `JSONValue`'s (numbers by value, objects ignoring member order). Decoded by
/// ``JSONValueDecoder`` (request bodies) it is the parsed value itself, members in document order;
/// through Foundation's decoder, which does not report member order, members come sorted by name.
public struct AnyJSON: Hashable, Sendable, Codable, CustomStringConvertible {
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }

    public var description: String { value.jsonText }

    public init(from decoder: any Decoder) throws {
        value = try Self.decodeValue(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try Self.encode(value, to: encoder)
    }

    static func decodeValue(from decoder: any Decoder) throws -> JSONValue {
        if let parsed = decoder as? JSONValueDecoding { return parsed.value }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd {
                elements.append(try array.decode(AnyJSON.self).value)
            }
            return .array(elements)
        }
        if let object = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var members: [(String, JSONValue)] = []
            for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try object.decode(AnyJSON.self, forKey: key).value))
            }
            return .object(JSONObject(members))
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { return .null }
        if let bool = try? single.decode(Bool.self) { return .bool(bool) }
        if let int = try? single.decode(Int.self) { return .int(int) }
        if let double = try? single.decode(Double.self) { return .double(double) }
        return .string(try single.decode(String.self))
    }

    static func encode(_ value: JSONValue, to encoder: any Encoder) throws {
        switch value {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .int(let i):
            var single = encoder.singleValueContainer()
            try single.encode(i)
        case .double(let d):
            var single = encoder.singleValueContainer()
            try single.encode(d)
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .array(let elements):
            var array = encoder.unkeyedContainer()
            for element in elements { try array.encode(AnyJSON(element)) }
        case .object(let object):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for member in object.members {
                try container.encode(AnyJSON(member.value), forKey: AnyCodingKey(member.key))
            }
        }
    }
}

/// A coding key for arbitrary member names (unknown config members, free-form objects).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) { self.init(index: intValue) }

    init(index: Int) {
        stringValue = String(index)
        intValue = index
    }
}
