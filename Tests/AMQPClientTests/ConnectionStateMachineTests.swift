import SignalboxTestSupport
import Testing
@testable import AMQPClient

@Suite struct ConnectionStateMachineTests {
    @Test func firstConnectionReportsStartOrFailure() {
        var ok = ConnectionStateMachine()
        #expect(ok.sessionEstablished() == .reportStarted)
        #expect(ok.state == .connected)

        var failing = ConnectionStateMachine()
        #expect(failing.connectFailed() == .failStartup)
        #expect(failing.state == .closed)
    }

    @Test func lossLeadsToBackoffWithGrowingAttempts() {
        var machine = ConnectionStateMachine()
        _ = machine.sessionEstablished()
        #expect(machine.connectionLost() == .scheduleReconnect(attempt: 0))
        #expect(machine.reconnectDelayElapsed() == .establishSession)
        #expect(machine.connectFailed() == .scheduleReconnect(attempt: 1))
        #expect(machine.reconnectDelayElapsed() == .establishSession)
        #expect(machine.connectFailed() == .scheduleReconnect(attempt: 2))
        #expect(machine.sessionEstablished() == .none, "a reconnect is not reported as a start")
        #expect(machine.state == .connected)
        #expect(machine.connectionLost() == .scheduleReconnect(attempt: 0), "attempts count from zero again")
    }

    @Test func givesUpAfterMaximumAttempts() {
        var machine = ConnectionStateMachine(maximumAttempts: 2)
        _ = machine.sessionEstablished()
        _ = machine.connectionLost()
        #expect(machine.connectFailed() == .scheduleReconnect(attempt: 1))
        #expect(machine.connectFailed() == .finish)
        #expect(machine.state == .closed)
    }

    @Test func closeWhileConnectedIsGracefulAndWhileReconnectingImmediate() {
        var connected = ConnectionStateMachine()
        _ = connected.sessionEstablished()
        #expect(connected.closeRequested() == .closeGracefully)
        #expect(connected.closeRequested() == .none)
        #expect(connected.connectionLost() == .finish, "a loss during close ends it")

        var reconnecting = ConnectionStateMachine()
        _ = reconnecting.sessionEstablished()
        _ = reconnecting.connectionLost()
        #expect(reconnecting.closeRequested() == .finish)
        #expect(reconnecting.reconnectDelayElapsed() == .none)
    }

    @Test func closeCompletes() {
        var machine = ConnectionStateMachine()
        _ = machine.sessionEstablished()
        _ = machine.closeRequested()
        #expect(machine.closeCompleted() == .finish)
        #expect(machine.state == .closed)
        #expect(machine.closeCompleted() == .none)
    }
}

@Suite struct ReconnectPolicyTests {
    @Test func delaysGrowExponentiallyWithinJitterAndCap() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(5), multiplier: 2, jitter: 0.5)
        var generator = SeededGenerator(seed: 42)
        for attempt in 0..<12 {
            let ceiling = min(5.0, 0.1 * Double(1 << attempt))
            let delay = policy.delay(forAttempt: attempt, using: &generator).seconds
            #expect(delay >= ceiling * 0.5 - 1e-9 && delay <= ceiling + 1e-9, "attempt \(attempt): \(delay)s")
        }
    }

    @Test func jitterSpreadsReplicas() {
        let policy = ReconnectPolicy()
        var generator = SeededGenerator(seed: 7)
        let delays = Set((0..<20).map { _ in policy.delay(forAttempt: 3, using: &generator).milliseconds })
        #expect(delays.count > 10)
    }
}
