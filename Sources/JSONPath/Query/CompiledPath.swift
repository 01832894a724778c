import Synchronization

/// A singular query's steps, ready for a direct walk.
final class CompiledPath: Sendable {
    enum Step: Sendable {
        case name(String, fingerprint: UInt64)
        case index(Int)
    }

    let steps: [Step]
    let relative: Bool

    /// The compiled path for `elements`, the same object for every filter that names the same
    /// path (`$.item.status` in 100,000 trigger filters is one path, not 100,000).
    static func shared(_ elements: [PathElement], relative: Bool) -> CompiledPath {
        let key = Key(elements: elements, relative: relative)
        if let known = cache.withLock({ $0[key] }) { return known }
        let path = CompiledPath(elements, relative: relative)
        return cache.withLock { cache in
            if let known = cache[key] { return known }
            // Bounded: past the limit, paths are compiled each time instead of remembered.
            if cache.count < 4096 { cache[key] = path }
            return path
        }
    }

    /// Names compare by their bytes: Swift's `==` on `String` is canonical equivalence, and
    /// JSONPath tells `$['é']` from `$['e\u{301}']`.
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

    private static let cache = Mutex<[Key: CompiledPath]>([:])

    init(_ elements: [PathElement], relative: Bool) {
        steps = elements.map { element in
            switch element {
            case .name(let n): return .name(n, fingerprint: JSONObject.fingerprint(of: n))
            case .index(let i): return .index(i)
            }
        }
        self.relative = relative
    }

    @inline(__always)
    func resolve(_ root: JSONValue, _ current: JSONValue) -> JSONValue? {
        var value = relative ? current : root
        for step in steps {
            switch step {
            case .name(let name, let fingerprint):
                guard case .object(let object) = value, let i = object.index(forKey: name, fingerprint: fingerprint) else { return nil }
                value = object.members[i].value
            case .index(let index):
                guard case .array(let elements) = value else { return nil }
                let i = index < 0 ? elements.count + index : index
                guard i >= 0 && i < elements.count else { return nil }
                value = elements[i]
            }
        }
        return value
    }
}
