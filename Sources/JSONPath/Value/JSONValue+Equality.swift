/// JSONPath equality (RFC 9535 §2.3.5.2.2) doubles as `Equatable`/`Hashable`, so a value taken
/// from a filter literal can be looked up against a value taken from an event.
extension JSONValue: Equatable, Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)): return JSONValue.exactlyEqual(a, b)
        case (.double(let a), .int(let b)): return JSONValue.exactlyEqual(b, a)
        case (.string(let a), .string(let b)): return a.isScalarIdentical(to: b)
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i] != b[i] { return false }
            return true
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            if a.count > MemberIndex.threshold { return equalWide(a, b) }
            for member in a.members {
                guard let other = b[member.key], other == member.value else { return false }
            }
            return true
        default:
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let b):
            hasher.combine(1 as UInt8)
            hasher.combine(b)
        case .int(let i):
            hasher.combine(2 as UInt8)
            hasher.combine(i)
        case .double(let d):
            hasher.combine(2 as UInt8)
            // An integral double hashes like the integer it equals.
            if let i = JSONValue.exactInt(d) { hasher.combine(i) } else { hasher.combine(d) }
        case .string(let s):
            hasher.combine(3 as UInt8)
            hasher.combine(s.utf8.count)
            for byte in s.utf8 { hasher.combine(byte) }
        case .array(let a):
            hasher.combine(4 as UInt8)
            hasher.combine(a.count)
            for element in a { hasher.combine(element) }
        case .object(let o):
            hasher.combine(5 as UInt8)
            hasher.combine(o.count)
            // Member order must not matter: combine order-independently.
            var sum = 0
            for member in o.members {
                var h = Hasher()
                h.combine(JSONValue.string(member.key))
                h.combine(member.value)
                sum = sum &+ h.finalize()
            }
            hasher.combine(sum)
        }
    }

    /// Wide objects: one key lookup of `b` instead of a scan per member.
    private static func equalWide(_ a: JSONObject, _ b: JSONObject) -> Bool {
        let lookup = b.keyLookup()
        for member in a.members {
            guard let other = lookup[member.key], other == member.value else { return false }
        }
        return true
    }

    /// `Int` versus `Double` without rounding: `2^53 + 1` must not equal `2^53` as a double.
    @inline(__always)
    static func exactlyEqual(_ i: Int, _ d: Double) -> Bool {
        guard let di = exactInt(d) else { return false }
        return di == i
    }

    /// RFC 9535 `<`: numbers numerically, strings by scalar order, anything else is false.
    static func precedes(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b
        case (.double(let a), .double(let b)): return a < b
        case (.int(let a), .double(let b)): return intLess(a, b)
        case (.double(let a), .int(let b)): return doubleLess(a, b)
        case (.string(let a), .string(let b)): return a.scalarPrecedes(b)
        default: return false
        }
    }

    /// `i < d` exactly. Truncation is done by `Int(d)` (a CPU conversion), so this needs no libm.
    private static func intLess(_ i: Int, _ d: Double) -> Bool {
        if d.isNaN { return false }
        if d >= 9_223_372_036_854_775_808.0 { return true }
        if d < -9_223_372_036_854_775_808.0 { return false }
        let t = Int(d)
        return i < t || (i == t && d > Double(t))
    }

    /// `d < i` exactly.
    private static func doubleLess(_ d: Double, _ i: Int) -> Bool {
        if d.isNaN { return false }
        if d >= 9_223_372_036_854_775_808.0 { return false }
        if d < -9_223_372_036_854_775_808.0 { return true }
        let t = Int(d)
        return t < i || (t == i && d < Double(t))
    }

    /// The integer equal to `d`, if any, without libm (`Int(exactly:)` pulls in `trunc`).
    @inline(__always)
    static func exactInt(_ d: Double) -> Int? {
        guard d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { return nil }
        let i = Int(d)
        return Double(i) == d ? i : nil
    }
}

/// Objects compare like ``JSONValue/object(_:)``: same key set, equal values, order ignored.
extension JSONObject: Equatable, Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        JSONValue.object(lhs) == JSONValue.object(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(JSONValue.object(self))
    }
}
