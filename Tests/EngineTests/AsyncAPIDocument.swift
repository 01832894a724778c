import Foundation
import JSONPath
import Yams

/// `docs/asyncapi.yaml`, loaded with Yams, with the lookups the contract tests need.
struct AsyncAPIDocument {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    let root: [String: Any]

    init() throws {
        let url = Self.repositoryRoot.appendingPathComponent("docs/asyncapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw Failure(description: "\(url.path): not a YAML mapping")
        }
        self.root = root
    }

    /// The value at `path` (mapping keys), e.g. `["components", "messages", "startApp"]`.
    func value(_ path: [String]) throws -> Any {
        var node: Any = root
        for (depth, key) in path.enumerated() {
            guard let mapping = node as? [String: Any], let next = mapping[key] else {
                throw Failure(description: "asyncapi.yaml: no \(path[...depth].joined(separator: "."))")
            }
            node = next
        }
        return node
    }

    func mapping(_ path: [String]) throws -> [String: Any] {
        guard let mapping = try value(path) as? [String: Any] else {
            throw Failure(description: "asyncapi.yaml: \(path.joined(separator: ".")) is not a mapping")
        }
        return mapping
    }

    func string(_ path: [String]) throws -> String {
        guard let text = try value(path) as? String else {
            throw Failure(description: "asyncapi.yaml: \(path.joined(separator: ".")) is not a string")
        }
        return text
    }

    /// Follows `{"$ref": "#/a/b"}`.
    func resolved(_ node: [String: Any]) throws -> [String: Any] {
        guard let reference = node["$ref"] as? String else { return node }
        guard reference.hasPrefix("#/") else { throw Failure(description: "asyncapi.yaml: external $ref \(reference)") }
        return try resolved(mapping(reference.dropFirst(2).split(separator: "/").map(String.init)))
    }

    /// A message's examples.
    func examples(ofMessage name: String) throws -> [[String: Any]] {
        guard let examples = try mapping(["components", "messages", name])["examples"] as? [[String: Any]], !examples.isEmpty
        else { throw Failure(description: "asyncapi.yaml: message \(name) has no examples") }
        return examples
    }

    /// A channel's AMQP binding, `$ref` resolved.
    func amqpBinding(ofChannel name: String) throws -> [String: Any] {
        let bindings = try resolved(mapping(["channels", name, "bindings"]))
        guard let amqp = bindings["amqp"] as? [String: Any] else {
            throw Failure(description: "asyncapi.yaml: channel \(name) has no AMQP binding")
        }
        return amqp
    }

    /// The name of the message component a channel carries (each channel carries one).
    func messageName(ofChannel name: String) throws -> String {
        let messages = try mapping(["channels", name, "messages"])
        guard messages.count == 1, let message = messages.values.first as? [String: Any],
            let reference = message["$ref"] as? String, let last = reference.split(separator: "/").last
        else { throw Failure(description: "asyncapi.yaml: channel \(name) should carry one $ref'd message") }
        return String(last)
    }

    /// An example member (`payload`, `headers`) as JSON.
    static func json(_ node: Any) throws -> JSONValue {
        switch node {
        case is NSNull: return .null
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(value)
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case let values as [Any]: return .array(try values.map(json))
        case let mapping as [String: Any]:
            return .object(JSONObject(try mapping.keys.sorted().map { ($0, try json(mapping[$0]!)) }))
        default: throw Failure(description: "asyncapi.yaml: \(type(of: node)) in an example is not JSON (quote dates)")
        }
    }

    /// The `x-amqp-properties` of an example, as strings.
    static func amqpProperties(of example: [String: Any]) throws -> [String: String] {
        guard let properties = example["x-amqp-properties"] as? [String: Any] else {
            throw Failure(description: "asyncapi.yaml: example \(example["name"] ?? "?") has no x-amqp-properties")
        }
        return properties.mapValues { "\($0)" }
    }
}
