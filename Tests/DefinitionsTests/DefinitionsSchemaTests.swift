import Automation
import Definitions
import Foundation
import SignalboxTestSupport
import Testing

/// `docs/definitions.schema.json` checked by someone else's validator (Python's jsonschema,
/// installed by scripts/test.sh from Debian's python3-jsonschema) against the examples and an
/// export, and shown to refuse a misspelt member.
@Suite struct DefinitionsSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schema = root.appendingPathComponent("docs/definitions.schema.json").path
    static let checker = root.appendingPathComponent("scripts/peers/definitions_schema_check.py").path

    static func check(_ files: [String]) async throws -> (passed: Bool, output: String) {
        do {
            return (true, try await CommandLineTool("python3").runDetached([checker, schema] + files))
        } catch let failure as CommandLineTool.Failure {
            return (false, failure.description)
        }
    }

    @Test func examplesAndAnExportAreValid() async throws {
        let store = InMemoryAutomationStore()
        let service = AutomationService(store: store, clock: ManualWallClock(Date(timeIntervalSince1970: 1_767_607_200)))
        let admin = Caller(tenantId: "acme", role: .admin)
        _ = try await service.applyDefinitions(try DefinitionsLoader.load(path: Examples.directory).request(namespace: "daptin"), as: admin)
        let export = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID()).yaml")
        try DefinitionsWriter.yaml(try await service.exportDefinitions(as: admin)).write(to: export, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: export) }

        let (passed, output) = try await Self.check([Examples.reports, Examples.tasks, export.path])
        #expect(passed, "\(output)")
        #expect(output.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count == 3, "\(output)")
    }

    @Test func aMisspeltMemberIsRefused() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("typo-\(UUID()).yaml")
        try "automatedActions:\n  - name: x\n    schedule: []\n    actions: [{name: a, config: {$type: app}}]\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (passed, output) = try await Self.check([file.path])
        #expect(!passed && output.contains("'schedule' was unexpected"), "\(output)")
    }
}
