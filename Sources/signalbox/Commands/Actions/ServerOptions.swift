import ArgumentParser
import Automation
import Foundation

/// `--server`, `--token` and `--json`, shared by every action verb.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Signalbox server URL (or SIGNALBOX_URL).", valueName: "url"))
    var server: String = ProcessInfo.processInfo.environment["SIGNALBOX_URL"] ?? "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Bearer token (or SIGNALBOX_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    func client() throws -> APIClient {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--server must be an http(s) URL such as http://127.0.0.1:8080")
        }
        let token = token ?? ProcessInfo.processInfo.environment["SIGNALBOX_TOKEN"]
        return APIClient(server: url, token: token.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Runs `body`, printing a failed call as `error: …` on standard error with exit code 1.
    func run(_ body: (APIClient) async throws(APIClientError) -> Void) async throws {
        let client = try client()
        do {
            try await body(client)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Prints the server's JSON as it came, or `table` made from it.
    func output<T: Decodable>(_ data: Data, as type: T.Type, table: (T) -> String) throws(APIClientError) {
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        do {
            print(table(try AutomationJSON.decoder().decode(T.self, from: data)), terminator: "")
        } catch {
            throw APIClientError(message: "the server's answer could not be read: \(error)")
        }
    }
}

/// How the action verbs name an action: `--name N --namespace NS` or `--id UUID` (seed 000's
/// `action-get`, `action-delete`, `action-trigger`, `action-history`).
struct ActionSelector: ParsableArguments {
    @Option(help: "The action's name (with --namespace).")
    var name: String?

    @Option(help: "The namespace of the action.")
    var namespace: String?

    @Option(help: "The action's id, instead of --name and --namespace.")
    var id: String?

    func validate() throws {
        try ActionSelector.check(name: name, namespace: namespace, id: id, nameFlag: "--name", idFlag: "--id")
    }

    func resolve(_ client: APIClient) async throws(APIClientError) -> String {
        try await ActionSelector.resolve(name: name, namespace: namespace, id: id, client)
    }

    static func check(name: String?, namespace: String?, id: String?, nameFlag: String, idFlag: String) throws {
        switch (name, id) {
        case (nil, nil): throw ValidationError("give \(nameFlag) and --namespace, or \(idFlag)")
        case (.some, .some): throw ValidationError("give either \(nameFlag) or \(idFlag), not both")
        case (.some, nil) where namespace == nil: throw ValidationError("\(nameFlag) needs --namespace")
        case (nil, .some(let id)) where UUID(uuidString: id) == nil: throw ValidationError("\(idFlag) \(id) is not a UUID")
        default: break
        }
    }

    /// The action's id: given, or looked up by name.
    static func resolve(name: String?, namespace: String?, id: String?, _ client: APIClient) async throws(APIClientError) -> String {
        if let id { return id.lowercased() }
        guard let name, let namespace else { throw APIClientError(message: "give --name and --namespace, or --id") }
        let data = try await client.send(
            "GET", "/namespaces/\(APIClient.segment(namespace))/automated-actions/\(APIClient.segment(name))")
        struct Identified: Decodable { var id: String }
        guard let found = try? JSONDecoder().decode(Identified.self, from: data) else {
            throw APIClientError(message: "the server's answer has no action id")
        }
        return found.id
    }
}

/// How the schedule and trigger verbs name their action: `--action-name N --namespace NS` (seed
/// 000) or `--action-id UUID`.
struct ParentActionSelector: ParsableArguments {
    @Option(help: "The action's name (with --namespace).")
    var actionName: String?

    @Option(help: "The namespace of the action.")
    var namespace: String?

    @Option(help: "The action's id, instead of --action-name and --namespace.")
    var actionId: String?

    func validate() throws {
        try ActionSelector.check(name: actionName, namespace: namespace, id: actionId, nameFlag: "--action-name", idFlag: "--action-id")
    }

    func resolve(_ client: APIClient) async throws(APIClientError) -> String {
        try await ActionSelector.resolve(name: actionName, namespace: namespace, id: actionId, client)
    }
}

/// Encodes a request body with the API's coding.
func requestBody(_ value: some Encodable) throws(APIClientError) -> Data {
    do {
        return try AutomationJSON.encoder().encode(value)
    } catch {
        throw APIClientError(message: "cannot encode the request: \(error)")
    }
}
