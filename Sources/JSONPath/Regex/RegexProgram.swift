/// The NFA program and its Pike-VM simulation.
///
/// Each input scalar advances every live thread once; threads are deduplicated per position,
/// so the work per scalar is bounded by the program size whatever the pattern — there is no
/// backtracking and no exponential case.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        case scalar(UInt32)
        case any
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    private(set) var instructions: [Instruction] = []
    private(set) var sets: [ScalarSet] = []
    private let maxSize: Int

    init(compiling tree: RegexNode, maxSize: Int) throws(IRegexpError) {
        self.maxSize = maxSize
        try emit(tree)
        try append(.match)
    }

    private mutating func append(_ instruction: Instruction) throws(IRegexpError) {
        guard instructions.count < maxSize else {
            throw IRegexpError("pattern too large (over \(maxSize) instructions after expanding repetitions)", at: 0)
        }
        instructions.append(instruction)
    }

    private mutating func emit(_ node: RegexNode) throws(IRegexpError) {
        switch node {
        case .empty:
            break
        case .scalar(let s):
            try append(.scalar(s.value))
        case .any:
            try append(.any)
        case .set(let set):
            sets.append(set)
            try append(.set(sets.count - 1))
        case .concat(let parts):
            for part in parts { try emit(part) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = instructions.count
                    try append(.split(split + 1, -1))
                    try emit(branch)
                    jumpsToEnd.append(instructions.count)
                    try append(.jump(-1))
                    instructions[split] = .split(split + 1, instructions.count)
                } else {
                    try emit(branch)
                }
            }
            for j in jumpsToEnd { instructions[j] = .jump(instructions.count) }
        case .repetition(let inner, let min, let max):
            for _ in 0..<min { try emit(inner) }
            if let max {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(instructions.count)
                    try append(.split(instructions.count + 1, -1))
                    try emit(inner)
                }
                for s in splits { instructions[s] = .split(s + 1, instructions.count) }
            } else {
                let loop = instructions.count
                try append(.split(loop + 1, -1))
                try emit(inner)
                try append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
            }
        case .startAnchor:
            try append(.assertStart)
        case .endAnchor:
            try append(.assertEnd)
        }
    }

    /// Runs the program; `anchored` requires the match to span the whole input.
    /// Runs the program over `input`; `steps` counts the threads stepped (one per live thread
    /// per input scalar). Past `maxSteps` it stops: `matched` is nil.
    func run(_ input: String.UnicodeScalarView, anchored: Bool, maxSteps: Int = .max) -> (matched: Bool?, steps: Int) {
        var steps = 0
        let count = instructions.count
        var marks = [Int](repeating: 0, count: count)
        var generation = 1
        var current: [Int] = []
        var next: [Int] = []
        var stack: [Int] = []
        current.reserveCapacity(count)
        next.reserveCapacity(count)

        var index = input.startIndex
        let end = input.endIndex
        var atStart = true
        while true {
            let atEnd = index == end
            if atStart || !anchored {
                addThread(0, to: &current, marks: &marks, generation: generation, atStart: atStart, atEnd: atEnd, stack: &stack)
            }
            if current.isEmpty && anchored { return (false, steps) }
            for pc in current {
                if case .match = instructions[pc] {
                    if !anchored || atEnd { return (true, steps) }
                }
            }
            if atEnd { return (false, steps) }
            steps &+= current.count
            if steps > maxSteps { return (nil, steps) }
            let scalar = input[index]
            index = input.index(after: index)
            let nextAtEnd = index == end
            generation += 1
            next.removeAll(keepingCapacity: true)
            for pc in current where consumes(instructions[pc], scalar) {
                addThread(pc + 1, to: &next, marks: &marks, generation: generation, atStart: false, atEnd: nextAtEnd, stack: &stack)
            }
            swap(&current, &next)
            atStart = false
        }
    }

    @inline(__always)
    func consumes(_ instruction: Instruction, _ scalar: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let v): return scalar.value == v
        case .any: return scalar != "\n" && scalar != "\r"
        case .set(let i): return sets[i].contains(scalar)
        default: return false
        }
    }

    /// Follows epsilon edges (splits, jumps, satisfied assertions) without recursion.
    private func addThread(
        _ start: Int,
        to list: inout [Int],
        marks: inout [Int],
        generation: Int,
        atStart: Bool,
        atEnd: Bool,
        stack: inout [Int]
    ) {
        stack.append(start)
        while let pc = stack.popLast() {
            if marks[pc] == generation { continue }
            marks[pc] = generation
            switch instructions[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertStart:
                if atStart { stack.append(pc + 1) }
            case .assertEnd:
                if atEnd { stack.append(pc + 1) }
            default:
                list.append(pc)
            }
        }
    }
}
