import Automation
import Cron
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Fires the enabled schedules: keeps their next occurrences in a ``ScheduleQueue`` and sleeps
/// until the earliest — no polling — waking early when the service reports a definition change.
/// A due occurrence becomes a schedule event (id `scheduleId@occurrence`), one slot of a
/// ``RunBatch`` on the ``RunPath``; once its commands are confirmed — its settlement — the
/// schedule's last fired occurrence and next occurrence are stored, for all schedules that fired
/// within `progressInterval` in one transaction. Missed occurrences follow ``ScheduleDecision``.
///
/// The due schedules of one wake-up go in chunks of `batchSize` slots (one transaction and one
/// publish hand-off each), so 10,000 schedules on the same second cost a few rounds, not 10,000.
/// Time comes from an injected ``SchedulerClock``.
///
/// It fires only while this replica leads (``SchedulerLeadership``): it waits to lead before it
/// loads the schedules and delayed runs, checks its term before each wake-up fires, and when the
/// term ends drops its queues and waits to lead again. Chunks in flight then finish (their ids
/// are deterministic: at worst a command is published twice, never a second history row) but
/// their results are not taken back into the queues. On leading again it reloads from the store,
/// so what fell due meanwhile is decided by the missed-run policy, as after a restart.
///
/// Changes made through other replicas arrive through ``resynchronize()`` and the observer calls
/// of a ``StoreChangeFeed``; as a fallback it also reads the definitions version every
/// `definitionsPollInterval` and, when it moved, compares the stored schedules with what it
/// tracks. A delayed run handed out for firing is not queued again when it is announced late.
public final class SchedulerService: Service, DefinitionChangeObserver {
    public struct Configuration: Sendable {
        /// An occurrence reached later than this after its instant counts as missed.
        public var missedRunGrace: TimeInterval
        /// How long a batch waits for its confirms before it is retried.
        public var confirmTimeout: Duration
        /// The longest pause between retries of a failing schedule.
        public var maximumRetryDelay: TimeInterval
        /// Occurrences due together are fired in chunks of this many (one history transaction
        /// and one publish hand-off each).
        public var batchSize: Int
        /// How often the schedules' progress is stored: one transaction for all that fired since.
        public var progressInterval: Duration = .milliseconds(250)
        /// How long graceful shutdown waits for the confirms of runs in flight.
        public var shutdownGrace: Duration = .seconds(3)
        /// How long before an instant its runs are prepared — decided, planned, encoded and
        /// recorded — so that at the instant only the publish is left. A definition change that
        /// arrives within this lead applies from the next occurrence.
        public var preparationLead: Duration
        /// How often the leader reads the definitions version to find changes it was not told of
        /// (made through another process while the change feed was away).
        public var definitionsPollInterval: Duration = .seconds(1)

        public init(
            missedRunGrace: TimeInterval = 60, confirmTimeout: Duration = .seconds(30), maximumRetryDelay: TimeInterval = 60,
            batchSize: Int = 500, preparationLead: Duration = .milliseconds(500)
        ) {
            self.preparationLead = max(.zero, preparationLead)
            self.missedRunGrace = missedRunGrace
            self.confirmTimeout = confirmTimeout
            self.maximumRetryDelay = maximumRetryDelay
            self.batchSize = max(1, batchSize)
        }
    }

    private struct State {
        /// The term the queues were loaded in; nil while following (nothing is queued then).
        var term: LeadershipTerm?
        var queue = ScheduleQueue()
        /// Delayed runs waiting for their instant.
        var delayed = DelayedRunQueue()
        /// Actions whose definitions changed since the last reload.
        var changed: [ActionID: TenantID] = [:]
        /// Set by ``resynchronize()``: the stored schedules and delayed runs are compared with
        /// the queues before the next wake-up fires.
        var resynchronize = false
        /// The store's definitions version when ``known`` was last compared with the store.
        var definitionsVersion: Int64?
        /// The definitions the schedules were tracked from, by action, without counters and
        /// progress: what a comparison with the store looks at.
        var known: [ActionID: AutomatedAction] = [:]
        /// Progress not stored yet, the latest per schedule.
        var progress: [ScheduledEntry.Key: ScheduleProgress] = [:]
    }

