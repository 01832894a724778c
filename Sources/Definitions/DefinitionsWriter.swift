import Automation
import Foundation
import JSONPath
import Yams

/// Writes definitions as YAML, the way `signalbox export` prints them: the document applied again
/// changes nothing. Built from the JSON form (member order kept); whole numbers are written as
/// integers, since `3e+1` (how Yams writes doubles) is text to YAML 1.1 readers such as PyYAML.
public enum DefinitionsWriter {
    public static func yaml(_ document: DefinitionsDocument) throws -> String {
        let json = try JSONParser.parse(Array(try AutomationJSON.encoder().encode(document)))
        return "# Signalbox definitions: signalbox apply -f FILE (docs/definitions-as-code.md)\n"
            + (try Yams.serialize(node: node(json), sortKeys: false))
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: Node("null", Tag(.null))
        case .bool(let flag): Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number): Node(String(number), Tag(.int))
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: Node(String(Int(number)), Tag(.int))
        case .double(let number): Node(String(number), Tag(.float))
        case .string(let text): string(text)
        case .array(let elements): Node(elements.map(node))
        case .object(let object):
            // JSONEncoder's member order is not stable on Linux: the identifying members first,
            // the rest alphabetically, so that exports diff well.
            Node(object.members.sorted { rank($0.key) < rank($1.key) }.map { (string($0.key), node($0.value)) })
        }
    }

    static let leadingMembers = ["name", "namespace", "description", "status", "$type"]

    static func rank(_ key: String) -> (Int, String) {
        (leadingMembers.firstIndex(of: key) ?? leadingMembers.count, key)
    }

    /// Text, quoted when YAML would read it plain as something else (`"0"`, `"true"`, `"null"`).
    static func string(_ text: String) -> Node {
        let plainTag = Resolver.default.resolveTag(of: Node(text))
        return Node(text, Tag(.str), plainTag == .str ? .any : .doubleQuoted)
    }
}
