/// Which history entries of an action a listing includes (`GET …/history?outcome=&triggerType=`):
/// every field that is set must hold. Stores apply it in their query, before paging, so a page
/// is full whatever the filter.
public struct HistoryFilter: Hashable, Sendable {
    public var outcome: ExecutionOutcome?
    public var triggerType: ExecutionTriggerType?

    public init(outcome: ExecutionOutcome? = nil, triggerType: ExecutionTriggerType? = nil) {
        self.outcome = outcome
        self.triggerType = triggerType
    }

    /// Whether `entry` passes the filter.
    public func includes(_ entry: ExecutionHistoryEntry) -> Bool {
        (outcome == nil || entry.outcome == outcome) && (triggerType == nil || entry.triggerType == triggerType)
    }
}
