/// A JSON value as the rest of Signalbox sees it.
///
/// Integers, floating-point numbers and Booleans are distinct cases on purpose: RFC 9535 compares
/// numbers by value (`1 == 1.0`) but never equates `true` with `1`, and an event that carried the
/// integer `1234` must serialise back as `1234`, not `1234.0`. Object members keep their document
/// order (see ``JSONObject``) so that query results and normalized paths come out in a stable order.
///
/// `==` and `hash(into:)` follow JSONPath comparison semantics: numbers by value whatever their
/// spelling, strings by Unicode scalars (no canonical equivalence), arrays element-wise, objects by
/// key set ignoring member order. That makes `JSONValue` usable as a dictionary key for indexing
/// trigger predicates.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in `Int` (64 bits). Larger integers are parsed as ``double(_:)``.
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The member value for `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range, else `nil`.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The numeric payload as a `Double`, for integers and doubles.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The integer payload; a double converts only when it is integral and in range.
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return JSONValue.exactInt(d)
        default: return nil
        }
    }

    /// The Boolean payload, if this is `true` or `false` (never derived from a number).
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name, used in messages and explanations.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
