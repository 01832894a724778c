import JSONPath
import Synchronization

extension TriggerIndex {
    /// Builds an index from actions handed over in chunks while the rest is still being read:
    /// each chunk's filters start compiling at once on the task pool, so at start-up compiling
    /// overlaps reading instead of following it. Chunks keep the order they were added in.
    public final class Assembly: Sendable {
        private struct Part {
            let actions: [AutomatedAction]
            let compiled: Task<[[Builder.Compiled]], Never>
        }

        private let parts = Mutex<[Part]>([])

        public init() {}

        /// Starts compiling the filters of `chunk`.
        public func add(_ chunk: [AutomatedAction]) {
            let compiled = Task {
                // Given up (the read failed): nothing to compile.
                if Task.isCancelled { return [[Builder.Compiled]]() }
                return PathInterner().sharing {
                    chunk.map { action in action.messageTriggers.map { Builder.compile($0, of: action) } }
                }
            }
            parts.withLock { $0.append(Part(actions: chunk, compiled: compiled)) }
        }

        /// Stops compiling what has not started, when the build is given up.
        public func cancel() {
            for part in parts.withLock({ $0 }) { part.compiled.cancel() }
        }

        /// Every action added so far, in order.
        public var actions: [AutomatedAction] {
            parts.withLock { $0.flatMap(\.actions) }
        }

        /// The index of every action added, once their filters are compiled.
        public func build() async -> TriggerIndex {
            var builder = Builder()
            for part in parts.withLock({ $0 }) {
                for (action, filters) in zip(part.actions, await part.compiled.value) {
                    builder.add(action, compiled: filters)
                }
            }
            return builder.build()
        }
    }
}
