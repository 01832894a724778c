/// The byte-level recursive-descent reader behind ``JSONParser``.
///
/// Recursion depth is bounded by `maxDepth`; every error carries the byte offset.
struct ByteReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    /// Scratch stacks shared by all nesting levels (see `parseArray`).
    var valueStack = ScratchStack<JSONValue>()
    var memberStack = ScratchStack<JSONObject.Member>()

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < buffer.count {
            let b = buffer[position]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { return }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
        switch buffer[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParseError(.unexpectedByte, at: position, detail: ByteReader.describe(buffer[position]))
        }
    }

    static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        let start = word.utf8Start
        for i in 0..<n {
            guard position + i < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position + i) }
            guard buffer[position + i] == start[i] else {
                throw JSONParseError(.unexpectedByte, at: position + i, detail: ByteReader.describe(buffer[position + i]))
            }
        }
        position += n
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw JSONParseError(.depthLimitExceeded, at: position, detail: "limit \(maxDepth)") }
        position += 1
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        // Elements collect on a shared scratch stack, then move into an exactly sized array:
        // no repeated regrowth per array.
        let base = valueStack.count
        defer { valueStack.truncate(to: base) }
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth)
            valueStack.push(element)
            skipWhitespace()
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let b = buffer[position]
            position += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { return .array(valueStack.popArray(from: base)) }
            throw JSONParseError(.unexpectedByte, at: position - 1, detail: ByteReader.describe(b))
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw JSONParseError(.depthLimitExceeded, at: position, detail: "limit \(maxDepth)") }
        position += 1
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(uniqueMembers: []))
        }
        let base = memberStack.count
        defer { memberStack.truncate(to: base) }
        // One bit per fingerprint bucket: a key whose bit is clear cannot be a duplicate.
        var seenBits: UInt64 = 0
        // Past `MemberIndex.threshold` members (where every bit is soon set), a hash index.
        var wide: MemberIndex?
        while true {
            skipWhitespace()
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            guard buffer[position] == UInt8(ascii: "\"") else {
                throw JSONParseError(.unexpectedByte, at: position, detail: ByteReader.describe(buffer[position]))
            }
            let (key, fingerprint) = try parseKey()
            skipWhitespace()
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            guard buffer[position] == UInt8(ascii: ":") else {
                throw JSONParseError(.unexpectedByte, at: position, detail: ByteReader.describe(buffer[position]))
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // A repeated key keeps its first position and takes the last value.
            let count = memberStack.count - base
            if count < MemberIndex.threshold {
                let bit: UInt64 = 1 << ((fingerprint ^ (fingerprint >> 29) ^ (fingerprint >> 47)) & 63)
                if seenBits & bit != 0, let j = memberStack.withElements(from: base, { members in
                    members.firstIndex { $0.fingerprint == fingerprint && $0.key.isScalarIdentical(to: key) }
                }) {
                    memberStack.modify(at: base + j) { $0.value = value }
                } else {
                    seenBits |= bit
                    memberStack.push(JSONObject.Member(key: key, value: value, fingerprint: fingerprint))
                }
            } else {
                if wide == nil { wide = memberStack.withElements(from: base) { MemberIndex(uniqueMembers: $0) } }
                let hash = MemberIndex.hash(of: key)
                if let j = memberStack.withElements(from: base, { wide?.find(key, fingerprint: fingerprint, hash: hash, in: $0) }) {
                    memberStack.modify(at: base + j) { $0.value = value }
                } else {
                    wide?.insert(hash: hash, position: count)
                    memberStack.push(JSONObject.Member(key: key, value: value, fingerprint: fingerprint))
                }
            }
            skipWhitespace()
            guard position < buffer.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let b = buffer[position]
            position += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            throw JSONParseError(.unexpectedByte, at: position - 1, detail: ByteReader.describe(b))
        }
        let members = memberStack.popArray(from: base)
        return .object(JSONObject(uniqueMembers: members))
    }

    /// A member name and its lookup fingerprint, computed while scanning.
    private mutating func parseKey() throws(JSONParseError) -> (String, UInt64) {
        let start = position + 1
        // Whole-word fast path: most member names are short plain ASCII.
        if start + 8 <= buffer.count, let base = buffer.baseAddress {
            let w = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: start, as: UInt64.self)
            let special = ByteReader.specialBytes(w)
            if special != 0 {
                // The lowest flagged byte is always a real special byte.
                let length = special.trailingZeroBitCount / 8
                if buffer[start + length] == UInt8(ascii: "\"") {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]), as: UTF8.self)
                    position = start + length + 1
                    let word = length == 0 ? 0 : w & (UInt64.max >> UInt64(64 - 8 * length))
                    return (key, JSONObject.fingerprint(word: word, count: UInt64(length)))
                }
            }
        }
        var i = start
        var word: UInt64 = 0
        while i < buffer.count {
            let b = buffer[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            if i - start < 8 {
                word |= UInt64(b) << (UInt64(i - start) * 8)
            } else {
                i = skipPlainBytes(from: i)
                if i >= buffer.count { break }
                let c = buffer[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
            }
            i += 1
        }
        if i < buffer.count, buffer[i] == UInt8(ascii: "\"") {
            // Plain ASCII key: the common case.
            let key = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self)
            position = i + 1
            return (key, JSONObject.fingerprint(word: word, count: UInt64(i - start)))
        }
        let key = try parseString()
        return (key, JSONObject.fingerprint(of: key))
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let open = position
        position += 1
        let start = position
        var nonASCII: UInt8 = 0
        position = skipPlainBytes(from: position)
        while position < buffer.count {
            let b = buffer[position]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buffer[start..<position])
                position += 1
                if nonASCII & 0x80 == 0 { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(.invalidUTF8, at: start + ByteReader.firstInvalidUTF8(slice))
                }
                return s
            }
            if b == UInt8(ascii: "\\") { return try parseEscapedString(open: open, start: start) }
            if b < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
            nonASCII |= b
            position += 1
        }
        throw JSONParseError(.unterminatedString, at: open)
    }

    /// Skips eight bytes at a time while none is `"`, `\\`, a control character or non-ASCII
    /// (SWAR: the classic "has zero byte" test on XOR-ed words). Returns the first position that
    /// needs a byte-by-byte look; never skips past a special byte.
    @inline(__always)
    func skipPlainBytes(from start: Int) -> Int {
        guard let base = buffer.baseAddress else { return start }
        let raw = UnsafeRawPointer(base)
        var i = start
        while i + 8 <= buffer.count {
            if ByteReader.specialBytes(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { break }
            i += 8
        }
        return i
    }

    /// High bit set in each byte of `w` that may be `"`, `\\`, a control character or non-ASCII;
    /// the lowest set bit always marks a real one (borrows only propagate upwards).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        return (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((w &- ones &* 0x20) & ~w) | w) & highs
    }

    static func firstInvalidUTF8(_ slice: UnsafeBufferPointer<UInt8>) -> Int {
        var it = slice.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }

    private mutating func parseEscapedString(open: Int, start: Int) throws(JSONParseError) -> String {
        var bytes: [UInt8] = Array(UnsafeBufferPointer(rebasing: buffer[start..<position]))
        while position < buffer.count {
            let b = buffer[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw JSONParseError(.invalidUTF8, at: start)
                }
                return s
            }
            if b < 0x20 { throw JSONParseError(.controlCharacterInString, at: position) }
            if b != UInt8(ascii: "\\") {
                bytes.append(b)
                position += 1
                continue
            }
            let escapeStart = position
            position += 1
            guard position < buffer.count else { throw JSONParseError(.unterminatedString, at: open) }
            let e = buffer[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4(escapeStart)
                if (0xD800...0xDBFF).contains(code) {
                    guard position + 1 < buffer.count, buffer[position] == UInt8(ascii: "\\"),
                        buffer[position + 1] == UInt8(ascii: "u")
                    else { throw JSONParseError(.invalidUnicodeEscape, at: escapeStart, detail: "unpaired surrogate") }
                    position += 2
                    let low = try readHex4(escapeStart)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONParseError(.invalidUnicodeEscape, at: escapeStart, detail: "unpaired surrogate")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw JSONParseError(.invalidUnicodeEscape, at: escapeStart, detail: "unpaired surrogate")
                }
                guard let scalar = Unicode.Scalar(code) else { throw JSONParseError(.invalidUnicodeEscape, at: escapeStart) }
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw JSONParseError(.invalidEscape, at: escapeStart)
            }
        }
        throw JSONParseError(.unterminatedString, at: open)
    }

    private mutating func readHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= buffer.count else { throw JSONParseError(.unexpectedEnd, at: buffer.count) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buffer[position]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
            default: throw JSONParseError(.invalidUnicodeEscape, at: escapeStart)
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var negative = false
        if buffer[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < buffer.count else { throw JSONParseError(.invalidNumber, at: start) }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        let first = buffer[position]
        if first == UInt8(ascii: "0") {
            position += 1
            if position < buffer.count, ByteReader.isDigit(buffer[position]) {
                throw JSONParseError(.invalidNumber, at: start, detail: "leading zero")
            }
        } else if ByteReader.isDigit(first) {
            while position < buffer.count, ByteReader.isDigit(buffer[position]) {
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(buffer[position] - 48)
                } else {
                    overflow = true
                }
                digits += 1
                position += 1
            }
        } else {
            throw JSONParseError(.invalidNumber, at: start)
        }
        var isInteger = true
        var fracDigits = 0
        if position < buffer.count, buffer[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let fracStart = position
            while position < buffer.count, ByteReader.isDigit(buffer[position]) {
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(buffer[position] - 48)
                    if mantissa != 0 || digits > 0 { digits += 1 }
                    fracDigits += 1
                } else {
                    overflow = true
                }
                position += 1
            }
            guard position > fracStart else { throw JSONParseError(.invalidNumber, at: start, detail: "digit expected after '.'") }
        }
        var exponent = 0
        if position < buffer.count, buffer[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            var expNegative = false
            if position < buffer.count, buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-") {
                expNegative = buffer[position] == UInt8(ascii: "-")
                position += 1
            }
            let expStart = position
            while position < buffer.count, ByteReader.isDigit(buffer[position]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(buffer[position] - 48) }
                position += 1
            }
            guard position > expStart else { throw JSONParseError(.invalidNumber, at: start, detail: "digit expected in exponent") }
            if expNegative { exponent = -exponent }
        }
        if isInteger, !overflow {
            if negative {
                if mantissa <= UInt64(Int.max) + 1 { return .int(mantissa == UInt64(Int.max) + 1 ? Int.min : -Int(mantissa)) }
            } else if mantissa <= UInt64(Int.max) {
                return .int(Int(mantissa))
            }
        }
        // Exact fast path (Clinger): at most 15 significant digits and a small power of ten.
        let scale = exponent - fracDigits
        if !overflow, mantissa < (1 << 53), scale >= -22, scale <= 22 {
            var d = Double(mantissa)
            if scale < 0 { d /= ByteReader.powersOfTen[-scale] } else { d *= ByteReader.powersOfTen[scale] }
            return .double(negative ? -d : d)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw JSONParseError(.numberOutOfRange, at: start) }
        return .double(d)
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
