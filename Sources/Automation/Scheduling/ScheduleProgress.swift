import Foundation

/// Where one schedule stands after the scheduler handled its due occurrences (see
/// ``RunHistoryStore/recordScheduleProgress(_:)``).
public struct ScheduleProgress: Hashable, Sendable {
    public var actionId: ActionID
    public var scheduleId: ScheduleID
    /// The occurrence that fired, once its commands were confirmed; nil when none fired (all
    /// were skipped), which leaves the stored one as it was.
    public var lastFired: Date?
    /// The first occurrence not handled yet; nil when the schedule never fires again.
    public var nextOccurrence: Date?

    public init(actionId: ActionID, scheduleId: ScheduleID, lastFired: Date?, nextOccurrence: Date?) {
        self.actionId = actionId
        self.scheduleId = scheduleId
        self.lastFired = lastFired
        self.nextOccurrence = nextOccurrence
    }
}
