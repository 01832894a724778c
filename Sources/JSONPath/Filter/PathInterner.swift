import Synchronization

/// Shares compiled paths between the filters compiled inside ``sharing(_:)``: a trigger index
/// compiles each chunk of its filters in one, so `$.item.status` in 5,000 filters is one
/// compiled path, not 5,000. Scoped rather than process-wide: what it holds goes with it.
public final class PathInterner: Sendable {
    @TaskLocal static var current: PathInterner?

    /// Member names compare by their bytes (``ExactText``), as JSONPath compares them.
    private struct Key: Hashable {
        enum Step: Hashable {
            case name(ExactText)
            case index(Int)
        }

        let steps: [Step]
        let relative: Bool

        init(_ elements: [PathElement], relative: Bool) {
            steps = elements.map { element in
                switch element {
                case .name(let name): .name(ExactText(name))
                case .index(let index): .index(index)
                }
            }
            self.relative = relative
        }
    }

    private let paths = Mutex<[Key: CompiledPath]>([:])

    public init() {}

    /// Runs `body` with this interner sharing the paths of every filter it compiles.
    public func sharing<Result>(_ body: () throws -> Result) rethrows -> Result {
        try Self.$current.withValue(self) { try body() }
    }

    func path(_ elements: [PathElement], relative: Bool) -> CompiledPath {
        let key = Key(elements, relative: relative)
        return paths.withLock { paths in
            if let known = paths[key] { return known }
            let path = CompiledPath(elements, relative: relative)
            paths[key] = path
            return path
        }
    }
}
