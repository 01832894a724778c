import ArgumentParser
import Automation
import Definitions
import Foundation

/// `apply -f FILE|DIR [--dry-run] [--prune] [--namespace NS]`: kubectl-style definitions as code
/// (docs/definitions-as-code.md). Reads the files here (errors as `file:line:column: message`),
/// sends them to `POST /definitions/apply`, which validates them again and applies all or nothing,
/// and prints the plan. An error the server names a field for is printed at that field's position.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Create, update (and with --prune delete) actions from YAML/JSON definitions (admin).")

    @Option(name: [.customShort("f"), .long], help: "A definitions file, or a directory of them (*.yaml, *.yml, *.json).")
    var file: String

    @Flag(help: "Print the plan only; change nothing.")
    var dryRun = false

    @Flag(help: "Also delete actions of the namespaces in scope that the definitions do not mention.")
    var prune = false

    @Option(help: "The namespace of definitions that name none (and a namespace in scope for --prune).")
    var namespace: String?

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let definitions: DefinitionSet
        do {
            definitions = try DefinitionsLoader.load(path: file)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode.failure
        }
        let request = definitions.request(dryRun: dryRun, prune: prune, namespace: namespace.map(NamespaceName.init(rawValue:)))
        let client = try server.client()
        let data: Data
        do {
            data = try await client.send("POST", "/definitions/apply", body: try requestBody(request))
        } catch {
            if let located = definitions.locate(field: error.field, message: error.serverMessage ?? error.message) {
                FileHandle.standardError.write(Data("\(located)\n".utf8))
            } else {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
            throw ExitCode.failure
        }
        do {
            try server.output(data, as: DefinitionsPlan.self, table: Self.describe)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// One line per action (`create  reports/daily`), the webhook secrets, then the totals.
    static func describe(_ plan: DefinitionsPlan) -> String {
        var text = ""
        for change in plan.changes {
            let fields = change.fields.isEmpty ? "" : " (\(change.fields.joined(separator: ", ")))"
            text += "\(change.change.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))\(change.namespace)/\(change.name)\(fields)\n"
        }
        for created in plan.webhookSecrets {
            text += "webhook \(created.namespace)/\(created.action) \(created.webhook): \(created.url) secret \(created.secret) (shown once)\n"
        }
        let counts = DefinitionChange.Kind.allCases.map { "\(plan.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        return text + counts + (plan.dryRun ? " (dry run: nothing changed)" : "") + "\n"
    }
}

/// `export [--namespace NS]`: the current definitions as YAML (`GET /definitions/export`), in the
/// format `apply` reads; applying the output changes nothing.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the current action definitions as YAML for apply.")

    @Option(help: "Only this namespace.")
    var namespace: String?

    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let data = try await client.send(
                "GET", "/definitions/export", query: namespace.map { [URLQueryItem(name: "namespace", value: $0)] } ?? [])
            if server.json {
                print(String(decoding: data, as: UTF8.self))
                return
            }
            do {
                let document = try AutomationJSON.decoder().decode(DefinitionsDocument.self, from: data)
                print(try DefinitionsWriter.yaml(document), terminator: "")
            } catch {
                throw APIClientError(message: "the server's answer could not be written as YAML: \(error)")
            }
        }
    }
}
