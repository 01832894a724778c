import Foundation
import GRDB

/// Copies the write-ahead log into the database file from a connection of its own, every
/// `interval`, so that no commit pays for a checkpoint. SQLite's automatic checkpoint runs inside
/// the commit that crosses the threshold: measured under webhook load, those commits took 50–100 ms
/// instead of 1–2 and held every call queued behind them. A passive checkpoint here waits for no
/// one and blocks no writer; the writer's automatic checkpoint stays, far higher, as a backstop.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let task: Task<Void, Never>

    init(path: String, interval: Duration, busyTimeout: TimeInterval) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "SQLiteAutomationStore.checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        self.connection = connection
        task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // A failed pass (the file busy past the timeout, or closed by stop()) is retried
                // at the next tick, or ends with the task.
                _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
        }
    }

    /// Stops checkpointing; returns once a pass under way finished and the connection closed, so
    /// that whoever opens the file next finds no lock of ours.
    func stop() {
        task.cancel()
        try? connection.close()
    }

    deinit {
        task.cancel()
    }
}
