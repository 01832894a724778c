/// Turning a request body that does not decode into a 400 (or a 422 for a refused value) that
/// names the field.
extension AutomationError {
    /// Maps a `DecodingError` (from decoding one of this module's request types) to
    /// `invalidInput` with the JSON path of the offending member, e.g.
    /// `actions[0].config.version.id: required member is missing`. Any other error becomes a
    /// generic `invalidInput` ("the body is not valid JSON").
    public init(decoding error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(.invalidInput, "the request body is not valid JSON")
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            let path = Self.jsonPath(context.codingPath + [key])
            self.init(.invalidInput, "required member \"\(key.stringValue)\" is missing", field: path)
        case .typeMismatch(let type, let context):
            self.init(.invalidInput, "expected \(Self.jsonTypeName(type))", field: Self.jsonPath(context.codingPath))
        case .valueNotFound(let type, let context):
            self.init(.invalidInput, "expected \(Self.jsonTypeName(type)), found null", field: Self.jsonPath(context.codingPath))
        case .dataCorrupted(let context):
            // At a member: the JSON is well-formed and typed, its value is refused (an unknown
            // enum case, a malformed UUID or date), so 422; at the root the body is not JSON.
            // Foundation's decoder names no member for a number that does not fit its type
            // either, so the message says both.
            guard !context.codingPath.isEmpty else {
                self.init(
                    .invalidInput,
                    "the request body is not valid JSON, or a number in it does not fit its member (an integer with a fraction or beyond 64 bits)")
                return
            }
            self.init(.invalidValue, String(context.debugDescription.prefix(300)), field: Self.jsonPath(context.codingPath))
        @unknown default:
            self.init(.invalidInput, "the request body could not be decoded")
        }
    }

    /// `[actions, 0, config]` → `actions[0].config`.
    static func jsonPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object or value of the right type"
        }
    }
}
