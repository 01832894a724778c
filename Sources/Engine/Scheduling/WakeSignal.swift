import Foundation
import Synchronization

/// Lets a sleeping loop be woken early: ``wait(for:)`` returns when the time is up or when
/// ``signal()`` was called (since the last wait returned), whichever comes first. A signal with
/// nobody waiting is kept for the next wait, so none is lost between two waits.
final class WakeSignal: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                state.signalled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Sleeps up to `timeout` (forever when nil) or until signalled or cancelled.
    func wait(for timeout: Duration?) async {
        await wait(orSleep: { try? await Task.sleep(for: timeout ?? Self.forever) })
    }

    /// Sleeps until `deadline` on `clock` (forever when nil) or until signalled or cancelled.
    func wait(until deadline: Date?, on clock: any SchedulerClock) async {
        await wait(orSleep: {
            if let deadline { try? await clock.sleep(until: deadline) } else { try? await Task.sleep(for: Self.forever) }
        })
    }

    /// Longer than any process runs: a sleep that only a signal or cancellation ends.
    private static let forever = Duration.seconds(100 * 365 * 86_400)

    /// Returns when `sleep` returns or a signal comes, whichever is first.
    private func wait(orSleep sleep: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextSignal() }
            group.addTask { await sleep() }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func nextSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
