import Foundation
import Yams

/// The flattened key/value view of `signalbox.yaml` with environment overrides, remembering where
/// each value came from so errors can say "config/signalbox.yaml:12:3" or "SIGNALBOX_AMQP_URL".
struct ConfigurationSource {
    struct Value {
        let text: String
        let origin: String
    }

    private(set) var values: [String: Value] = [:]
    let file: String

    /// Reads the YAML file (a tree of mappings with scalar leaves), then applies `environment`.
    init(file: String, knownKeys: Set<String>, environment: [String: String]) throws {
        self.file = file
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(source: file, key: "-", message: "cannot read the file (\(error.localizedDescription))")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(source: file, key: "-", message: "not valid YAML: \(error)")
        }
        if let root { try flatten(root, prefix: "", knownKeys: knownKeys) }
        for key in knownKeys {
            let variable = Self.environmentVariable(for: key)
            if let override = environment[variable] {
                values[key] = Value(text: override, origin: "environment variable \(variable)")
            }
        }
    }

    /// `amqp.eventsQueue` → `SIGNALBOX_AMQP_EVENTS_QUEUE`.
    static func environmentVariable(for key: String) -> String {
        var name = "SIGNALBOX"
        for part in key.split(separator: ".") {
            name += "_"
            for character in part {
                if character.isUppercase { name += "_" }
                name += character.uppercased()
            }
        }
        return name
    }

    private mutating func flatten(_ node: Node, prefix: String, knownKeys: Set<String>) throws {
        let location = "\(file):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")"
        switch node {
        case .mapping(let mapping):
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else {
                    throw ConfigurationError(source: location, key: prefix.isEmpty ? "-" : prefix, message: "keys must be strings")
                }
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                let keyLocation = "\(file):\(keyNode.mark.map { "\($0.line):\($0.column)" } ?? "?")"
                let isSection = knownKeys.contains { $0.hasPrefix(path + ".") }
                guard knownKeys.contains(path) || isSection else {
                    throw ConfigurationError(source: keyLocation, key: path, message: "unknown key")
                }
                try flatten(valueNode, prefix: path, knownKeys: knownKeys)
            }
        case .scalar(let scalar):
            guard knownKeys.contains(prefix) else {
                throw ConfigurationError(source: location, key: prefix, message: "expected a section of keys, not a value")
            }
            values[prefix] = Value(text: scalar.string, origin: location)
        case .sequence, .alias:
            throw ConfigurationError(source: location, key: prefix, message: "expected a value or a section, not a list")
        }
    }
}
