/// A strict RFC 8259 parser from UTF-8 bytes to ``JSONValue``.
///
/// Events are parsed once per delivery and then matched against many triggers, so the parser works
/// directly on a byte buffer with no intermediate tokens. Hostile input is bounded: ``Limits``
/// caps the document size and the nesting depth (recursion is bounded by the depth limit, so
/// 100,000 nested brackets give ``JSONParseError/Code/depthLimitExceeded``, never a stack overflow).
public enum JSONParser {
    /// Bounds applied while parsing.
    public struct Limits: Sendable, Hashable {
        /// Largest accepted document, in bytes.
        public var maxBytes: Int
        /// Deepest accepted nesting of arrays and objects, at most ``depthCeiling``.
        public var maxDepth: Int {
            didSet { maxDepth = min(maxDepth, Limits.depthCeiling) }
        }

        /// The parser, the evaluator's descendant walk and the release of a value all recurse
        /// once per level; this ceiling keeps them within a small (512 KiB) thread stack.
        public static let depthCeiling = 2048

        public init(maxBytes: Int = 16 * 1024 * 1024, maxDepth: Int = 512) {
            self.maxBytes = maxBytes
            self.maxDepth = min(maxDepth, Limits.depthCeiling)
        }

        /// 16 MiB and 512 levels: generous for events, small enough to stay safe.
        public static let `default` = Limits()
    }

    /// Parses one JSON value (surrounding whitespace allowed) from UTF-8 bytes.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            parseBuffer(buffer, limits: limits)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { parseBuffer($0, limits: limits) }.get()
    }

    /// Parses one JSON value from text.
    public static func parse(_ text: String, limits: Limits = .default) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseBuffer($0, limits: limits) }.get()
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>, limits: Limits) -> Result<JSONValue, JSONParseError> {
        guard buffer.count <= limits.maxBytes else {
            return .failure(JSONParseError(.sizeLimitExceeded, at: limits.maxBytes, detail: "limit \(limits.maxBytes) bytes"))
        }
        var reader = ByteReader(buffer: buffer, maxDepth: limits.maxDepth)
        defer {
            reader.valueStack.release()
            reader.memberStack.release()
        }
        do throws(JSONParseError) {
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            if reader.position < buffer.count {
                throw JSONParseError(.trailingData, at: reader.position)
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}
