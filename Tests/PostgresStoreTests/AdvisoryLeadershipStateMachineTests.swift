@testable import PostgresStore
import Testing

/// The advisory-lock campaign's decisions, without a server.
@Suite("Advisory leadership state machine")
struct AdvisoryLeadershipStateMachineTests {
    typealias Machine = AdvisoryLeadershipStateMachine
    let timing = Machine.Timing(
        pollInterval: .seconds(1), heartbeatInterval: .seconds(1), initialReconnectDelay: .milliseconds(250),
        maximumReconnectDelay: .seconds(2))

    @Test func aFollowerAsksForTheLockEveryPollUntilItLeadsThenHeartbeats() {
        var machine = Machine(timing: timing)
        #expect(machine.start() == .connect(after: .zero))
        #expect(machine.connected() == .tryLock(after: .zero))
        #expect(machine.lockAnswered(acquired: false) == .tryLock(after: .seconds(1)))
        #expect(machine.lockAnswered(acquired: false) == .tryLock(after: .seconds(1)))
        #expect(machine.state == .following)
        #expect(machine.lockAnswered(acquired: true) == .lead(heartbeatAfter: .seconds(1)))
        #expect(machine.state == .leading)
        #expect(machine.heartbeatAnswered() == .heartbeat(after: .seconds(1)))
    }

    @Test func anyFailureWhileLeadingLosesTheLeadAtOnceAndReconnects() {
        var machine = Machine(timing: timing)
        _ = machine.start()
        _ = machine.connected()
        _ = machine.lockAnswered(acquired: true)
        #expect(machine.failed("connection closed") == .loseAndReconnect(reason: "connection closed", after: .milliseconds(250)))
        #expect(machine.state == .disconnected(failures: 1))
        // Connected again, the lock is asked for again: leading is never resumed without it.
        #expect(machine.connected() == .tryLock(after: .zero))
        #expect(machine.state == .following)
    }

    @Test func aFollowerThatLosesItsConnectionReconnectsWithoutReportingALoss() {
        var machine = Machine(timing: timing)
        _ = machine.start()
        _ = machine.connected()
        #expect(machine.failed("timeout") == .reconnect(reason: "timeout", after: .milliseconds(250)))
    }

    @Test func failedConnectionAttemptsBackOffUpToTheMaximum() {
        var machine = Machine(timing: timing)
        _ = machine.start()
        let delays = (0..<6).map { _ in machine.failed("refused") }
        #expect(delays == [250, 500, 1000, 2000, 2000, 2000].map { Machine.Action.connect(after: .milliseconds($0)) })
        #expect(machine.state == .disconnected(failures: 6))
    }

    @Test func stoppingSaysWhetherItLed() {
        var leading = Machine(timing: timing)
        _ = leading.start()
        _ = leading.connected()
        _ = leading.lockAnswered(acquired: true)
        #expect(leading.stop() == .stop(leading: true))
        #expect(leading.state == .stopped)
        // Whatever answers after the stop changes nothing.
        #expect(leading.lockAnswered(acquired: true) == .stop(leading: false))
        #expect(leading.heartbeatAnswered() == .stop(leading: false))

        var following = Machine(timing: timing)
        _ = following.start()
        _ = following.connected()
        #expect(following.stop() == .stop(leading: false))
    }
}
