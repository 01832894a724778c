import Foundation
import JSONPath

extension TriggerIndex {
    /// Collects triggers, then orders them and chooses each one's key predicate.
    struct Builder {
        private struct Pending {
            let matcher: FilterMatcher
            /// The filter's distinct top-level equality predicates: candidates for its key.
            let predicates: [EqualityPredicate]
            let trigger: MessageTrigger
            let action: AutomatedAction
            let partition: PartitionKey
            /// (action id, trigger id) as big-endian words: the same order as their lowercase
            /// UUID strings, without building strings.
            let order: (UInt64, UInt64, UInt64, UInt64)
        }

        private var pending: [Pending] = []
        private var skipped: [SkippedTrigger] = []

        mutating func add(_ action: AutomatedAction) {
            add(action, compiled: action.messageTriggers.map { Self.compile($0, of: action) })
        }

        /// Adds `action` with its triggers' filters compiled already, in trigger order.
        mutating func add(_ action: AutomatedAction, compiled: [Compiled]) {
            for (trigger, outcome) in zip(action.messageTriggers, compiled) {
                let matcher: FilterMatcher, predicates: [EqualityPredicate]
                switch outcome {
                case .filter(let compiledMatcher, let compiledPredicates):
                    (matcher, predicates) = (compiledMatcher, compiledPredicates)
                case .skipped(let reason):
                    skipped.append(
                        SkippedTrigger(tenantId: action.tenantId, actionId: action.id, triggerId: trigger.id, reason: reason)
                    )
                    continue
                }
                let a = Self.words(action.id.rawValue)
                let t = Self.words(trigger.id.rawValue)
                pending.append(
                    Pending(
                        matcher: matcher,
                        predicates: predicates,
                        trigger: trigger,
                        action: action,
                        partition: PartitionKey(tenant: action.tenantId, type: trigger.triggerType),
                        order: (a.0, a.1, t.0, t.1)
                    )
                )
            }
        }

        consuming func build() -> TriggerIndex {
            // Positions in `pending`, sorted: moving whole actions around would cost more.
            let sorted = pending.indices.sorted { pending[$0].order < pending[$1].order }
            let entries = sorted.enumerated().map { slot, position in
                let item = pending[position]
                return Entry(
                    matcher: item.matcher,
                    match: TriggerMatch.Storage(action: item.action, trigger: item.trigger, rank: slot)
                )
            }

            var members: [PartitionKey: [Int32]] = [:]
            for (slot, position) in sorted.enumerated() {
                members[pending[position].partition, default: []].append(Int32(slot))
            }
            var partitions: [PartitionKey: Partition] = [:]
            var statistics = Statistics(triggers: entries.count, partitions: members.count, skipped: skipped.count)
            for (key, slots) in members {
                let partition = Self.partition(slots) { pending[sorted[Int($0)]].predicates }
                partitions[key] = partition
                statistics.unindexed += partition.unindexed.count
                statistics.largestUnindexed = max(statistics.largestUnindexed, partition.unindexed.count)
                statistics.indexedPaths += partition.paths.count
                for indexed in partition.paths {
                    for bucket in indexed.buckets {
                        statistics.buckets += 1
                        statistics.indexed += bucket.count
                        statistics.largestBucket = max(statistics.largestBucket, bucket.count)
                    }
                }
            }
            return TriggerIndex(
                entries: entries,
                partitions: partitions,
                skipped: skipped,
                statistics: statistics
            )
        }

