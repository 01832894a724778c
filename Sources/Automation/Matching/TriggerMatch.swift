/// A message trigger whose filter holds for an event, with the action it starts — the snapshot
/// the ``TriggerIndex`` was built from, so planning sees the same items the match was made on.
public struct TriggerMatch: Sendable, Equatable {
    public let action: AutomatedAction
    public let trigger: MessageTrigger
    /// Position in the index's (action id, trigger id) order; sorts a result without comparing
    /// UUID strings.
    let rank: Int

    public init(action: AutomatedAction, trigger: MessageTrigger) {
        self.init(action: action, trigger: trigger, rank: 0)
    }

    init(action: AutomatedAction, trigger: MessageTrigger, rank: Int) {
        self.action = action
        self.trigger = trigger
        self.rank = rank
    }

    /// Equal when the same trigger of the same action matched (the rank is an index detail).
    public static func == (lhs: TriggerMatch, rhs: TriggerMatch) -> Bool {
        lhs.action == rhs.action && lhs.trigger == rhs.trigger
    }
}
