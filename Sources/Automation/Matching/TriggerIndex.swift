import Foundation
import JSONPath

/// The enabled message triggers of active actions, indexed so an event is tested against few of
/// them (DESIGN "Match"). Immutable: the pipeline builds a new index when definitions change and
/// swaps it in; matching needs no lock.
///
/// ## Strategy
/// 1. **Partition** by (tenant, trigger type): an event only ever meets its own tenant's triggers
///    of its own type, found with one dictionary lookup.
/// 2. **Key predicate**: every `path == literal` condition of a filter's top-level `&&` chain
///    (``JSONPath/TriggerFilter/equalityPredicates``) must hold for the filter to hold. Each
///    trigger with at least one is filed under exactly one of them — the most selective: the
///    `(path, literal)` shared by the fewest triggers of the partition, ties going to the path
///    more triggers use (fewer distinct paths, fewer lookups per event). So
///    `$.item.status == 'Finished' && $.item.appId == 'app-7'` is filed under `appId` when
///    appIds are spread out, and under `status` only when nothing better exists.
/// 3. Per partition the index keeps `[path: [literal: [trigger]]]`. For an event it reads each
///    indexed path once from the body (member names only, no query engine) and takes the one
///    bucket whose literal equals that value (``JSONPath/JSONValue`` hashing follows JSONPath
///    equality, so `1234` finds `1234.0`).
/// 4. Only those candidates, plus the partition's triggers with no equality predicate (`||`,
///    `!`, ranges), have their full filter evaluated, each within a work budget
///    (``JSONPath/EvaluationBudget``): a trigger over it does not match and is reported to the
///    caller, and the others are evaluated as usual.
///
/// ## Cost per event
/// `O(P·d + C·f + U·f + m log m)`: `P` indexed paths of the partition (typically 1–3, each of
/// depth `d`), `C` candidates in the matched buckets, `U` unindexed triggers, `f` the cost of one
/// filter, `m` matches. The number of triggers `T` enters only through `C` and `U`: with 100,000
/// triggers keyed on distinct appIds, an event costs a few lookups and about one evaluation.
/// Building is `O(T·k)` for `k` predicates per filter, plus compiling every filter once.
/// Matching allocates nothing but the result array.
public struct TriggerIndex: Sendable {
    /// One indexed trigger. Positions in ``entries`` (slots) follow (action id, trigger id).
    struct Entry: Sendable {
        let matcher: FilterMatcher
        /// What a match returns, built once.
        let match: TriggerMatch.Storage
    }

    /// The triggers of one (tenant, trigger type).
    struct Partition: Sendable {
        /// Keyed triggers, by key path.
        var paths: [IndexedPath]
        /// Triggers with no equality predicate: evaluated for every event of the partition.
        /// (Slots are `Int32` throughout: half the memory of `Int` in every bucket, and two
        /// billion triggers is far beyond any store.)
        var unindexed: [Int32]
    }

    struct PartitionKey: Hashable, Sendable {
        let tenant: TenantID
        let type: TriggerType
    }

    let entries: [Entry]
    let partitions: [PartitionKey: Partition]

    /// Triggers left out (paused action, disabled trigger, filter that does not compile).
    public let skipped: [SkippedTrigger]
    /// Sizes, for logs and benchmarks.
    public let statistics: Statistics

    /// Indexes the enabled message triggers of the active actions among `actions`.
    public init(actions: [AutomatedAction]) {
        var builder = Builder()
        PathInterner().sharing {
            for action in actions { builder.add(action) }
        }
        self = builder.build()
    }

    /// ``init(actions:)`` with the filters compiled on up to `parallelism` tasks of at least
    /// `minimumPart` actions each (the build's largest cost after reading the definitions:
    /// start-up compiles every filter of every tenant).
    public static func building(
        _ actions: [AutomatedAction],
        parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
        minimumPart: Int = 1_000
    ) async -> TriggerIndex {
        let parts = max(1, min(parallelism, actions.count / max(1, minimumPart)))
        let assembly = Assembly()
        for part in 0..<parts {
            assembly.add(Array(actions[part * actions.count / parts..<(part + 1) * actions.count / parts]))
        }
        return await assembly.build()
    }

    init(
        entries: [Entry],
        partitions: [PartitionKey: Partition],
        skipped: [SkippedTrigger],
        statistics: Statistics
    ) {
        self.entries = entries
        self.partitions = partitions
        self.skipped = skipped
        self.statistics = statistics
    }

    /// How many triggers are indexed.
    public var count: Int { entries.count }

    /// The triggers whose filter holds for `event`, ordered by action id then trigger id.
    /// Schedule and manual events (no ``Event/triggerType``) match nothing.
    public func matches(_ event: Event) -> [TriggerMatch] {
        var evaluations = 0
        return matches(event, evaluations: &evaluations)
    }

    /// ``matches(_:)``, adding to `evaluations` the number of filters evaluated — what the index
    /// saves over evaluating all ``count`` triggers (tests and benchmarks).
    public func matches(_ event: Event, evaluations: inout Int) -> [TriggerMatch] {
        var overBudget: [TriggerMatch] = []
        return matches(event, evaluations: &evaluations, overBudget: &overBudget)
    }

    /// ``matches(_:evaluations:)`` with each filter evaluation limited to `budget` nodes visited
    /// and comparisons (``JSONPath/EvaluationBudget``). A trigger whose filter exceeds it does
    /// not match; it is appended to `overBudget` (for the caller's counter and log) and the
    /// other triggers are still evaluated.
    public func matches(
        _ event: Event, budget: Int = EvaluationBudget.defaultLimit, evaluations: inout Int, overBudget: inout [TriggerMatch]
    ) -> [TriggerMatch] {
        guard let type = event.triggerType,
            let partition = partitions[PartitionKey(tenant: event.tenantId, type: type)]
        else { return [] }
        var result: [TriggerMatch] = []
        let body = event.body
        var parent: JSONValue?
        for indexed in partition.paths {
            // Paths are sorted, so `$.item.appId` and `$.item.status` are neighbours and `item`
            // is looked up once.
            if !indexed.sharesParentWithPrevious { parent = IndexedPath.value(at: indexed.parent, in: body) }
            guard let parent, let value = indexed.leafValue(in: parent), let bucket = indexed.bucket(for: value)
            else { continue }
            evaluate(bucket, body, budget, &result, &evaluations, &overBudget)
        }
        evaluate(partition.unindexed, body, budget, &result, &evaluations, &overBudget)
        if result.count > 1 { result.sort { $0.rank < $1.rank } }
        return result
    }

    /// Evaluates the filters of `slots`, appending the matches. Each trigger sits in exactly one
    /// bucket or in the unindexed list, and an event selects at most one bucket per path, so no
    /// trigger is evaluated twice.
    @inline(__always)
    private func evaluate(
        _ slots: [Int32],
        _ body: JSONValue,
        _ budget: Int,
        _ result: inout [TriggerMatch],
        _ evaluations: inout Int,
        _ overBudget: inout [TriggerMatch]
    ) {
        evaluations += slots.count
        for slot in slots {
            // Subscripting in place (not `let entry = entries[i]`) keeps the entry's references
            // from being retained and released for every candidate.
            let i = Int(slot)
            do {
                if try entries[i].matcher.evaluate(body, budget: budget) {
                    result.append(TriggerMatch(storage: entries[i].match))
                }
            } catch {
                overBudget.append(TriggerMatch(storage: entries[i].match))
            }
        }
    }
}
