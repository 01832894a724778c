import Foundation

/// A command line such as `rabbitmqctl -n rabbit@localhost` (how the test environment names its
/// tools), run with more arguments through `/usr/bin/env`.
public struct CommandLineTool: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let words: [String]

    public init(_ commandLine: String) {
        words = commandLine.split(separator: " ").map(String.init)
    }

    /// Runs to the end and returns stdout and stderr together; throws when it cannot start or
    /// exits with a non-zero status. Blocks the calling thread.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = words + arguments
        let output = ChildProcess.pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try ChildProcess.run(process)
        } catch {
            throw Failure(description: "\((words + arguments).joined(separator: " ")) cannot run: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard ChildProcess.waitForExit(process) == .exited(0) else {
            throw Failure(description: "\((words + arguments).joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// ``run(_:)`` on a dispatch thread, so the cooperative pool is not blocked meanwhile.
    @discardableResult
    public func runDetached(_ arguments: [String]) async throws -> String {
        try await onDispatchThread { try run(arguments) }
    }
}

/// Runs blocking work (a child process, a pipe read to its end) on a dispatch thread and awaits
/// it: tests share the cooperative pool, two threads on two cores, and a blocked one stalls them.
public func onDispatchThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
