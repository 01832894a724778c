import Foundation
import SignalboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How the tests start children and see them end (``ChildProcess``), independent of what
/// Foundation's `Process` noticed.
@Suite struct ChildProcessTests {
    /// A child whose own child keeps every descriptor it inherited (Foundation's exit socket
    /// included, swift-corelibs-foundation#4795): its exit and status are still seen.
    @Test func anExitIsSeenWhileAGrandchildHoldsTheInheritedDescriptors() async throws {
        let (child, output) = try SignalboxProcess.launch(executable: "/bin/sh", ["-c", "sleep 300 & echo $!; exit 3"])
        let printed = await eventually { output.current.contains("\n") }
        let grandchild = Int32(output.current.split(separator: "\n").first.map(String.init) ?? "")
        defer { if let grandchild { _ = Glibc.kill(grandchild, SIGKILL) } }
        #expect(printed && grandchild != nil, "the child printed its child's pid: \(output.current)")
        #expect(await eventually { ChildProcess.hasExited(child) }, "the child's exit was seen")
        #expect(ChildProcess.termination(of: child) == .exited(3))
        print("[test.child-process] Foundation saw the exit: \(!child.isRunning) (it cannot while the grandchild holds its socket)")
    }

    @Test func aSignalledChildReportsItsSignal() async throws {
        let (child, _) = try SignalboxProcess.launch(executable: "/bin/sleep", ["300"])
        _ = Glibc.kill(child.processIdentifier, SIGKILL)
        #expect(await eventually { ChildProcess.hasExited(child) })
        #expect(ChildProcess.termination(of: child) == .killed(by: SIGKILL))
        #expect(ChildProcess.termination(of: child)?.status == 128 + SIGKILL)
    }

    /// A pipe no other child inherits still reaches its own child as stdout.
    @Test func pipesAreCloseOnExecAndStillReachTheirChild() async throws {
        let pipe = ChildProcess.pipe()
        for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
            #expect(fcntl(handle.fileDescriptor, F_GETFD) & FD_CLOEXEC != 0)
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/echo")
        child.arguments = ["through the pipe"]
        child.standardOutput = pipe
        try ChildProcess.run(child)
        let text = try await onDispatchThread { String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        #expect(text == "through the pipe\n")
        #expect(try await onDispatchThread { ChildProcess.waitForExit(child) } == .exited(0))
    }
}
