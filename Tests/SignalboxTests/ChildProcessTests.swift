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

    /// A drained pipe hands over what the child wrote while the child still runs, and then
    /// everything to the end, with no dispatch source involved.
    @Test func aDrainedPipeStreamsWhileTheChildRunsAndEndsWithAllOfIt() async throws {
        let received = SignalboxProcess.OutputCollector()
        let input = ChildProcess.pipe()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        // It waits for a line on stdin between its two writes, then writes 200,000 bytes more.
        child.arguments = ["-c", #"echo first; read line; echo "$line"; head -c 200000 /dev/zero | tr '\0' x"#]
        child.standardInput = input
        child.standardOutput = ChildProcess.pipe { received.append($0) }
        try ChildProcess.run(child)
        #expect(await eventually { received.current == "first\n" }, "the first line arrived: \(received.current.prefix(80))")
        #expect(!ChildProcess.hasExited(child), "the child still waits for its input")
        input.fileHandleForWriting.write(Data("second\n".utf8))
        try input.fileHandleForWriting.close()
        #expect(try await onDispatchThread { ChildProcess.waitForExit(child) } == .exited(0))
        let expected = "first\nsecond\n" + String(repeating: "x", count: 200_000)
        #expect(await eventually { received.current.count == expected.count }, "got \(received.current.count) bytes")
        #expect(received.current == expected)
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
