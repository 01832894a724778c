import Engine
import Testing

@Suite("Store backoff")
struct StoreBackoffTests {
    @Test func doublesFromAHundredMillisecondsToThirtySecondsWithJitter() {
        let backoff = StoreBackoff()
        #expect(backoff.delay(afterAttempt: 1, unit: 0) == .milliseconds(100))
        #expect(backoff.delay(afterAttempt: 1, unit: 0.999) > .milliseconds(149))
        #expect(backoff.delay(afterAttempt: 2, unit: 0) == .milliseconds(200))
        #expect(backoff.delay(afterAttempt: 4, unit: 0.5) == .milliseconds(1000))
        // Capped: the step reaches 30 s at the 10th failure and stays there, jitter included.
        #expect(backoff.delay(afterAttempt: 10, unit: 0) == .seconds(30))
        #expect(backoff.delay(afterAttempt: 1_000, unit: 0.9) == .seconds(30))
        let draws = (1...20).map { backoff.delay(afterAttempt: $0) }
        #expect(draws.allSatisfy { $0 >= .milliseconds(100) && $0 <= .seconds(30) })
    }
}
