/// Polls `condition` every `interval` until it holds or `timeout` passed, then asks once more:
/// a bound against hanging on real brokers and processes, not a timed assertion.
public func eventually(
    timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(25), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
