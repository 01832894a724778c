import ArgumentParser
import Automation
import Foundation
import Logging

/// `signalbox token create` issues an API token straight in the database (no server needed: the
/// first admin token); `token issue`, `token list` and `token revoke` manage the tenant's tokens
/// through the API (admin).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, Issue.self, List.self, Revoke.self])

    /// A token as `GET /tokens` lists it.
    struct Listed: Decodable {
        var id: String
        var name: String?
        var role: String
        var dateCreated: Date
        var lastUsedAt: Date?
        var expiresAt: Date?
        var secret: String?
    }

    /// A page of `GET /tokens`.
    struct ListedPage: Decodable {
        var items: [Listed]
        var nextCursor: String?
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token of your tenant through the API (admin) and print it once.")

        @Option(help: "viewer (reads), member (reads and writes) or admin (also deletes, manages tokens).")
        var role: Role

        @Option(help: "A label for the token.")
        var name: String?

        @Option(help: "When it stops working, RFC 3339 (2027-01-01T00:00:00Z); default: never.")
        var expiresAt: String?

        @OptionGroup var server: ServerOptions

        func run() async throws {
            var body: [String: String] = ["role": role.rawValue]
            if let name { body["name"] = name }
            if let expiresAt { body["expiresAt"] = expiresAt }
            try await server.run { client throws(APIClientError) in
                let data = try await client.send("POST", "/tokens", body: try requestBody(body))
                try server.output(data, as: Listed.self) { token in
                    FileHandle.standardError.write(Data(
                        "token \(token.id) (\(token.role)\(token.expiresAt.map { ", expires \(ActionTables.time($0))" } ?? "")); shown once, keep it safe\n".utf8))
                    return (token.secret ?? "") + "\n"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your tenant's tokens, oldest first, never their secrets (admin).")

        @Option(help: "At most this many tokens (1–1000).") var limit: Int = 100
        @Option(help: "Where the previous page ended (its \"next page\" line).") var cursor: String?
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await server.run { client throws(APIClientError) in
                var query = [URLQueryItem(name: "limit", value: String(limit))]
                if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
                let data = try await client.send("GET", "/tokens", query: query)
                try server.output(data, as: ListedPage.self) { page in
                    ActionTables.table(
                        ["ID", "NAME", "ROLE", "CREATED", "LAST USED", "EXPIRES"],
                        page.items.map { [$0.id, $0.name ?? "-", $0.role, ActionTables.time($0.dateCreated), ActionTables.time($0.lastUsedAt), ActionTables.time($0.expiresAt)] })
                        + (page.nextCursor.map { "\nnext page: --cursor \($0)" } ?? "")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token of your tenant (admin); it answers 401 from now on.")

        @Argument(help: "The token's id (token list).")
        var id: String

        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await server.run { client throws(APIClientError) in
                _ = try await client.send("DELETE", "/tokens/\(APIClient.segment(id))")
                print("Revoked token \(id).")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a tenant and print it once (only its hash is stored).")

        @Option(help: "The tenant the token acts for; created if the database has no such tenant.")
        var tenant: String

        @Option(help: "admin (may delete, manages tokens), member (reads and writes) or viewer (reads).")
        var role: Role

        @Option(help: "A label for the token.")
        var name: String?

        @Option(help: "The configuration file (for database.path or database.url; SIGNALBOX_DATABASE_… variables override them).")
        var config = "config/signalbox.yaml"

        func run() async throws {
            let settings: SignalboxConfiguration
            do {
                settings = try SignalboxConfiguration.load(file: config)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            do {
                let issued = try await ConfiguredStore.with(settings, logger: Logger(label: "signalbox.token")) { configured in
                    let service = AutomationService(store: configured.store, clock: SystemWallClock())
                    let tenantID = TenantID(rawValue: tenant)
                    if try await configured.store.tenant(id: tenantID) == nil { _ = try await service.createTenant(tenantID) }
                    return try await service.issueToken(tenant: tenantID, role: role, name: name)
                }
                print(issued.secret)
                FileHandle.standardError.write(Data(
                    "token \(issued.token.id) for tenant '\(tenant)' with role \(role.rawValue); shown once, keep it safe\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
