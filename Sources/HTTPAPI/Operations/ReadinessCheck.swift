import Synchronization

/// One condition `GET /health/ready` requires, such as "broker connected" or "database
/// writable". The executable makes them from the real broker connection and store; the API sees
/// only a name and a probe, so it depends on neither.
public struct ReadinessCheck: Sendable {
    /// Names the check in the response (`broker`, `database`).
    public var name: String
    /// What is checked, shown whether it passes or fails (`PostgreSQL at postgres://…`); nil: nothing more than the name.
    public var detail: String?
    /// Returns when the condition holds, with what it found when that is worth showing (it then
    /// replaces `detail`); throws an error saying why it does not hold.
    public var probe: @Sendable () async throws -> String?

    public init(name: String, detail: String? = nil, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.detail = detail
        self.probe = {
            try await probe()
            return nil
        }
    }

    /// A check that always holds and reports a state (the scheduler's role: `leader`).
    public init(name: String, reporting state: @escaping @Sendable () -> String) {
        self.name = name
        detail = nil
        probe = { state() }
    }

    /// A failed check with this `description` as its reason, for probes that have no error of their own.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

/// The outcome of one check, as `GET /health/ready` reports it.
struct ReadinessResult: Encodable, Sendable, Hashable {
    enum Status: String, Encodable, Sendable {
        case pass, fail
    }

    var name: String
    var status: Status
    /// What was checked (``ReadinessCheck/detail``).
    var detail: String?
    /// Why it failed; absent when it passed.
    var reason: String?

    /// Runs `check`, failing it when it has not answered within `timeout`. A probe still running
    /// then (a blocked SQLite call) finishes in the background; the response does not wait for it.
    static func run(_ check: ReadinessCheck, timeout: Duration) async -> ReadinessResult {
        await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            let deadline = Task {
                try await Task.sleep(for: timeout)
                answer.give(ReadinessResult(name: check.name, status: .fail, detail: check.detail, reason: "no answer within \(timeout)"))
            }
            Task {
                do {
                    let found = try await check.probe()
                    answer.give(ReadinessResult(name: check.name, status: .pass, detail: found ?? check.detail))
                } catch {
                    answer.give(ReadinessResult(name: check.name, status: .fail, detail: check.detail, reason: "\(error)"))
                }
                deadline.cancel()
            }
        }
    }

    /// Resumes the continuation with the first result given; later ones are dropped.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<ReadinessResult, Never>?>

        init(_ continuation: CheckedContinuation<ReadinessResult, Never>) {
            self.continuation = Mutex(continuation)
        }

        func give(_ result: ReadinessResult) {
            continuation.withLock { $0.take() }?.resume(returning: result)
        }
    }
}
