/// One step of a normalized path or singular query: a member name or an array index.
public enum PathElement: Sendable, Hashable {
    case name(String)
    case index(Int)
}

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

/// A node selected by a query: its value and where it is.
public struct JSONPathNode: Sendable, Hashable {
    public let value: JSONValue
    public let path: NormalizedPath

    public init(value: JSONValue, path: NormalizedPath) {
        self.value = value
        self.path = path
    }
}

/// A persistent linked path, so selecting thousands of nodes shares path prefixes instead of
/// copying arrays; turned into a ``NormalizedPath`` only for results.
final class PathLink: Sendable {
    let parent: PathLink?
    let element: PathElement

    init(parent: PathLink?, element: PathElement) {
        self.parent = parent
        self.element = element
    }

    static func elements(of link: PathLink?) -> [PathElement] {
        var result: [PathElement] = []
        var current = link
        while let node = current {
            result.append(node.element)
            current = node.parent
        }
        return result.reversed()
    }
}
