import Automation
import Definitions
import Logging
import ServiceLifecycle
import UnixSignals

/// `serve --definitions DIR`: applies the directory's definitions (``DefinitionsLoader``) through
/// the service, as the directory (`managedBy: file`, file-managed actions it no longer defines
/// deleted), once before the services start and again on every SIGHUP. A directory that does not
/// apply stops the start (exit 2); on SIGHUP it is logged with its position and the actions stay
/// as they were (the apply is all or nothing).
struct DefinitionsDirectoryService: Service {
    let directory: String
    let tenant: TenantID
    /// The namespace of definitions that name none (`definitions.namespace`).
    let namespace: NamespaceName?
    let service: AutomationService
    /// Trapped before the services start, so that a SIGHUP sent meanwhile is not fatal.
    let reloads: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await _ in reloads.cancelOnGracefulShutdown() {
            do {
                let plan = try await apply()
                logger.notice("definitions reloaded", metadata: Self.metadata(plan, directory: directory))
            } catch {
                logger.error("definitions not applied; the actions stay as they were", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Loads the directory and applies it; errors name the file, line and column.
    func apply() async throws(DefinitionsError) -> DefinitionsPlan {
        let definitions = try DefinitionsLoader.load(path: directory)
        do {
            return try await service.applyDefinitions(
                definitions.request(namespace: namespace), from: .directory, as: Caller(tenantId: tenant, role: .admin))
        } catch {
            throw definitions.locate(field: error.field, message: error.message)
                ?? DefinitionsError(file: directory, field: error.field, message: error.message)
        }
    }

    static func metadata(_ plan: DefinitionsPlan, directory: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["directory": "\(directory)"]
        for kind in DefinitionChange.Kind.allCases { metadata[kind.rawValue] = "\(plan.count(kind))" }
        return metadata
    }
}
