import Foundation

/// Reads what the contract tests need from `docs/openapi.yaml`: its operations with the schema of
/// their success response, and each component schema's required properties and `$ref`'d
/// properties.
///
/// The test target may not depend on a YAML library, so this reads the block-style subset the
/// document is written in, by indentation: paths at 2 spaces, methods at 4, response statuses at
/// 8; schemas at 4, `required: [a, b]` in flow style at 6, properties at 8. Block scalars
/// (`description: |`) are skipped.
struct OpenAPIDocument {
    struct Operation: Hashable {
        var method: String
        var path: String
        /// Documented response statuses, e.g. `["201", "400", "401"]`.
        var statuses: [String] = []
        /// The 2xx status and the schema its JSON body refers to (nil for `204`).
        var successStatus: String?
        var successSchema: String?
        var successIsArray = false
    }

    struct Reference: Hashable {
        var schema: String
        var isArray: Bool
    }

    struct Schema {
        var isObject = false
        var required: [String] = []
        var properties: [String: Reference] = [:]
        var propertyNames: [String] = []
    }

    var operations: [Operation] = []
    var schemas: [String: Schema] = [:]

    static let methods: Set<String> = ["get", "post", "put", "delete", "patch"]

    init(text: String) {
        var section = ""
        var componentGroup = ""
        var path: String?
        var operation: Operation?
        var status: String?
        var sawArray = false
        var schemaName: String?
        var inProperties = false
        var propertyName: String?
        var propertyIsArray = false
        var skipDeeperThan: Int?

        func finishOperation() {
            if let done = operation { operations.append(done) }
            operation = nil
            status = nil
        }

        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if let limit = skipDeeperThan {
                if indent > limit { continue }
                skipDeeperThan = nil
            }
            if content.hasSuffix(": |") || content.hasSuffix(": >") { skipDeeperThan = indent }
            let key = Self.key(of: content)
            let ref = Self.schemaReference(in: content)

            if indent == 0 {
                finishOperation()
                section = key ?? ""
                continue
            }
            switch section {
            case "paths":
                if indent == 2, let key {
                    finishOperation()
                    path = key
                } else if indent == 4, let key, Self.methods.contains(key), let path {
                    finishOperation()
                    operation = Operation(method: key.uppercased(), path: path)
                } else if operation != nil, indent == 8, let key, key.count == 3, key.allSatisfy(\.isNumber) {
                    status = key
                    sawArray = false
                    operation?.statuses.append(key)
                } else if let status, status.hasPrefix("2"), operation?.successSchema == nil {
                    if operation?.successStatus == nil { operation?.successStatus = status }
                    if content == "type: array" { sawArray = true }
                    if let ref {
                        operation?.successSchema = ref
                        operation?.successIsArray = sawArray
                    }
                }
                if let status, status.hasPrefix("2"), operation?.successStatus == nil { operation?.successStatus = status }
            case "components":
                if indent == 2 {
                    componentGroup = key ?? ""
                    schemaName = nil
                } else if componentGroup == "schemas" {
                    if indent == 4, let key {
                        schemaName = key
                        schemas[key] = Schema()
                        inProperties = false
                        propertyName = nil
                    } else if let name = schemaName {
                        if indent == 6 {
                            inProperties = key == "properties"
                            propertyName = nil
                            if content == "type: object" { schemas[name]?.isObject = true }
                            if key == "required" { schemas[name]?.required = Self.flowList(content) }
                        } else if inProperties, indent == 8, let key {
                            propertyName = key
                            propertyIsArray = false
                            schemas[name]?.propertyNames.append(key)
                        } else if inProperties, indent > 8, let property = propertyName {
                            if key == "items" { propertyIsArray = true }
                            if let ref, schemas[name]?.properties[property] == nil {
                                schemas[name]?.properties[property] = Reference(schema: ref, isArray: propertyIsArray)
                            }
                        }
                    }
                }
            default:
                break
            }
        }
        finishOperation()
    }

    /// The operation for `method` and `path` (a template such as `/automated-actions/by-id/{id}`).
    func operation(_ method: String, _ path: String) -> Operation? {
        operations.first { $0.method == method && $0.path == path }
    }

    /// Checks `json` against `schema`: every required property is present, and properties that
    /// refer to other schemas are checked in turn. Returns the problems, as JSON paths.
    func problems(_ json: JSON, against schema: String, at location: String = "$") -> [String] {
        guard let definition = schemas[schema] else { return ["\(location): schema \(schema) is not in the document"] }
        guard definition.isObject else { return [] }
        guard json.object != nil else { return ["\(location): expected an object (\(schema))"] }
        var found: [String] = []
        for member in definition.required where !json.keys.contains(member) {
            found.append("\(location).\(member): required by \(schema) but missing")
        }
        for (member, reference) in definition.properties.sorted(by: { $0.key < $1.key }) {
            let value = json[member]
            guard value.exists, !value.isNull else { continue }
            if reference.isArray {
                guard let elements = value.array else {
                    found.append("\(location).\(member): expected an array")
                    continue
                }
                for (index, element) in elements.enumerated() {
                    found += problems(element, against: reference.schema, at: "\(location).\(member)[\(index)]")
                }
            } else {
                found += problems(value, against: reference.schema, at: "\(location).\(member)")
            }
        }
        return found
    }

    /// `name:` or `name: value` → `name` (quotes removed); nil for list items and plain text.
    private static func key(of content: String) -> String? {
        guard !content.hasPrefix("- "), let colon = content.firstIndex(of: ":") else { return nil }
        let after = content.index(after: colon)
        guard after == content.endIndex || content[after] == " " else { return nil }
        var key = content[..<colon].trimmingCharacters(in: .whitespaces)
        if key.count >= 2, let first = key.first, first == "'" || first == "\"", key.last == first {
            key = String(key.dropFirst().dropLast())
        }
        return key
    }

    /// `$ref: '#/components/schemas/Name'` (also as a list item) → `Name`.
    private static func schemaReference(in content: String) -> String? {
        guard let range = content.range(of: "#/components/schemas/") else { return nil }
        let name = content[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }

    /// `required: [a, b, 'c']` → `["a", "b", "c"]`.
    private static func flowList(_ content: String) -> [String] {
        guard let open = content.firstIndex(of: "["), let close = content.lastIndex(of: "]"), open < close else { return [] }
        return content[content.index(after: open)..<close].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }.filter { !$0.isEmpty }
    }

    /// Loads `docs/openapi.yaml`, looking upwards from this source file for the package root.
    static func load(from file: String = #filePath) throws -> OpenAPIDocument {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("docs/openapi.yaml")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return OpenAPIDocument(text: try String(contentsOf: candidate, encoding: .utf8))
            }
            directory = directory.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile)
    }
}
