@testable import JSONPath

/// JSONParser: never crashes; an error points inside the input; a parsed value serialises to
/// text that parses back to an equal value (with an equal hash), and parsing the same bytes as
/// bytes or as a String agrees.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let limits = JSONParser.Limits(maxBytes: 1 << 20, maxDepth: 64)
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes, limits: limits)
    } catch {
        guard error.byteOffset >= 0, error.byteOffset <= size else {
            propertyFailed("error offset \(error.byteOffset) outside \(size) bytes: \(error)")
        }
        return 0
    }
    // Valid JSON is valid UTF-8, so the String path must see the same document.
    guard let viaString = try? JSONParser.parse(text(data, size), limits: limits), viaString == value else {
        propertyFailed("bytes and String parses differ for \(value.jsonText)")
    }
    let serialised = value.jsonText
    let again: JSONValue
    do {
        again = try JSONParser.parse(serialised, limits: limits)
    } catch {
        propertyFailed("serialised value does not parse: \(error) in \(serialised)")
    }
    guard again == value, again.hashValue == value.hashValue else {
        propertyFailed("round trip changed the value: \(serialised) → \(again.jsonText)")
    }
    guard again.jsonText == serialised else {
        propertyFailed("serialisation is not stable: \(serialised) → \(again.jsonText)")
    }
    return 0
}
