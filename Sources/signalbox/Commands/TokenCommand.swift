import ArgumentParser
import Automation
import Foundation
import SQLiteStore

/// `signalbox token create`: issues an API token straight in the database (no server needed).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens in the database.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a tenant and print it once (only its hash is stored).")

        @Option(help: "The tenant the token acts for; created if the database has no such tenant.")
        var tenant: String

        @Option(help: "admin (may delete) or member.")
        var role: Role

        @Option(help: "A label for the token.")
        var name: String?

        @Option(help: "The configuration file (for database.path; SIGNALBOX_DATABASE_PATH overrides it).")
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
                let store = try SQLiteAutomationStore(path: settings.databasePath)
                let service = AutomationService(store: store, clock: SystemWallClock())
                let tenantID = TenantID(rawValue: tenant)
                if try await store.tenant(id: tenantID) == nil { _ = try await service.createTenant(tenantID) }
                let issued = try await service.issueToken(tenant: tenantID, role: role, name: name)
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