    private let store: any ActiveDefinitionStore & SchedulerStateStore
    private let leadership: any SchedulerLeadership
    private let runPath: RunPath
    private let publisher: any PipelinePublisher
    private let clock: any SchedulerClock
    private let configuration: Configuration
    private let logger: Logger
    private let planner = CommandPlanner()
    private let state = Mutex(State())
    private let wake = WakeSignal()
    /// Set by graceful shutdown: no new occurrences fire after it.
    private let stopping = Atomic(false)
    /// Signalled by graceful shutdown: ends a wait to lead.
    private let stopRequested = WakeSignal()
    /// Chunks being fired: graceful shutdown waits for their confirms.
    private let firing = InFlightCount()
    /// Told the lag (scheduled instant → confirmed publish) of every fired occurrence.
    private let onFired: @Sendable (_ lag: Duration) -> Void

    public init(
        store: any ActiveDefinitionStore & SchedulerStateStore, runPath: RunPath, publisher: any PipelinePublisher, clock: any SchedulerClock,
        configuration: Configuration = Configuration(), leadership: any SchedulerLeadership = SoleSchedulerLeadership(), logger: Logger,
        onFired: @escaping @Sendable (_ lag: Duration) -> Void = { _ in }
    ) {
        self.store = store
        self.leadership = leadership
        self.runPath = runPath
        self.publisher = publisher
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.onFired = onFired
        // Runs that triggers delay are recorded by run paths sharing this one's notifier.
        runPath.notifier.subscribe(self)
    }

    /// Schedules tracked now.
    public var trackedSchedules: Int { state.withLock { $0.queue.count } }
    /// Delayed runs waiting in the queue now.
    public var queuedDelayedRuns: Int { state.withLock { $0.delayed.count } }
    /// Whether the schedules and delayed runs were loaded from the store in the current term (the
    /// scheduler leads and fires).
    public var isLoaded: Bool { loaded.load(ordering: .acquiring) }
    private let loaded = Atomic(false)

    // A follower keeps nothing: it loads everything when it comes to lead.

    public func actionChanged(_ id: ActionID, tenant: TenantID) {
        state.withLock { if $0.term != nil { $0.changed[id] = tenant } }
        wake.signal()
    }

    public func delayedRunScheduled(_ run: DelayedRunDue) {
        state.withLock { if $0.term != nil { $0.delayed.insertAnnounced(run) } }
        wake.signal()
    }

    /// Changes may have been made without this replica hearing of them (its change feed was not
    /// listening): the leader compares the stored schedules and delayed runs with its queues
    /// before it fires again. A follower has nothing to compare: it reads everything when it leads.
    public func resynchronize() {
        state.withLock { if $0.term != nil { $0.resynchronize = true } }
        wake.signal()
    }

