import Automation
#if os(Linux)
import CMalloc
#endif
import Logging
import Synchronization

/// The trigger index the pipeline matches with, rebuilt from the store when definitions change
/// and swapped atomically (a batch matches against one index from start to end).
///
/// ## When it refreshes
/// At once when the service reports a change (``DefinitionChangeObserver``), and otherwise every
/// ``run(every:logger:)`` tick (500 ms in `serve`), because another process sharing the database
/// changes it without telling. A tick reads the store's `definitionsVersion()` (one integer) and
/// stops there when it is the one of the last read; otherwise it reads
/// `actionsWithEnabledTriggers()` and rebuilds only when the definitions differ from the last
/// build — compared without the counters and schedules, which are not what matching depends on.
public final class TriggerIndexProvider: DefinitionChangeObserver {
    private struct State {
        var index: TriggerIndex
        /// The actions the index was built from, as read.
        var definitions: [AutomatedAction]?
        /// The store's `definitionsVersion()` when `definitions` were read.
        var version: Int64?
    }

    private let store: any ActiveDefinitionStore
    private let state: Mutex<State>
    private let changed = WakeSignal()

    public init(store: any ActiveDefinitionStore) {
        self.store = store
        self.state = Mutex(State(index: TriggerIndex(actions: []), definitions: nil, version: nil))
    }

    /// The index to match with now.
    public var current: TriggerIndex { state.withLock { $0.index } }

    /// Reads the definitions and rebuilds the index if they changed; returns the new index, or
    /// nil when nothing changed.
    @discardableResult
    public func refresh() async throws -> TriggerIndex? {
        // Read before the definitions: a change landing in between shows as a new version next time.
        let version = try await store.definitionsVersion()
        if state.withLock({ $0.version == version }) { return nil }
        let first = state.withLock { $0.definitions == nil }
        let actions: [AutomatedAction]
        let index: TriggerIndex
        if first {
            // The first build (start-up) has nothing to compare with: filters compile chunk by
            // chunk while the rest is read.
            let assembly = TriggerIndex.Assembly()
            do {
                try await store.actionsWithEnabledTriggers(inChunksOf: 5_000) { assembly.add($0) }
            } catch {
                assembly.cancel()
                throw error
            }
            actions = assembly.actions
            index = await assembly.build()
        } else {
            // Later reads are compared first: a version bump often changes nothing matching uses
            // (a schedule, a paused action without triggers), and then nothing is compiled.
            actions = try await store.actionsWithEnabledTriggers()
            let unchanged = state.withLock { state in
                guard state.definitions.map({ Self.sameDefinitions($0, actions) }) ?? false else { return false }
                state.version = max(state.version ?? version, version)
                return true
            }
            if unchanged { return nil }
            index = await TriggerIndex.building(actions)
        }
        // The version is recorded only with the index built from it, so a refresh that runs while
        // another builds does not return early with the older index still current (tests call
        // `refresh()` as a barrier beside the background loop). A slower, older build never
        // replaces a newer one.
        let published = state.withLock { state in
            if let newer = state.version, newer > version { return false }
            state = State(index: index, definitions: actions, version: version)
            return true
        }
        guard published else { return nil }
        FreedMemory.giveBack()
        return index
    }

    public func actionChanged(_ id: ActionID, tenant: TenantID) {
        changed.signal()
    }

    /// Changes may have been missed (a change feed was away): refreshes now, not at the next tick.
    public func resynchronize() {
        changed.signal()
    }

    /// Refreshes every `interval`, and when told of a change, until the task is cancelled.
    public func run(every interval: Duration, logger: Logger) async {
        while !Task.isCancelled {
            await changed.wait(for: interval)
            if Task.isCancelled { return }
            do {
                if let index = try await refresh() {
                    logger.info("trigger index rebuilt", metadata: [
                        "triggers": "\(index.count)", "skipped": "\(index.skipped.count)",
                    ])
                }
            } catch {
                logger.warning("trigger definitions could not be read", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Whether two reads hold the same definitions for matching and planning: equal but for the
    /// counters and schedules, which they do not depend on. Compared in place: a stripped copy
    /// of 100,000 actions kept beside the index would cost tens of megabytes. `dateUpdated` is
    /// compared: every edit stamps it, so an edit `String` equality cannot see (a filter
    /// respelled with a canonically equivalent name) still rebuilds, as does a schedule edit.
    private static func sameDefinitions(_ old: [AutomatedAction], _ new: [AutomatedAction]) -> Bool {
        guard old.count == new.count else { return false }
        for (before, after) in zip(old, new) {
            var before = before
            before.totalExecutions = after.totalExecutions
            before.consecutiveFailures = after.consecutiveFailures
            before.nextScheduledRunAt = after.nextScheduledRunAt
            before.schedules = after.schedules
            if before != after { return false }
        }
        return true
    }
}

/// Hands memory freed by a large build back to the operating system: glibc keeps freed blocks
/// in its arenas, so the rows, parse trees and scratch arrays of building an index of 100,000
/// triggers would otherwise stay in the resident size for good.
enum FreedMemory {
    static func giveBack() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }
}
