import Foundation
import SignalboxTestSupport
import Synchronization

/// Runs the built `signalbox` executable, the way an operator would.
struct SignalboxProcess {
    /// `.build/debug/signalbox`, found next to the test bundle.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("signalbox")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/signalbox")
    }

    /// The repository root (holds `config/signalbox.yaml`).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs to completion with `input` on stdin (waiting ``onDispatchThread``).
    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Output {
        try await onDispatchThread { try runBlocking(arguments, input: input, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], input: String, environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = ChildProcess.pipe(), stdout = ChildProcess.pipe(), stderr = ChildProcess.pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try ChildProcess.run(process)
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        return Output(status: ChildProcess.waitForExit(process).status, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    /// Collects a child's stderr as it is written.
    final class OutputCollector: Sendable {
        private let text = Mutex("")
        var current: String { text.withLock { $0 } }
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
    }

    /// Starts `signalbox serve` (with `arguments` after the configuration) in the background, its
    /// stderr collected as it is written.
    static func launchServe(environment: [String: String], arguments: [String] = []) throws -> (Process, OutputCollector) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--config", "config/signalbox.yaml"] + arguments
        process.currentDirectoryURL = repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = OutputCollector()
        process.standardError = ChildProcess.pipe { output.append($0) }
        process.standardOutput = FileHandle.nullDevice
        try ChildProcess.run(process)
        return (process, output)
    }

    /// Starts another program in the background, its stdout and stderr collected together.
    static func launch(executable: String, _ arguments: [String]) throws -> (process: Process, output: OutputCollector) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = OutputCollector()
        let pipe = ChildProcess.pipe { output.append($0) }
        process.standardOutput = pipe
        process.standardError = pipe
        try ChildProcess.run(process)
        return (process, output)
    }

    /// A child that does not exit: its kernel state (a zombie is this process's not to have
    /// reaped it) and, when gdb is installed and it still runs, each thread's stack.
    static func describeHang(of pid: Int32) async -> String {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let state = status.split(separator: "\n").first { $0.hasPrefix("State:") }.map(String.init) ?? "State: gone"
        guard !state.contains("zombie"), !state.contains("gone"), FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") else {
            return state
        }
        let stacks: String
        do {
            stacks = try await CommandLineTool("timeout 60 gdb -batch -nx -p \(pid)").runDetached(["-ex", "thread apply all bt 25"])
        } catch {
            return "\(state)\n\(error)"
        }
        let threads = stacks.split(separator: "\n").filter { $0.hasPrefix("Thread ") || $0.hasPrefix("#") }
        return "\(state)\nits threads:\n" + threads.prefix(400).joined(separator: "\n")
    }
}
