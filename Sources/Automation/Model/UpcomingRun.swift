import Foundation

/// One future run of one schedule: a row of the calendar view (seed 001 "upcoming").
public struct UpcomingRun: Hashable, Sendable, Codable {
    public var actionId: ActionID
    public var actionName: String
    public var namespace: NamespaceName
    public var scheduleId: ScheduleID
    public var scheduleName: String
    /// When the run is due.
    public var scheduledAt: Date

    public init(
        actionId: ActionID,
        actionName: String,
        namespace: NamespaceName,
        scheduleId: ScheduleID,
        scheduleName: String,
        scheduledAt: Date
    ) {
        self.actionId = actionId
        self.actionName = actionName
        self.namespace = namespace
        self.scheduleId = scheduleId
        self.scheduleName = scheduleName
        self.scheduledAt = scheduledAt
    }
}
