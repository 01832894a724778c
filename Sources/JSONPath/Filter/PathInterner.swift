import Synchronization

/// Shares compiled paths between the filters compiled inside ``sharing(_:)``: a trigger index
/// compiles each chunk of its filters in one, so `$.item.status` in 5,000 filters is one
/// compiled path, not 5,000. Scoped rather than process-wide: what it holds goes with it.
public final class PathInterner: Sendable {
    @TaskLocal static var current: PathInterner?

    /// Member names compare by their bytes: Swift's `==` on `String` is canonical equivalence,
    /// and JSONPath tells `$['é']` from `$['e\u{301}']`.
    private struct Key: Hashable {
        let elements: [PathElement]
        let relative: Bool

        static func == (a: Key, b: Key) -> Bool {
            a.relative == b.relative && a.elements.count == b.elements.count
                && zip(a.elements, b.elements).allSatisfy { x, y in
                    switch (x, y) {
                    case (.name(let m), .name(let n)): m.utf8.elementsEqual(n.utf8)
                    case (.index(let i), .index(let j)): i == j
                    default: false
                    }
                }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(relative)
            for element in elements {
                switch element {
                case .name(var name):
                    hasher.combine(0 as UInt8)
                    name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                case .index(let index):
                    hasher.combine(1 as UInt8)
                    hasher.combine(index)
                }
            }
        }
    }

    private let paths = Mutex<[Key: CompiledPath]>([:])

    public init() {}

    /// Runs `body` with this interner sharing the paths of every filter it compiles.
    public func sharing<Result>(_ body: () throws -> Result) rethrows -> Result {
        try Self.$current.withValue(self) { try body() }
    }

    func path(_ elements: [PathElement], relative: Bool) -> CompiledPath {
        let key = Key(elements: elements, relative: relative)
        return paths.withLock { paths in
            if let known = paths[key] { return known }
            let path = CompiledPath(elements, relative: relative)
            paths[key] = path
            return path
        }
    }
}
