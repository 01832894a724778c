import Foundation
import Testing

/// The example definitions in `docs/examples/definitions/`.
enum Examples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples/definitions").path
    static let reports = directory + "/reports.yaml"
    static let tasks = directory + "/tasks.yaml"

    /// A fresh directory holding `reports.yaml`.
    static func copyToTemporaryDirectory() throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-defs-\(UUID())").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: reports, toPath: target + "/reports.yaml")
        return target
    }
}

/// Seed 002's first task list, read from the seed file at test time (never copied here).
enum SeedTasks {
    static let seedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds/002_f8109855b91505e3.txt").path

    /// The first ```yaml block that starts with `Tasks:`; fails loudly when the seed is missing.
    static func load() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["SIGNALBOX_SEEDS_DIR"].map { $0 + "/002_f8109855b91505e3.txt" }, seedFile,
                          "/work/shared/seeds/002_f8109855b91505e3.txt"].compactMap { $0 }
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw SeedMissing(paths: candidates)
        }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for block in text.components(separatedBy: "```yaml\n").dropFirst() {
            let yaml = block.components(separatedBy: "```").first ?? ""
            if yaml.hasPrefix("Tasks:") { return yaml }
        }
        throw SeedMissing(paths: [file + " (no ```yaml block starting with Tasks:)"])
    }

    struct SeedMissing: Error, CustomStringConvertible {
        var paths: [String]
        var description: String { "seed 002 not found at \(paths.joined(separator: ", "))" }
    }
}