        /// Files each trigger of one partition under its most selective equality predicate.
        ///
        /// Selectivity is measured on the definitions, not on traffic: the predicate shared by
        /// the fewest triggers makes the smallest bucket (`appId == 'app-7'` over
        /// `status == 'Finished'`). Ties go to the path more triggers constrain, so the partition
        /// ends up with few paths to read per event, then to the path and literal text, so the
        /// same definitions always give the same index.
        /// `predicatesOf(slot)` is the distinct equality predicates of the trigger in `slot`.
        private static func partition(_ slots: [Int32], _ predicatesOf: (Int32) -> [EqualityPredicate]) -> Partition {
            // Paths and (path, literal) pairs are numbered once each, so counting and choosing
            // hash a path or a literal once per predicate, not at every comparison.
            // Keys compare member names by bytes: `$['é']` and `$['e\u{301}']` are two paths.
            var pathNumbers: [[ExactText]: Int] = [:]
            var paths: [[String]] = []
            var pathCounts: [Int] = []
            var pairNumbers: [Pair: Int] = [:]
            var pairs: [(path: Int, value: JSONValue)] = []
            var pairCounts: [Int] = []
            // Each slot's candidate pairs, flattened: slot i has candidates[ends[i - 1]..<ends[i]].
            var candidates: [Int] = []
            var ends: [Int] = []
            ends.reserveCapacity(slots.count)
            for slot in slots {
                let first = candidates.count
                for predicate in predicatesOf(slot) {
                    let path: Int
                    if let known = pathNumbers[predicate.path.map(ExactText.init)] {
                        path = known
                    } else {
                        path = paths.count
                        pathNumbers[predicate.path.map(ExactText.init)] = path
                        paths.append(predicate.path)
                        pathCounts.append(0)
                    }
                    // A path constrained twice by one filter counts once for it.
                    if !candidates[first...].contains(where: { pairs[$0].path == path }) { pathCounts[path] += 1 }
                    let key = Pair(path: path, value: predicate.value)
                    let pair: Int
                    if let known = pairNumbers[key] {
                        pair = known
                    } else {
                        pair = pairs.count
                        pairNumbers[key] = pair
                        pairs.append((path, predicate.value))
                        pairCounts.append(0)
                    }
                    pairCounts[pair] += 1
                    candidates.append(pair)
                }
                ends.append(candidates.count)
            }

            func precedes(_ a: Int, _ b: Int) -> Bool {
                if pairCounts[a] != pairCounts[b] { return pairCounts[a] < pairCounts[b] }
                let (pa, pb) = (pairs[a].path, pairs[b].path)
                if pathCounts[pa] != pathCounts[pb] { return pathCounts[pa] > pathCounts[pb] }
                if pa != pb { return paths[pa].lexicographicallyPrecedes(paths[pb]) }
                return pairs[a].value.jsonText < pairs[b].value.jsonText
            }

            var byPath: [Int: IndexedPath] = [:]
            var unindexed: [Int32] = []
            var start = 0
            for (slot, end) in zip(slots, ends) {
                defer { start = end }
                guard start < end else {
                    unindexed.append(slot)
                    continue
                }
                var best = candidates[start]
                for candidate in candidates[(start + 1)..<end] where precedes(candidate, best) { best = candidate }
                let path = pairs[best].path
                byPath[path, default: IndexedPath(path: paths[path])].insert(slot, for: pairs[best].value)
            }
            var indexed = byPath.values.sorted { $0.path.lexicographicallyPrecedes($1.path) }
            for i in indexed.indices.dropFirst()
            where indexed[i].path.dropLast().map(ExactText.init) == indexed[i - 1].path.dropLast().map(ExactText.init) {
                indexed[i].sharesParentWithPrevious = true
            }
            return Partition(paths: indexed, unindexed: unindexed)
        }

        /// A (path number, literal) pair of a partition.
        private struct Pair: Hashable {
            let path: Int
            let value: JSONValue
        }

        /// The trigger's filter, or why the trigger takes no part in matching.
        static func compile(
            _ trigger: MessageTrigger,
            of action: AutomatedAction
        ) -> Compiled {
            guard action.status == .active else { return .skipped(.actionPaused) }
            guard trigger.isEnabled else { return .skipped(.triggerDisabled) }
            do {
                let filter = try trigger.compiledFilter()
                var unique: [EqualityPredicate] = []
                for predicate in filter.equalityPredicates where !unique.contains(predicate) { unique.append(predicate) }
                return .filter(filter.matcher, unique)
            } catch {
                return .skipped(.invalidFilter(error.description))
            }
        }

        enum Compiled: Sendable {
            case filter(FilterMatcher, [EqualityPredicate])
            case skipped(SkippedTrigger.Reason)
        }

        /// A UUID's 16 bytes as two big-endian words.
        private static func words(_ uuid: UUID) -> (UInt64, UInt64) {
            let u = uuid.uuid
            let high = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7].reduce(0) { $0 << 8 | UInt64($1) }
            let low = [u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15].reduce(0) { $0 << 8 | UInt64($1) }
            return (high, low)
        }
    }
}
