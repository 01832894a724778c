/// A growable stack that hands its top elements over by moving them (no retain/release per
/// element), used by the parser to collect array elements and object members of every nesting
/// level in one buffer.
///
/// A struct with an explicit ``release()`` rather than a class with `deinit`: instantiating a
/// generic class looks up its metadata at run time, which showed up at several percent of a
/// 1 KB parse. The owner (``JSONParser``) releases it in a `defer`.
struct ScratchStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
    }

    /// Frees the buffer and any elements still on it; the stack must not be used afterwards.
    func release() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    func withElements<R>(from start: Int, _ body: (UnsafeBufferPointer<Element>) -> R) -> R {
        body(UnsafeBufferPointer(start: base + start, count: count - start))
    }

    /// Changes the element at `index` in place (the parser overwrites a repeated key's value).
    @inline(__always)
    mutating func modify(at index: Int, _ body: (inout Element) -> Void) {
        body(&(base + index).pointee)
    }

    /// Moves the elements from `start` to the top into a new array and pops them.
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        let result = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: base + start, count: n)
            initialized = n
        }
        count = start
        return result
    }

    /// Drops the elements from `start` (error paths).
    mutating func truncate(to start: Int) {
        guard count > start else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
