import Foundation
import Yams

/// The flattened key/value view of `signalbox.yaml` with environment overrides, remembering where
/// each value came from so errors can say "config/signalbox.yaml:12:3" or "SIGNALBOX_AMQP_URL".
struct ConfigurationSource {
    struct Value {
        let text: String
        let origin: String
    }

    /// A key whose value is a mapping of names the configuration does not know in advance (broker
    /// users): its entries in order, each with where it came from.
    struct MapValue {
        struct Entry {
            let key: String
            let value: String
            let origin: String
        }

        let entries: [Entry]
        let origin: String
    }

    private(set) var values: [String: Value] = [:]
    private(set) var maps: [String: MapValue] = [:]
    let file: String

    /// Reads the YAML file (a tree of mappings with scalar leaves, and string-to-string mappings
    /// under `mapKeys`), then applies `environment`. A map key's variable holds
    /// `name=value,name=value` (whitespace around each part is dropped; an empty variable is an
    /// empty map).
    init(file: String, knownKeys: Set<String>, mapKeys: Set<String> = [], environment: [String: String]) throws {
        self.file = file
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file)
                ? "cannot read the file (\(error.localizedDescription))"
                : "no such file (run from the checkout, or give --config PATH; a file of `{}` leaves every key to its default and SIGNALBOX_… variables)"
            throw ConfigurationError(source: file, key: "-", message: reason)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(source: file, key: "-", message: "not valid YAML: \(error)")
        }
        if let root { try flatten(root, prefix: "", knownKeys: knownKeys, mapKeys: mapKeys) }
        for key in knownKeys {
            let variable = Self.environmentVariable(for: key)
            if let override = environment[variable] {
                values[key] = Value(text: override, origin: "environment variable \(variable)")
            }
        }
        for key in mapKeys {
            let variable = Self.environmentVariable(for: key)
            if let override = environment[variable] {
                maps[key] = try Self.parseMap(override, key: key, origin: "environment variable \(variable)")
            }
        }
    }

    /// `alice=tenant-a, bob=tenant-b`: names and values may not contain `,` or `=`.
    static func parseMap(_ text: String, key: String, origin: String) throws(ConfigurationError) -> MapValue {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return MapValue(entries: [], origin: origin) }
        var entries: [MapValue.Entry] = []
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw ConfigurationError(
                    source: origin, key: key,
                    message: "entry \(index + 1) is '\(part.prefix(80))'; expected name=value pairs separated by commas, e.g. alice=tenant-a,bob=tenant-b")
            }
            entries.append(MapValue.Entry(key: pair[0], value: pair[1], origin: origin))
        }
        return MapValue(entries: entries, origin: origin)
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

    private mutating func flatten(_ node: Node, prefix: String, knownKeys: Set<String>, mapKeys: Set<String>) throws {
        let location = "\(file):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")"
        if mapKeys.contains(prefix) {
            maps[prefix] = try readMap(node, key: prefix, location: location)
            return
        }
        switch node {
        case .mapping(let mapping):
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else {
                    throw ConfigurationError(source: location, key: prefix.isEmpty ? "-" : prefix, message: "keys must be strings")
                }
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                let keyLocation = "\(file):\(keyNode.mark.map { "\($0.line):\($0.column)" } ?? "?")"
                let isSection = knownKeys.union(mapKeys).contains { $0.hasPrefix(path + ".") }
                guard knownKeys.contains(path) || mapKeys.contains(path) || isSection else {
                    throw ConfigurationError(source: keyLocation, key: path, message: "unknown key")
                }
                try flatten(valueNode, prefix: path, knownKeys: knownKeys, mapKeys: mapKeys)
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

    /// A mapping of string keys to scalar values; an empty value (`tenants:`) is an empty map.
    private func readMap(_ node: Node, key: String, location: String) throws(ConfigurationError) -> MapValue {
        switch node {
        case .mapping(let mapping):
            var entries: [MapValue.Entry] = []
            for (keyNode, valueNode) in mapping {
                let valueLocation = "\(file):\(valueNode.mark.map { "\($0.line):\($0.column)" } ?? "?")"
                guard case .scalar(let name) = keyNode, case .scalar(let value) = valueNode else {
                    throw ConfigurationError(
                        source: valueLocation, key: key, message: "expected name: value pairs, not lists or sections")
                }
                entries.append(MapValue.Entry(key: name.string, value: value.string, origin: valueLocation))
            }
            return MapValue(entries: entries, origin: location)
        case .scalar(let scalar) where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null":
            return MapValue(entries: [], origin: location)
        default:
            throw ConfigurationError(source: location, key: key, message: "expected a mapping of name: value pairs")
        }
    }
}
