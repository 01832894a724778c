import Synchronization

/// Work in flight that shutdown waits for: ``waitUntilIdle(timeout:)`` returns when the count
/// drops to zero — resumed by the last ``subtract(_:)``, not by polling — or when the timeout
/// passes. Adding and subtracting is one short lock, safe on the connection's I/O thread.
public final class InFlightCount: Sendable {
    private struct State {
        var count = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var value: Int { state.withLock { $0.count } }

    func add(_ amount: Int) {
        state.withLock { $0.count += amount }
    }

    func subtract(_ amount: Int) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.count -= amount
            guard state.count <= 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until nothing is in flight or `timeout` passed; returns whether nothing is.
    @discardableResult
    public func waitUntilIdle(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.idle() }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
        }
        return value <= 0
    }

    private func idle() async {
        // Cancellation (the timeout won) resumes every waiter: they re-check and return.
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.count > 0, !Task.isCancelled else { return false }
                    state.waiters.append(continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
