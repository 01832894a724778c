import Automation
import Foundation
import JSONPath
import Yams

/// Reads definitions files: YAML (one or more documents) or JSON, each document either
/// `{"automatedActions": [...]}` (``ActionDefinition``) or seed 002's `{"Tasks": [...]}`
/// (``TaskListMapping``). Unknown members are refused, so a typo is an error with its position,
/// not a silently ignored line. Shared by `signalbox apply` and `serve --definitions`.
public enum DefinitionsLoader {
    /// The extensions read from a directory.
    public static let fileExtensions: Set<String> = ["yaml", "yml", "json"]

    /// A file, or every definitions file under a directory (recursively, by relative path; each
    /// definition's ``ActionDefinition/definedIn`` is that relative path, shown as
    /// `directory/relative` in errors).
    public static func load(path: String) throws(DefinitionsError) -> DefinitionSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DefinitionsError(file: path, message: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            return DefinitionSet(entries: try load(text: read(path), file: path, definedIn: URL(fileURLWithPath: path).lastPathComponent))
        }
        var entries: [LoadedDefinition] = []
        for relative in try files(in: path) {
            let file = (path as NSString).appendingPathComponent(relative)
            entries += try load(text: read(file), file: file, definedIn: relative)
        }
        return DefinitionSet(entries: entries)
    }

    /// The definitions in `text`, errors naming `file`.
    public static func load(text: String, file: String, definedIn: String? = nil) throws(DefinitionsError) -> [LoadedDefinition] {
        let documents: [Node]
        do {
            // The sequence keeps a parse error instead of throwing it: checked after reading.
            var sequence = try Yams.compose_all(yaml: text)
            var read: [Node] = []
            while let document = sequence.next() { read.append(document) }
            if let error = sequence.error { throw error }
            documents = read
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw DefinitionsError(file: file, message: "not valid YAML or JSON: \(error)")
        }
        let reader = YAMLValue(file: file)
        var entries: [LoadedDefinition] = []
        for root in documents {
            if case .scalar(let scalar) = root, YAMLValue.scalar(scalar) == .null { continue }  // an empty document
            guard case .mapping(let mapping) = root else {
                throw reader.error(root, "expected a mapping with automatedActions or Tasks")
            }
            for (keyNode, valueNode) in mapping {
                let key = keyNode.scalar?.string ?? ""
                guard case .sequence(let list) = valueNode else {
                    throw reader.error(valueNode, "\(key) must be a list")
                }
                for (index, element) in list.enumerated() {
                    var source = SourceMap(file: file, documentPath: "\(key)[\(index)]")
                    let value = try reader.value(element, path: "", into: &source)
                    var definition: ActionDefinition
                    switch key {
                    case "automatedActions":
                        try MemberCheck.definition(value, source)
                        definition = try decode(value, source)
                    case TaskListMapping.listKey:
                        definition = try TaskListMapping.definition(value, source: &source)
                    default:
                        throw reader.error(keyNode, "unknown member \(key.prefix(100)); expected automatedActions (or seed 002's Tasks)")
                    }
                    definition.definedIn = definedIn
                    entries.append(LoadedDefinition(definition: definition, source: source))
                }
            }
        }
        return entries
    }

    /// The definitions files under `directory`, relative, sorted; hidden files skipped.
    static func files(in directory: String) throws(DefinitionsError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw DefinitionsError(file: directory, message: "cannot list the directory")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), fileExtensions.contains((name as NSString).pathExtension.lowercased()) else { continue }
            var isDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(relative) }
        }
        return files.sorted()
    }

    static func read(_ file: String) throws(DefinitionsError) -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw DefinitionsError(file: file, message: "cannot read the file (\(error.localizedDescription))")
        }
    }

    /// Decodes a checked value, turning a decoding error into the member's position.
    static func decode<T: Decodable>(_ value: JSONValue, _ source: SourceMap, as type: T.Type = T.self) throws(DefinitionsError) -> T {
        do {
            return try AutomationJSON.decoder().decode(T.self, from: Data(value.jsonText.utf8))
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw source.error(at: path, message)
        } catch {
            throw source.error(at: "", "\(error)")
        }
    }

    /// The member path (`schedules[0].cron`) and a message for a decoding error.
    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (path(context.codingPath), "\(key.stringValue) is missing")
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "expected \(Self.name(of: type))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "expected \(Self.name(of: type)), not null")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ("", "\(error)")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch ObjectIdentifier(type) {
        case ObjectIdentifier(String.self): "text"
        case ObjectIdentifier(Int.self), ObjectIdentifier(Double.self): "a number"
        case ObjectIdentifier(Bool.self): "true or false"
        default: "a value of type \(type)"
        }
    }

    /// A YAML syntax error at its position.
    static func syntaxError(_ error: YamlError, file: String) -> DefinitionsError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context.map { "\($0.text)" }, problem].compactMap { $0 }.joined(separator: ": ")
            return DefinitionsError(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(text)")
        default:
            return DefinitionsError(file: file, message: "not valid YAML: \(error)")
        }
    }
}
