import Automation
import Testing

/// Leadership as told: terms, waiters, cancellation.
@Suite("Scheduler leadership state")
struct SchedulerLeadershipStateTests {
    @Test func termsAreNumberedAndAnEndedTermNeverHoldsAgain() async throws {
        let leadership = SchedulerLeadershipState()
        #expect(leadership.role == .follower)
        let first = leadership.gain()
        #expect(leadership.gain() == first, "gaining while leading keeps the term")
        #expect(leadership.role == .leader && leadership.holds(first))
        #expect(leadership.lose(reason: "connection closed") == first)
        #expect(leadership.lose(reason: "again") == nil, "nothing to lose while following")
        let second = leadership.gain()
        #expect(second > first)
        #expect(!leadership.holds(first) && leadership.holds(second))
        #expect(try await leadership.waitUntilLost(first) == "connection closed", "an ended term answers at once")
    }

    @Test func waitersAreToldWhenTheLeadComesAndGoes() async throws {
        let leadership = SchedulerLeadershipState()
        async let gained = leadership.waitUntilLeading()
        // The waiter may register before or after the gain: it is told either way.
        try await Task.sleep(for: .milliseconds(20))
        let term = leadership.gain()
        #expect(try await gained == term)

        async let lost = leadership.waitUntilLost(term)
        try await Task.sleep(for: .milliseconds(20))
        leadership.lose(reason: "heartbeat timed out")
        #expect(try await lost == "heartbeat timed out")
    }

    @Test func aCancelledWaitThrowsAndLeavesNothingBehind() async throws {
        let leadership = SchedulerLeadershipState()
        let waiting = Task { try await leadership.waitUntilLeading() }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        let term = leadership.gain()
        let losing = Task { try await leadership.waitUntilLost(term) }
        try await Task.sleep(for: .milliseconds(20))
        losing.cancel()
        await #expect(throws: CancellationError.self) { try await losing.value }
        #expect(leadership.holds(term))
    }

    @Test func theSoleLeadershipAlwaysLeads() async throws {
        let sole = SoleSchedulerLeadership()
        let term = try await sole.waitUntilLeading()
        #expect(sole.role == .leader && sole.holds(term))
        let losing = Task { try await sole.waitUntilLost(term) }
        try await Task.sleep(for: .milliseconds(20))
        losing.cancel()
        await #expect(throws: CancellationError.self) { try await losing.value }
    }
}
