/// The work one evaluation of a query or filter may do, counted in nodes visited (and, for
/// nested-filter candidates, the comparisons the filter can make on each).
///
/// Without a bound, a few bytes of query (`$..*..*..*..*..*`) over a deeply nested document
/// select on the order of depth⁵ nodes. Each unit is charged before the work it pays for; once
/// the budget is spent every loop of the evaluation stops, whatever it was deciding, and the
/// entry point reports ``EvaluationBudgetExceeded`` — never the abandoned `true` or `false`.
/// (A flag rather than a thrown error inside: checking for an error after every call of the
/// compiled program cost up to 5% on filters that never spend a unit.)
public struct EvaluationBudget: Sendable {
    /// The limit of every evaluation entry point unless told otherwise. Inlinable (not a
    /// stored `static let`): a default argument is evaluated by the caller, and reading another
    /// module's stored global costs a lazy-initialisation check on every evaluation.
    @inlinable public static var defaultLimit: Int { 100_000 }

    let limit: Int
    private(set) var remaining: Int

    init(limit: Int) {
        self.limit = limit
        remaining = limit
    }

    /// Whether the work done passed the limit; the entry point then throws.
    @inline(__always) var isExhausted: Bool { remaining < 0 }

    /// Takes `units`; false once the budget is exhausted (the caller stops).
    @inline(__always)
    mutating func spend(_ units: Int = 1) -> Bool {
        remaining &-= units
        return remaining >= 0
    }

    /// The outcome of an evaluation that produced `result` under this budget. Call it once the
    /// evaluation is done (`meter.check(evaluate(&meter))` would read the budget before it).
    @inline(__always)
    func check<T>(_ result: T) throws(EvaluationBudgetExceeded) -> T {
        if isExhausted { throw EvaluationBudgetExceeded(limit: limit) }
        return result
    }
}

/// An evaluation stopped because it reached its ``EvaluationBudget``.
public struct EvaluationBudgetExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    /// The budget that was exhausted, in nodes visited and comparisons.
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public var description: String {
        "the evaluation exceeded its work budget of \(limit) nodes visited and comparisons"
    }
}
