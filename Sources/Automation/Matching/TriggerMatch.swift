/// A message trigger whose filter holds for an event, with the action it starts — the snapshot
/// the ``TriggerIndex`` was built from, so planning sees the same items the match was made on.
public struct TriggerMatch: Sendable, Equatable {
    /// Shared with the index: a match costs one reference, not a copy of the action.
    let storage: Storage

    /// The action the trigger belongs to.
    public var action: AutomatedAction { storage.action }
    /// The trigger that matched.
    public var trigger: MessageTrigger { storage.trigger }
    /// Position in the index's (action id, trigger id) order; sorts a result without comparing
    /// UUID strings.
    var rank: Int { storage.rank }
    /// The trigger's `keyFromEvent`, compiled with the index.
    var key: TriggerKey { storage.key }

    public init(action: AutomatedAction, trigger: MessageTrigger) {
        storage = Storage(action: action, trigger: trigger, rank: 0)
    }

    init(storage: Storage) {
        self.storage = storage
    }

    /// Equal when the same trigger of the same action matched (the rank is an index detail).
    public static func == (lhs: TriggerMatch, rhs: TriggerMatch) -> Bool {
        lhs.storage === rhs.storage || (lhs.action == rhs.action && lhs.trigger == rhs.trigger)
    }

    /// Immutable, hence `Sendable` without locks.
    final class Storage: Sendable {
        let action: AutomatedAction
        let trigger: MessageTrigger
        let rank: Int
        let key: TriggerKey

        init(action: AutomatedAction, trigger: MessageTrigger, rank: Int) {
            self.action = action
            self.trigger = trigger
            self.rank = rank
            key = TriggerKey(delay: trigger.delay, cancels: trigger.cancels)
        }
    }
}
