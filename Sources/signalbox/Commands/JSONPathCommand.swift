import ArgumentParser
import Foundation
import JSONPath

/// `signalbox jsonpath QUERY [FILE]`: runs an RFC 9535 query against a JSON document and prints
/// the selected nodes (or their normalized paths) as a JSON array.
///
/// Exit codes: 0 on success, 1 when the document cannot be read or parsed, 2 when the query is
/// invalid (the message carries line:column and a hint).
struct JSONPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonpath",
        abstract: "Select nodes from a JSON document with an RFC 9535 JSONPath query.",
        discussion: """
            Prints the selected values as a JSON array, or with --paths their normalized paths
            (such as $['item']['tags'][0]). The document is read from FILE, or from standard input.
            An invalid query exits with code 2.
            """
    )

    @Argument(help: "The JSONPath query, e.g. \"$.item.tags[*]\".")
    var query: String

    @Argument(help: "JSON document to query (default: standard input).")
    var file: String?

    @Flag(help: "Print the normalized paths of the selected nodes instead of their values.")
    var paths = false

    func run() throws {
        let compiled: JSONPathQuery
        do {
            compiled = try JSONPathQuery(parsing: query)
        } catch {
            JSONPathCommand.printError("invalid query: \(error)")
            JSONPathCommand.printError(JSONPathCommand.caret(for: query, error: error))
            throw ExitCode(2)
        }
        let bytes = try JSONPathCommand.readInput(file)
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            JSONPathCommand.printError("\(file ?? "stdin"): \(error)")
            throw ExitCode(1)
        }
        let nodes: [JSONPathNode]
        do {
            nodes = try compiled.select(in: document)
        } catch {
            JSONPathCommand.printError("\(error)")
            throw ExitCode(1)
        }
        let output: JSONValue =
            paths ? .array(nodes.map { .string($0.path.description) }) : .array(nodes.map(\.value))
        print(output.jsonText)
    }
}

/// Input and diagnostics helpers, shared with ``FilterCommand``.
extension JSONPathCommand {
    static func readInput(_ file: String?) throws -> Data {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("cannot read \(file)")
                throw ExitCode(1)
            }
            return data
        }
        return FileHandle.standardInput.readDataToEndOfFile()
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// The source line of the error with a caret under the offending column.
    static func caret(for text: String, error: JSONPathError) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard error.line - 1 < lines.count else { return "" }
        let line = String(lines[error.line - 1])
        let width = max(1, min(error.span.count, line.unicodeScalars.count - error.column + 1))
        return "  " + line + "\n  " + String(repeating: " ", count: error.column - 1) + String(repeating: "^", count: width)
    }
}
