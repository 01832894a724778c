import Automation
import Foundation
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import SignalboxTestSupport
import Synchronization
import Testing

/// A store call that gets no answer is given up after the store's bound and reported as an
/// unreachable server, so that its caller (a batch of the pipeline, graceful shutdown) retries or
/// stops instead of waiting for good; the store answers again once the server does.
@Suite("PostgreSQL transactions are bounded", .enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct TransactionBoundTests {
    @Test func aTransactionWithoutAnAnswerIsGivenUpAfterTheBound() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                let store = try await PostgresAutomationStore(client: client, logger: TestDatabase.logger, transactionTimeout: .seconds(2))
                _ = try await AutomationService(store: store, clock: SystemWallClock()).bootstrap()
                try await TestDatabase.withClient(configuration) { other in
                    // Another session holds the actions table locked: reads of it wait on the server.
                    let locked = Atomic(false), release = Atomic(false)
                    let holder = Task {
                        try await other.withTransaction(logger: TestDatabase.logger) { connection in
                            try await connection.query("LOCK TABLE automated_action IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                            locked.store(true, ordering: .relaxed)
                            // Until the test is done, or 60 s (a hang guard: a store that waited
                            // answers then, and the checks below fail).
                            _ = await eventually(timeout: .seconds(60), every: .milliseconds(50)) { release.load(ordering: .relaxed) }
                        }
                    }
                    #expect(await eventually { locked.load(ordering: .relaxed) }, "the lock was taken")
                    let asked = ContinuousClock.now
                    let outcome: Result<[AutomatedAction], any Error>
                    do { outcome = .success(try await store.actionsWithEnabledTriggers()) } catch { outcome = .failure(error) }
                    let waited = ContinuousClock.now - asked
                    release.store(true, ordering: .relaxed)
                    try await holder.value
                    print("[test.pg-bound] a read behind a held lock answered after \(waited): \(outcome)")
                    guard case .failure(let error) = outcome else {
                        Issue.record("the read answered only once the lock was released, after \(waited)")
                        return
                    }
                    let failure = try #require(error as? PostgresStoreError, "\(error)")
                    #expect(failure.isUnreachable && failure.description.contains("no answer within 2 s"), "\(failure)")
                }
                // The server answers again: so does the store.
                #expect(try await store.actionsWithEnabledTriggers().isEmpty)
            }
        }
    }
}
