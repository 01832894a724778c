/// A deterministic automaton over ASCII bytes, built once from a literal pattern's program.
///
/// Trigger filters run the same literal patterns against many short ASCII strings (ids,
/// statuses), where the Pike VM's per-character thread bookkeeping dominates. Subset
/// construction up front turns each byte into one table lookup. The state count is capped
/// (patterns like `(a|b)*a(a|b){20}` would otherwise explode); past the cap, or on any
/// non-ASCII input or the empty string, matching falls back to the linear-time Pike VM, so
/// the worst case stays linear.
struct AsciiDFA: Sendable {
    static let maxStates = 256

    private let transitions: [Int32]
    /// The state holds the match instruction (for search: a match has been found).
    private let acceptNow: [Bool]
    /// Reaching the end of input in this state is a match (a pending `$` included).
    private let acceptAtEnd: [Bool]
    private let anchored: Bool

    init?(program: RegexProgram, anchored: Bool) {
        self.anchored = anchored
        var ids: [[Int]: Int32] = [:]
        var states: [[Int]] = []
        let restart = program.closure(of: [0], atStart: false, atEnd: false)
        let initial = program.closure(of: [0], atStart: true, atEnd: false)
        ids[initial] = 0
        states.append(initial)
        var table: [Int32] = []
        var now: [Bool] = []
        var end: [Bool] = []
        var index = 0
        while index < states.count {
            let state = states[index]
            now.append(state.contains { program.isMatch($0) })
            end.append(program.acceptsAtEnd(state))
            for byte in 0..<128 {
                var next = program.step(state, Unicode.Scalar(UInt8(byte)))
                if !anchored { next.append(contentsOf: restart) }
                let closed = program.closure(of: next, atStart: false, atEnd: false)
                if closed.isEmpty {
                    table.append(-1)
                    continue
                }
                if let id = ids[closed] {
                    table.append(id)
                } else {
                    guard states.count < AsciiDFA.maxStates else { return nil }
                    let id = Int32(states.count)
                    ids[closed] = id
                    states.append(closed)
                    table.append(id)
                }
            }
            index += 1
        }
        transitions = table
        acceptNow = now
        acceptAtEnd = end
    }

    /// `nil` when the input is empty or not ASCII (the caller runs the Pike VM instead).
    func run(_ string: String) -> Bool? {
        let result = string.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard !bytes.isEmpty else { return nil }
            var state = 0
            if !anchored && acceptNow[0] { return true }
            for byte in bytes {
                guard byte < 128 else { return nil }
                let next = transitions[state &* 128 &+ Int(byte)]
                if next < 0 { return false }
                state = Int(next)
                if !anchored && acceptNow[state] { return true }
            }
            return acceptAtEnd[state]
        }
        return result ?? nil
    }
}

extension RegexProgram {
    func isMatch(_ pc: Int) -> Bool {
        if case .match = instructions[pc] { return true }
        return false
    }

    /// Threads after consuming `scalar` from each thread of `state`.
    func step(_ state: [Int], _ scalar: Unicode.Scalar) -> [Int] {
        var next: [Int] = []
        for pc in state where consumes(instructions[pc], scalar) { next.append(pc + 1) }
        return next
    }

    /// Sorted, de-duplicated epsilon closure. With `atEnd == false` an `assertEnd` thread stays
    /// in the set (blocked) so `acceptsAtEnd` can resolve it later.
    func closure(of starts: [Int], atStart: Bool, atEnd: Bool) -> [Int] {
        var seen = Set<Int>()
        var result: [Int] = []
        var stack = starts.reversed() as [Int]
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[pc] {
            case .jump(let target): stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertStart:
                if atStart { stack.append(pc + 1) }
            case .assertEnd:
                if atEnd { stack.append(pc + 1) } else { result.append(pc) }
            default:
                result.append(pc)
            }
        }
        return result.sorted()
    }

    func acceptsAtEnd(_ state: [Int]) -> Bool {
        for pc in state {
            switch instructions[pc] {
            case .match:
                return true
            case .assertEnd:
                if closure(of: [pc + 1], atStart: false, atEnd: true).contains(where: isMatch) { return true }
            default:
                break
            }
        }
        return false
    }
}
