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

    /// Objects scanned per unit when a lookup scans a wide object. Objects keep no key index
    /// (see `JSONObject`): a name looked up in an object of 100,000 members scans them, and a
    /// filter of a thousand such lookups would otherwise cost ~0.1 s per event.
    @inline(__always) static var membersScannedPerUnit: Int { 64 }

    /// Charges a lookup in an object of `width` members: nothing up to `MemberIndex.threshold`
    /// (the scan costs no more than the node visit), width / ``membersScannedPerUnit`` past it.
    /// False once the budget is exhausted.
    @inline(__always)
    mutating func chargeLookup(width: Int) -> Bool {
        if _fastPath(width <= MemberIndex.threshold) { return true }
        return chargeWideLookup(width: width)
    }

    @inline(never)
    private mutating func chargeWideLookup(width: Int) -> Bool {
        spend(width / EvaluationBudget.membersScannedPerUnit)
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
