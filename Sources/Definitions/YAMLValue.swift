import JSONPath
import Yams

/// Turns a composed YAML node into a ``JSONValue``, recording where each member was written.
/// JSON files go the same way (JSON is YAML), so they get positions too.
struct YAMLValue {
    let file: String

    /// The value of `node`; members' locations go into `map` under `path`.
    func value(_ node: Node, path: String, into map: inout SourceMap) throws(DefinitionsError) -> JSONValue {
        map.record(path, Self.location(node))
        switch node {
        case .scalar(let scalar):
            return Self.scalar(scalar)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try value(element, path: "\(path)[\(index)]", into: &map))
            }
            return .array(elements)
        case .mapping(let mapping):
            var object = JSONObject.Builder(capacity: mapping.count)
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw error(keyNode, "keys must be plain text")
                }
                guard !object.contains(key.string) else {
                    throw error(keyNode, "\(key.string.prefix(100)) appears twice in this mapping")
                }
                let memberPath = path.isEmpty ? key.string : "\(path).\(key.string)"
                object.set(try value(valueNode, path: memberPath, into: &map), forKey: key.string)
            }
            return .object(object.object)
        case .alias:
            throw error(node, "YAML aliases are not supported in definitions")
        }
    }

    /// A plain scalar by the type YAML resolved for it (`true`, `3`, `2.5`, `null`); quoted ones
    /// are text.
    static func scalar(_ scalar: Node.Scalar) -> JSONValue {
        let node = Node.scalar(scalar)
        // The composer leaves plain scalars' tags unresolved; resolve them as YAML 1.1 does.
        switch Resolver.default.resolveTag(of: node) {
        case .null: return .null
        case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
        case .int: return node.int.map(JSONValue.int) ?? .string(scalar.string)
        case .float: return node.float.map(JSONValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    static func location(_ node: Node) -> SourceMap.Location? {
        node.mark.map { SourceMap.Location(line: $0.line, column: $0.column) }
    }

    func error(_ node: Node, _ message: String) -> DefinitionsError {
        DefinitionsError(file: file, line: node.mark?.line, column: node.mark?.column, message: message)
    }
}
