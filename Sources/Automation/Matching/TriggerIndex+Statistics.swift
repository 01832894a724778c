extension TriggerIndex {
    /// The shape of an index, for the log line written when it is rebuilt and for benchmarks.
    public struct Statistics: Hashable, Sendable, CustomStringConvertible {
        /// Triggers indexed (``indexed`` + ``unindexed``).
        public var triggers: Int
        /// Distinct (tenant, trigger type) pairs.
        public var partitions: Int
        /// Triggers filed under a key predicate: evaluated only when the event has the key value.
        public var indexed: Int
        /// Triggers with no equality predicate: evaluated for every event of their partition.
        public var unindexed: Int
        /// Key paths summed over partitions: the lookups an event costs at most.
        public var indexedPaths: Int
        /// Distinct (path, literal) buckets summed over partitions.
        public var buckets: Int
        /// The most triggers in one bucket: the worst candidate count from the keyed triggers.
        public var largestBucket: Int
        /// The most unindexed triggers in one partition: evaluated for each of its events.
        public var largestUnindexed: Int
        /// Triggers left out (see ``TriggerIndex/skipped``).
        public var skipped: Int

        public init(
            triggers: Int = 0,
            partitions: Int = 0,
            indexed: Int = 0,
            unindexed: Int = 0,
            indexedPaths: Int = 0,
            buckets: Int = 0,
            largestBucket: Int = 0,
            largestUnindexed: Int = 0,
            skipped: Int = 0
        ) {
            self.triggers = triggers
            self.partitions = partitions
            self.indexed = indexed
            self.unindexed = unindexed
            self.indexedPaths = indexedPaths
            self.buckets = buckets
            self.largestBucket = largestBucket
            self.largestUnindexed = largestUnindexed
            self.skipped = skipped
        }

        public var description: String {
            "triggers=\(triggers) partitions=\(partitions) indexed=\(indexed) unindexed=\(unindexed) "
                + "paths=\(indexedPaths) buckets=\(buckets) largestBucket=\(largestBucket) "
                + "largestUnindexed=\(largestUnindexed) skipped=\(skipped)"
        }
    }
}
