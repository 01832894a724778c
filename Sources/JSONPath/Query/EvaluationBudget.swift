/// The work one evaluation of a query or filter may do, counted in nodes visited and
/// comparisons made.
///
/// Without a bound, a few bytes of query (`$..*..*..*..*..*`) over a deeply nested document
/// select on the order of depth⁵ nodes. Each unit is charged before the work it pays for, so an
/// evaluation stops within one unit of its limit and reports ``EvaluationBudgetExceeded`` — never
/// a silent `false`.
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

    /// Units spent so far.
    var spent: Int { limit - remaining }

    @inline(__always)
    mutating func spend(_ units: Int = 1) throws(EvaluationBudgetExceeded) {
        remaining &-= units
        if remaining < 0 { throw EvaluationBudgetExceeded(limit: limit) }
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
