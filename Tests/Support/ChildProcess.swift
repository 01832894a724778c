import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starting children from a test process that runs many tests at once.
///
/// Foundation's `Process` on Linux learns that a child exited when a socket only that child
/// should hold closes, and its `Pipe`s are not close-on-exec. A second child spawned while the
/// first is being set up can inherit either: the first child's exit, or the end of its output, is
/// then not seen until the second one exits too (swift-corelibs-foundation#4795). A CI run saw a
/// `serve` that had logged "stopped" still "running" 40 s later. So every child of the tests is
/// started here: pipes are made close-on-exec (the child still gets its own ends, duplicated onto
/// 0, 1 and 2) and pipes and spawns take one lock, so no descriptor reaches another child; and an
/// exit is also read from the kernel, without reaping, whatever Foundation noticed.
public enum ChildProcess {
    private static let spawning = Mutex(())

    /// A pipe whose ends no other child inherits.
    public static func pipe() -> Pipe {
        spawning.withLock { _ in
            let pipe = Pipe()
            for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
                let descriptor = handle.fileDescriptor
                _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
            }
            return pipe
        }
    }

    /// A pipe whose read end a thread of its own drains into `consume`, chunk by chunk as the child
    /// writes, until every writer has closed it. Not `readabilityHandler`: its dispatch source on a
    /// pipe that closes soon after crashed libdispatch's event loop in a CI run (as in
    /// swift-subprocess#47). A blocking read on a thread involves no dispatch source at all.
    public static func pipe(drainingInto consume: @escaping @Sendable (Data) -> Void) -> Pipe {
        let pipe = pipe()
        // The thread holds the read end, so its descriptor stays open until the thread is done.
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader.fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    consume(Data(buffer[..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return  // end of file, or the descriptor failed
                }
            }
        }
        return pipe
    }

    /// `process.run()`, one child at a time: Foundation's exit socket exists only during this call.
    public static func run(_ process: Process) throws {
        try spawning.withLock { _ in try process.run() }
    }

    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case killed(by: Int32)

        /// As a shell gives it: the exit status, or 128 plus the signal.
        public var status: Int32 {
            switch self {
            case .exited(let status): status
            case .killed(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let status): "exited with \(status)"
            case .killed(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// How the child ended; nil while it runs.
    public static func termination(of process: Process) -> Termination? {
        if !process.isRunning { return foundationTermination(of: process) }
        var info = siginfo_t()
        // WNOWAIT: the child stays for Foundation to reap.
        let found = waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT)
        guard found == 0, info._sifields._sigchld.si_pid == process.processIdentifier else {
            // Still running, or reaped by Foundation meanwhile.
            return process.isRunning ? nil : foundationTermination(of: process)
        }
        let status = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? .exited(status) : .killed(by: status)
    }

    private static func foundationTermination(of process: Process) -> Termination {
        process.terminationReason == .exit ? .exited(process.terminationStatus) : .killed(by: process.terminationStatus)
    }

    /// Blocks until the child ended (call it on a dispatch thread: ``onDispatchThread(_:)``).
    public static func waitForExit(_ process: Process) -> Termination {
        while true {
            if let termination = termination(of: process) { return termination }
            usleep(10_000)
        }
    }

    /// Whether the child exited, as the kernel knows it.
    public static func hasExited(_ process: Process) -> Bool {
        termination(of: process) != nil
    }
}
