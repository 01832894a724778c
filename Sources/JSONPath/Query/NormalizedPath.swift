/// The RFC 9535 §2.7 normalized path of a node, such as `$['item']['tags'][0]`.
///
/// Kept as elements (not text) so callers can walk to the node or build their own syntax;
/// `description` gives the canonical text the CTS compares against.
public struct NormalizedPath: Sendable, Hashable, CustomStringConvertible {
    public let elements: [PathElement]

    public init(_ elements: [PathElement]) {
        self.elements = elements
    }

    public var description: String {
        var out = "$"
        for element in elements {
            switch element {
            case .index(let i):
                out += "[\(i)]"
            case .name(let name):
                out += "['"
                for scalar in name.unicodeScalars {
                    switch scalar {
                    case "'": out += "\\'"
                    case "\\": out += "\\\\"
                    case "\u{08}": out += "\\b"
                    case "\u{0C}": out += "\\f"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\t": out += "\\t"
                    default:
                        if scalar.value < 0x20 {
                            out += "\\u00" + JSONValue.hexDigit(scalar.value >> 4) + JSONValue.hexDigit(scalar.value & 0xF)
                        } else {
                            out.unicodeScalars.append(scalar)
                        }
                    }
                }
                out += "']"
            }
        }
        return out
    }
}