    public func delayedRunsCancelled(_ ids: [DelayedRunID]) {
        state.withLock { $0.delayed.remove(ids) }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !self.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    try? await self.clock.sleep(until: self.clock.now().addingTimeInterval(self.configuration.progressInterval.timeInterval))
                    await self.storeProgress()
                }
            }
            group.addTask {
                while !self.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.definitionsPollInterval)
                    await self.pollDefinitionsVersion()
                }
            }
            await withGracefulShutdownHandler {
                while !self.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    guard let term = await waitToLead() else { break }
                    // Wakes the loop when the term ends, wherever it sleeps.
                    group.addTask {
                        if (try? await self.leadership.waitUntilLost(term)) != nil { self.wake.signal() }
                    }
                    await fireWhileLeading(in: term, group: &group)
                }
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                self.wake.signal()
                self.stopRequested.signal()
            }
            // Runs in flight get `shutdownGrace` for their confirms; then their waits are
            // cancelled. What was not confirmed keeps its stored progress, so the next start
            // fires it again with the same ids.
            await firing.waitUntilIdle(timeout: configuration.shutdownGrace)
            group.cancelAll()
        }
        await storeProgress()
        logger.info("scheduler stopped")
    }

    // MARK: Leading

    /// The term this replica leads in, once it leads; nil when the service stops first.
    private func waitToLead() async -> LeadershipTerm? {
        if leadership.role == .follower {
            logger.notice("scheduler follows: it fires no schedules or delayed runs until this replica leads")
        }
        return await withTaskGroup(of: LeadershipTerm?.self) { group in
            group.addTask { try? await self.leadership.waitUntilLeading() }
            group.addTask {
                await self.stopRequested.wait(for: nil)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }

    /// Whether the loop goes on firing in `term`.
    private func goesOn(in term: LeadershipTerm) -> Bool {
        !stopping.load(ordering: .relaxed) && !Task.isCancelled && leadership.holds(term)
    }

    /// Loads the schedules and delayed runs, then fires them until `term` ends or the service
    /// stops; when the term ended, lets go of everything it queued.
    private func fireWhileLeading(in term: LeadershipTerm, group: inout DiscardingTaskGroup) async {
        if await load(in: term) {
            while goesOn(in: term) {
                await waitForBroker(in: term)
                guard goesOn(in: term) else { break }
                await resynchronizeIfAsked()
                await reloadChanged()
                // Checked again just before popping: a loss noticed meanwhile fires nothing more.
                guard goesOn(in: term) else { break }
                let now = clock.now()
                let lead = configuration.preparationLead.timeInterval
                let (due, delayedDue) = state.withLock {
                    ($0.queue.popDue(at: now.addingTimeInterval(lead)), $0.delayed.popDue(at: now.addingTimeInterval(lead)))
                }
                fireInChunks(due.map { ($0.entry, $0.due) }, now: now, in: &group) { await self.fire($0, at: $1, in: term) }
                fireInChunks(delayedDue.map { ($0, $0.dueAt) }, now: now, in: &group) { await self.fireDelayed($0, at: $1, in: term) }
                let earliest = state.withLock { state in
                    [state.queue.earliest(), state.delayed.earliest()].compactMap { $0 }.min()
                }
                await wake.wait(until: earliest?.addingTimeInterval(-lead), on: clock)
            }
        }
        if !leadership.holds(term) { await relinquish(term) }
    }

    /// After a lost term: stores the progress of what fired and was confirmed in it (so the next
    /// leader does not fire it again), then forgets the queues. Chunks of the term still in
    /// flight finish without taking their results back.
    private func relinquish(_ term: LeadershipTerm) async {
        let reason = (try? await leadership.waitUntilLost(term)) ?? "unknown"
        logger.notice("scheduler stops firing: leadership lost", metadata: ["reason": "\(reason)", "term": "\(term.number)"])
        loaded.store(false, ordering: .releasing)
        await storeProgress()
        // Whatever could not be stored is dropped with the rest: the next leader fires those
        // occurrences again, with the same ids.
        state.withLock { $0 = State() }
    }

    /// While the broker is away nothing fires: what falls due meanwhile is decided when it is
    /// back, by the missed-run policy, instead of piling up unconfirmed commands.
    private func waitForBroker(in term: LeadershipTerm) async {
        guard case .unreachable(let reason) = publisher.reachability else { return }
        logger.warning("the broker is unreachable; schedules and delayed runs wait for it", metadata: ["reason": "\(reason)"])
        await BrokerGate(publisher: publisher).waitUntilReachable { self.goesOn(in: term) }
        if publisher.reachability == .reachable {
            logger.notice("the broker is reachable again; schedules and delayed runs go on")
        }
    }

    /// Fires `items` in tasks of `group`: one instant per chunk (what is due now, or each instant
    /// within the lead) and at most `batchSize` per chunk. Chunks run concurrently, so one chunk's
    /// history write overlaps another's encoding and publishing instead of each step waiting for
    /// the whole batch.
    private func fireInChunks<Item: Sendable>(
        _ items: [(item: Item, due: Date)], now: Date, in group: inout DiscardingTaskGroup,
        _ fire: @escaping @Sendable ([Item], Date) async -> Void
    ) {
        let byInstant = Dictionary(grouping: items) { max($0.due, now) }
        for (instant, entries) in byInstant.sorted(by: { $0.key < $1.key }) {
            for start in stride(from: 0, to: entries.count, by: configuration.batchSize) {
                let chunk = entries[start..<min(start + configuration.batchSize, entries.count)].map(\.item)
                firing.add(1)
                group.addTask {
                    await fire(chunk, instant)
                    self.firing.subtract(1)
                }
            }
        }
    }

    // MARK: Loading

    /// Loads the enabled schedules and the pending delayed runs for `term`, retrying while the
    /// store fails; false when the term ended or the service stopped first.
    private func load(in term: LeadershipTerm) async -> Bool {
        // From here on, changes and new delayed runs are kept for this term: one stored while
        // the store is read is queued twice at worst, and queues are keyed by id.
        state.withLock { state in
            state = State()
            state.term = term
        }
        var attempt = 0
        while true {
            do {
                // Read first: a change landing while the rest is read shows as a newer version.
                let version = try await store.definitionsVersion()
                let actions = try await store.actionsWithEnabledSchedules(tenant: nil)
                let lastFired = try await store.lastFiredOccurrences()
                let delayed = try await store.pendingDelayedRuns()
                let now = clock.now()
                let loaded: Int? = state.withLock { state in
                    guard state.term == term else { return nil }
                    state.definitionsVersion = version
                    state.known = Dictionary(actions.map { ($0.id, Self.definition($0)) }) { $1 }
                    state.delayed.insert(contentsOf: delayed)
                    var loaded = 0
                    for action in actions {
                        loaded += track(action, lastFired: lastFired, previous: [:], now: now, in: &state.queue)
                    }
                    return loaded
                }
                guard let loaded, leadership.holds(term) else { return false }
                self.loaded.store(true, ordering: .releasing)
                logger.info("scheduler started", metadata: [
                    "schedules": "\(loaded)", "actions": "\(actions.count)", "delayed_runs": "\(delayed.count)", "term": "\(term.number)",
                ])
                return true
            } catch {
                attempt += 1
                logger.warning("schedules and delayed runs could not be loaded; retrying", metadata: [
                    "attempt": "\(attempt)", "error": "\(error)",
                ])
                // The wait ends early when the term ends or the service stops.
                await wake.wait(for: StoreBackoff().delay(afterAttempt: attempt))
                guard goesOn(in: term) else { return false }
            }
        }
    }

    /// Puts `action`'s enabled schedules in `queue`; returns how many.
    private func track(
        _ action: AutomatedAction, lastFired: [ScheduleID: Date], previous: [ScheduledEntry.Key: ScheduledEntry], now: Date,
        in queue: inout ScheduleQueue
    ) -> Int {
        guard action.status == .active else { return 0 }
        var count = 0
        for definition in action.schedules where definition.isEnabled {
            let schedule: CronSchedule
            do {
                schedule = try definition.makeSchedule()
            } catch {
                logger.error("schedule cannot be evaluated; it does not fire", metadata: [
                    "action_id": "\(action.id)", "schedule_id": "\(definition.id)", "error": "\(error)",
                ])
                continue
            }
            let key = ScheduledEntry.Key(actionId: action.id, scheduleId: definition.id)
            let earlier = previous[key]
            let entry = ScheduledEntry(
                action: action, definition: definition, schedule: schedule,
                firstPending: definition.nextOccurrence ?? schedule.next(after: now),
                lastFired: [lastFired[definition.id], earlier?.lastFired].compactMap { $0 }.max(),
                retry: earlier?.retry)
            queue.put(entry, due: entry.retry ?? entry.firstPending)
            count += 1
        }
        return count
    }

    /// Re-reads the actions the service reported changed.
    private func reloadChanged() async {
        let changed = state.withLock { state in
            defer { state.changed = [:] }
            return state.changed
        }
        for (id, tenant) in changed {
            let action: AutomatedAction?
            do {
                action = try await store.action(id: id, tenant: tenant)
            } catch {
                logger.warning("changed action could not be read; retrying", metadata: ["action_id": "\(id)", "error": "\(error)"])
                state.withLock { $0.changed[id] = tenant }
                continue
            }
            let now = clock.now()
            state.withLock { state in replace(id, with: action, now: now, in: &state) }
            logger.debug("schedules reloaded", metadata: ["action_id": "\(id)"])
        }
    }

    /// Tracks `action`'s schedules (none when nil: deleted, or not active) instead of what was
    /// tracked for `id`, keeping the firing state of schedules that stay.
    private func replace(_ id: ActionID, with action: AutomatedAction?, now: Date, in state: inout State) {
        var previous: [ScheduledEntry.Key: ScheduledEntry] = [:]
        for key in state.queue.keys(of: id) {
            previous[key] = state.queue.entry(key)
            state.queue.remove(key)
        }
        if let action { _ = track(action, lastFired: [:], previous: previous, now: now, in: &state.queue) }
        state.known[id] = action.map(Self.definition)
    }

    // MARK: Changes made elsewhere

    /// The fallback for a change feed that was away: when the definitions version moved since the
    /// last comparison, compares the stored schedules with the tracked ones.
    private func pollDefinitionsVersion() async {
        guard let known = state.withLock({ $0.term != nil ? $0.definitionsVersion : nil }) else { return }
        do {
            let version = try await store.definitionsVersion()
            if version != known { try await compareSchedules(as: version) }
        } catch {
            logger.debug("definitions version could not be read", metadata: ["error": "\(error)"])
        }
    }

    /// Reads every active action with enabled schedules and tracks again those whose definitions
    /// differ from the tracked ones, or that appeared or went. `version` is the definitions
    /// version read just before: a change landing while the rest is read shows as a newer one.
    private func compareSchedules(as version: Int64) async throws {
        let actions = try await store.actionsWithEnabledSchedules(tenant: nil)
        let now = clock.now()
        let changed = state.withLock { state -> Int in
            guard state.term != nil else { return 0 }
            state.definitionsVersion = version
            var changed = 0
            var gone = Set(state.known.keys)
            for action in actions {
                gone.remove(action.id)
                if state.known[action.id] != Self.definition(action) {
                    replace(action.id, with: action, now: now, in: &state)
                    changed += 1
                }
            }
            for id in gone { replace(id, with: nil, now: now, in: &state) }
            return changed + gone.count
        }
        if changed > 0 {
            logger.info("schedules changed elsewhere were tracked again", metadata: ["actions": "\(changed)"])
            wake.signal()
        }
    }

    /// After ``resynchronize()``: compares the schedules, and queues the stored delayed runs not
    /// queued yet (those handed out for firing excepted).
    private func resynchronizeIfAsked() async {
        guard state.withLock({ state in defer { state.resynchronize = false }; return state.resynchronize }) else { return }
        do {
            try await compareSchedules(as: try await store.definitionsVersion())
            let delayed = try await store.pendingDelayedRuns()
            state.withLock { state in
                guard state.term != nil else { return }
                for run in delayed { state.delayed.insertAnnounced(run) }
            }
        } catch {
            logger.warning("schedules and delayed runs could not be compared with the store; retrying", metadata: ["error": "\(error)"])
            state.withLock { if $0.term != nil { $0.resynchronize = true } }
        }
    }

    /// What of `action` its schedules' firing depends on: it without counters and progress.
    private static func definition(_ action: AutomatedAction) -> AutomatedAction {
        var action = action
        action.totalExecutions = 0
        action.consecutiveFailures = 0
        action.nextScheduledRunAt = nil
        for index in action.schedules.indices {
            action.schedules[index].firedAt = nil
            action.schedules[index].nextOccurrence = nil
        }
        return action
    }

    // MARK: Firing

    /// Fires the occurrences of `due` that are due at `instant`: prepared at once, published at
    /// `instant` (now, for those already due).
    private func fire(_ due: [ScheduledEntry], at instant: Date, in term: LeadershipTerm) async {
        // Decided, planned and recorded as of the instant they fire.
        let now = max(clock.now(), instant)
        var batch = RunBatch()
        var toFire: [(entry: ScheduledEntry, occurrence: Date)] = []
        var skipped = RunBatch.Slot()
        var finished: [(entry: ScheduledEntry, due: Date?)] = []
        var progress: [ScheduleProgress] = []
        var missedSchedules: [ScheduleID] = []

        for entry in due {
            // A recorded but unconfirmed occurrence is published again before anything else.
            let decision = entry.retry.map { ScheduleDecision.fire(occurrence: $0, skipped: nil) }
                ?? ScheduleDecision.decide(
                    entry.schedule, policy: entry.definition.missedRunPolicy, firstPending: entry.firstPending,
                    lastFired: entry.lastFired, now: now, grace: configuration.missedRunGrace)
            switch decision {
            case .fire(let occurrence, let missed):
                if let missed {
                    skipped.history += record(missed, of: entry, firedInstead: occurrence, at: now)
                    missedSchedules.append(entry.definition.id)
                }
                var slot = RunBatch.Slot()
                slot.add(planner.plan(
                    entry.action, cause: .schedule(entry.definition.id, occurrence: occurrence),
                    for: .scheduled(entry.definition.id, occurrence: occurrence, of: entry.action), at: now))
                batch.slots.append(slot)
                toFire.append((entry, occurrence))
            case .skip(let missed):
                skipped.history += record(missed, of: entry, firedInstead: nil, at: now)
                missedSchedules.append(entry.definition.id)
                var advanced = entry
                advanced.firstPending = entry.schedule.next(after: missed.last)
                finished.append((advanced, advanced.firstPending))
                progress.append(advanced.progress(fired: false))
            case .wait(let until):
                var advanced = entry
                advanced.firstPending = until
                finished.append((advanced, until))
                if until != entry.firstPending { progress.append(advanced.progress(fired: false)) }
            }
        }
        if !skipped.history.isEmpty {
            batch.slots.append(skipped)
            // One line per chunk: after a long stop every schedule may have missed something.
            logger.notice("schedules missed occurrences while Signalbox was not running; each has a Skipped history entry", metadata: [
                "schedules": "\(missedSchedules.count)", "skipped_entries": "\(skipped.history.count)",
                "first_schedule_ids": "\(missedSchedules.prefix(3).map(\.description))",
            ])
        }
        // Skipped and waiting schedules advance in this chunk's transaction. Fired ones advance
        // once confirmed: that is their settlement, stored by the progress flush, off the path of
        // the occurrences due next.
        batch.scheduleProgress = progress
        guard !batch.slots.isEmpty || !batch.scheduleProgress.isEmpty else {
            finish(finished, progress: [], in: term)
            return
        }

        let results: [SlotResult?]
        do {
            results = try await runPath.runAndWait(
                batch, publisher: publisher, recording: .untilRecorded, publishAt: .at(instant, on: clock),
                timeout: configuration.confirmTimeout
            ).results
        } catch is CancellationError {
            // Stopped (after the shutdown grace), possibly recorded and not published: the
            // stored progress has not moved, so the next start fires them with the same ids.
            finish(due.map { ($0, $0.retry ?? $0.firstPending) }, progress: [], in: term)
            return
        } catch {
            logger.error("schedule runs could not be recorded; retrying", metadata: [
                "occurrences": "\(toFire.count)", "error": "\(error)",
            ])
            // Nothing was recorded or published: everything is decided again after a pause.
            finish(due.map { backingOff($0, now: now) }, progress: [], in: term)
            return
        }

        let confirmedAt = clock.now()
        var confirmed: [ScheduleProgress] = []
        for (index, (entry, occurrence)) in toFire.enumerated() {
            if let result = results[index], result.isDone {
                var advanced = entry
                advanced.lastFired = occurrence
                advanced.retry = nil
                advanced.failures = 0
                advanced.firstPending = entry.schedule.next(after: occurrence)
                finished.append((advanced, advanced.firstPending))
                confirmed.append(advanced.progress(fired: true))
                onFired(.seconds((result.settledAt ?? confirmedAt).timeIntervalSince(occurrence)))
            } else {
                logger.warning("schedule run not confirmed; publishing it again", metadata: [
                    "action_id": "\(entry.action.id)", "schedule_id": "\(entry.definition.id)",
                    "occurrence": "\(occurrence.formatted(.iso8601))",
                    "reason": "\(results[index]?.retryReason ?? "no confirm within \(configuration.confirmTimeout)")",
                ])
                var retried = entry
                retried.retry = occurrence
                finished.append(backingOff(retried, now: now))
            }
        }
        if !confirmed.isEmpty || !skipped.history.isEmpty {
            logger.debug("schedules fired", metadata: ["fired": "\(confirmed.count)", "skipped_entries": "\(skipped.history.count)"])
        }
        finish(finished, progress: confirmed, in: term)
    }

    // MARK: Delayed runs

    /// Dispatches the delayed runs of `due`, due at `instant`: claimed (no longer cancellable),
    /// planned and recorded at once, published at `instant`, marked dispatched once confirmed.
    /// A run not confirmed is tried again after a pause, with the same ids.
    private func fireDelayed(_ due: [DelayedRunDue], at instant: Date, in term: LeadershipTerm) async {
        let now = max(clock.now(), instant)
        let claimed: [DelayedRun]
        do {
            claimed = try await store.claimDelayedRuns(due.map(\.id), at: clock.now())
        } catch {
            logger.error("delayed runs could not be claimed; retrying", metadata: ["runs": "\(due.count)", "error": "\(error)"])
            requeue(due, after: 1, in: term)
            return
        }
        // Runs cancelled (or whose action was deleted) meanwhile are not claimed: they are done.
        var actions: [ActionID: AutomatedAction?] = [:]
        var batch = RunBatch()
        var fired: [DelayedRun] = []
        var paused: [DelayedRunID] = []
        var skipped = RunBatch.Slot()
        for run in claimed {
            if actions[run.actionId] == nil {
                do {
                    actions[run.actionId] = .some(try await store.action(id: run.actionId, tenant: run.tenantId))
                } catch {
                    logger.error("the action of a delayed run could not be read; retrying", metadata: [
                        "run_id": "\(run.id)", "action_id": "\(run.actionId)", "error": "\(error)",
                    ])
                    requeue([run.due], after: 1, in: term)
                    continue
                }
            }
            guard let action = actions[run.actionId] ?? nil else { continue }
            // A retry runs its one item again, a sequence's step its next item; any other run,
            // the whole action.
            let plan =
                run.retry.map { planner.planRetry(run, $0, of: action, at: now) }
                ?? run.step.map { planner.planStep(run, $0, of: action, at: now) }
                ?? planner.plan(action, cause: .delayed(run.id), for: .delayed(run, of: action), at: now)
            // A step of a test run (started by hand) goes on in a draft or paused action.
            if !(run.step.map { action.status.continuesRun(startedBy: $0.triggerType) } ?? action.status.runsAutomatically) {
                // Recorded, not run: history says why.
                skipped.history += plan.history.map { entry in
                    var entry = entry
                    entry.outcome = .skipped
                    entry.dateCompleted = now
                    entry.errorMessage = "the action was \(action.status.rawValue.lowercased()) when the delayed run \(run.id) came due; the run was cancelled"
                    return entry
                }
                paused.append(run.id)
                continue
            }
            var slot = RunBatch.Slot()
            slot.add(plan)
            batch.slots.append(slot)
            fired.append(run)
        }
        if !skipped.history.isEmpty { batch.slots.append(skipped) }
        guard !batch.slots.isEmpty else { return }

        let results: [SlotResult?]
        do {
            results = try await runPath.runAndWait(
                batch, publisher: publisher, recording: .untilRecorded, publishAt: .at(instant, on: clock),
                timeout: configuration.confirmTimeout
            ).results
        } catch is CancellationError {
            // Stopped: claimed and not dispatched, so the next start fires them with the same ids.
            return
        } catch {
            logger.error("delayed runs could not be recorded; retrying", metadata: ["runs": "\(fired.count)", "error": "\(error)"])
            requeue(fired.map(\.due) + claimed.filter { paused.contains($0.id) }.map(\.due), after: 1, in: term)
            return
        }
        let confirmedAt = clock.now()
        if !paused.isEmpty { await finish(paused, as: .cancelled, at: confirmedAt) }
        var dispatched: [DelayedRunID] = []
        var again: [DelayedRunDue] = []
        for (index, run) in fired.enumerated() {
            if let result = results[index], result.isDone {
                dispatched.append(run.id)
                onFired(.seconds((result.settledAt ?? confirmedAt).timeIntervalSince(run.dueAt)))
            } else {
                logger.warning("delayed run not confirmed; publishing it again", metadata: [
                    "run_id": "\(run.id)", "action_id": "\(run.actionId)",
                    "reason": "\(results[index]?.retryReason ?? "no confirm within \(configuration.confirmTimeout)")",
                ])
                again.append(run.due)
            }
        }
        if !again.isEmpty { requeue(again, after: 2, in: term) }
        await finish(dispatched, as: .dispatched, at: confirmedAt)
        logger.debug("delayed runs dispatched", metadata: ["runs": "\(dispatched.count)"])
    }

    /// Stores the runs' end, retrying while the store cannot write: until it does, they stay
    /// claimed (not cancellable), and a restart would fire them again with the same ids.
    private func finish(_ ids: [DelayedRunID], as status: DelayedRunStatus, at date: Date) async {
        guard !ids.isEmpty else { return }
        _ = await StoreBackoff().retrying({ try await store.finishDelayedRuns(ids, as: status, at: date) }) { error, _ in
            logger.warning("delayed runs could not be marked \(status.rawValue); retrying", metadata: ["runs": "\(ids.count)", "error": "\(error)"])
        }
    }

    /// Puts runs back in the queue, due `seconds` from now, unless `term` is over (the next
    /// leader loads them from the store).
    private func requeue(_ runs: [DelayedRunDue], after seconds: TimeInterval, in term: LeadershipTerm) {
        let later = clock.now().addingTimeInterval(seconds)
        state.withLock { state in
            guard state.term == term else { return }
            for var run in runs {
                run.dueAt = max(run.dueAt, later)
                state.delayed.insert(run)
            }
        }
        wake.signal()
    }

    /// Takes the progress not stored yet.
    private func takeProgress() -> [ScheduleProgress] {
        state.withLock { state in
            defer { state.progress = [:] }
            return Array(state.progress.values)
        }
    }

    /// Gives back progress that could not be stored, under anything newer.
    private func restore(_ progress: [ScheduleProgress]) {
        state.withLock { state in
            for step in progress {
                let key = ScheduledEntry.Key(actionId: step.actionId, scheduleId: step.scheduleId)
                if state.progress[key] == nil { state.progress[key] = step }
            }
        }
    }

    /// Puts the entries back in the queue and keeps their progress for ``storeProgress()``,
    /// unless `term` is over: then the queues are another term's (or nobody's).
    private func finish(_ entries: [(entry: ScheduledEntry, due: Date?)], progress: [ScheduleProgress], in term: LeadershipTerm) {
        state.withLock { state in
            guard state.term == term else { return }
            for (entry, due) in entries { state.queue.finish(entry, due: due) }
            for step in progress {
                let key = ScheduledEntry.Key(actionId: step.actionId, scheduleId: step.scheduleId)
                var merged = step
                merged.lastFired = step.lastFired ?? state.progress[key]?.lastFired
                state.progress[key] = merged
            }
        }
        wake.signal()
    }

    /// Stores the progress gathered since the last call, in one transaction of its own (when no
    /// chunk fired to carry it); kept for the next call if the store fails.
    private func storeProgress() async {
        let pending = takeProgress()
        guard !pending.isEmpty else { return }
        do {
            try await runPath.run(RunBatch(scheduleProgress: pending), publisher: publisher, recording: .once) { _, _ in }
        } catch {
            // Until stored, a restart re-fires these occurrences: same ids, history not duplicated.
            logger.warning("schedule progress could not be stored; retrying", metadata: [
                "schedules": "\(pending.count)", "error": "\(error)",
            ])
            restore(pending)
        }
    }

    /// `entry` due again after a pause doubling with each failure: 1 s, 2 s, 4 s … up to the maximum.
    private func backingOff(_ entry: ScheduledEntry, now: Date) -> (entry: ScheduledEntry, due: Date?) {
        var later = entry
        later.failures += 1
        let delay = min(configuration.maximumRetryDelay, pow(2, Double(min(later.failures, 10) - 1)))
        return (later, now.addingTimeInterval(delay))
    }

    /// The `Skipped` entries for `missed` occurrences of `entry`'s schedule.
    private func record(
        _ missed: MissedOccurrences, of entry: ScheduledEntry, firedInstead: Date?, at now: Date
    ) -> [ExecutionHistoryEntry] {
        let explanation = missed.explanation(policy: entry.definition.missedRunPolicy, firedInstead: firedInstead)
        logger.debug("missed schedule occurrences", metadata: [
            "action_id": "\(entry.action.id)", "schedule_id": "\(entry.definition.id)", "detail": "\(explanation)",
        ])
        return planner.skipped(entry.action, schedule: entry.definition.id, missed: missed, explanation: explanation, at: now)
    }
}
