import Automation
import Foundation
import Logging
import PostgresNIO
@testable import PostgresStore
import PostgresTestSupport
import Synchronization
import SignalboxTestSupport
import Testing

/// The change feed against a real PostgreSQL: what one store commits, a listener on another
/// session hears (from the schema's triggers, so any writer is heard), and a listener whose
/// session is killed comes back and asks for a resynchronisation.
@Suite("PostgreSQL change feed", .enabled(if: TestDatabase.isAvailable, TestDatabase.skipReason))
struct ChangeFeedTests {
    /// Every change heard, in order, and how often a resynchronisation was asked for.
    final class Heard: DefinitionChangeObserver {
        let changes = Mutex<[StoreChange]>([])
        let resynchronisations = Atomic(0)

        var all: [StoreChange] { changes.withLock { $0 } }

        func actionChanged(_ id: ActionID, tenant: TenantID) { changes.withLock { $0.append(.action(id, tenant: tenant)) } }
        func delayedRunScheduled(_ run: DelayedRunDue) { changes.withLock { $0.append(.delayedRunScheduled(run)) } }
        func delayedRunsCancelled(_ ids: [DelayedRunID]) { changes.withLock { $0 += ids.map(StoreChange.delayedRunCancelled) } }
        func resynchronize() { resynchronisations.add(1, ordering: .relaxed) }
    }

    static let caller = Caller(tenantId: .default, role: .admin)
    static let bound = Duration.seconds(60)

    @Test func changesCommittedByAnotherSessionAreHeardAndAKilledSessionResynchronises() async throws {
        try await TestDatabase.withDatabase { configuration in
            try await TestDatabase.withClient(configuration) { client in
                let store = try await PostgresAutomationStore(client: client, logger: TestDatabase.logger)
                let service = AutomationService(store: store, clock: SystemWallClock())
                _ = try await service.bootstrap()
                var settings = PostgresChangeFeed.Configuration()
                settings.session.applicationName = "signalbox-test-feed-\(configuration.database)"
                settings.heartbeatInterval = .milliseconds(200)
                settings.initialReconnectDelay = .milliseconds(50)
                let feed = PostgresChangeFeed(store: configuration, configuration: settings, logger: TestDatabase.logger)
                let heard = Heard()
                let following = Task { try await feed.follow(heard) }
                defer { following.cancel() }
                #expect(await eventually(timeout: Self.bound) { heard.resynchronisations.load(ordering: .relaxed) >= 1 })

                // An action with a schedule: one notification, however many rows it wrote.
                let items = try AutomationJSON.decoder().decode([ActionItem].self, from: Data(#"""
                    [{"name": "Run", "config": {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}}]
                    """#.utf8))
                let action = try await service.createAction(
                    CreateActionRequest(name: "heard", actions: items, schedules: [AddScheduleRequest(name: "s", cron: "@every 1h")]),
                    namespace: "production", as: Self.caller
                ).action
                #expect(await eventually(timeout: Self.bound) { heard.all == [.action(action.id, tenant: .default)] }, "\(heard.all)")

                // A delayed run, with its instant; then its cancellation.
                let (run, _) = try await service.scheduleRun(ScheduleRunRequest(delaySeconds: 60), of: .id(action.id), as: Self.caller)
                #expect(await eventually(timeout: Self.bound) { heard.all.last == .delayedRunScheduled(run.due) }, "\(heard.all)")
                _ = try await service.cancelDelayedRun(run.id, of: .id(action.id), as: Self.caller)
                #expect(await eventually(timeout: Self.bound) { heard.all.last == .delayedRunCancelled(run.id) }, "\(heard.all)")

                // A rolled-back change is never announced.
                let before = heard.all.count
                do {
                    try await client.withTransaction(logger: TestDatabase.logger) { connection in
                        try await connection.query("UPDATE automated_action SET description = 'rolled back'", logger: TestDatabase.logger)
                        throw CancellationError()
                    }
                } catch let error as PostgresTransactionError where error.closureError is CancellationError {}

                // The server ends the listening session: the feed listens again and resynchronises.
                // (Counted from here: under load a slow heartbeat may have reconnected before.)
                let resynchronised = heard.resynchronisations.load(ordering: .relaxed)
                let terminated = try await TestDatabase.integer(
                    "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = \(settings.session.applicationName)",
                    on: client)
                #expect(terminated == 1)
                #expect(await eventually(timeout: Self.bound) { heard.resynchronisations.load(ordering: .relaxed) > resynchronised })
                #expect(heard.all.count == before, "nothing heard of the rolled-back change: \(heard.all.suffix(2))")
                _ = try await service.pauseAction(.id(action.id), as: Self.caller)
                #expect(await eventually(timeout: Self.bound) { heard.all.count == before + 1 && heard.all.last == .action(action.id, tenant: .default) })
            }
        }
    }

    @Test func payloadsThatAreNotUnderstoodAreNotChanges() {
        let id = UUID()
        #expect(PostgresChangeFeed.change(#"{"kind":"cancelled","id":"\#(id.uuidString.lowercased())"}"#) == .delayedRunCancelled(DelayedRunID(rawValue: id)))
        #expect(PostgresChangeFeed.change(#"{"kind":"delayed","id":"\#(id)","tenant":"t","action":"\#(id)","due":1790000000.5}"#)
            == .delayedRunScheduled(DelayedRunDue(
                id: DelayedRunID(rawValue: id), actionId: ActionID(rawValue: id), tenantId: "t", dueAt: Date(timeIntervalSince1970: 1_790_000_000.5))))
        for junk in ["", "null", "{}", #"{"kind":"action","tenant":"t"}"#, #"{"kind":"nope","id":"\#(id)"}"#, #"{"kind":"cancelled","id":"x"}"#] {
            #expect(PostgresChangeFeed.change(junk) == nil, "\(junk)")
        }
    }
}
