import JSONPath

/// An event-driven trigger of an action: a ProcessUpdated event type and a boolean JSONPath
/// filter over the event (`$.item.status == 'Finished'`).
///
/// The filter is compiled when the trigger is created, so a stored trigger always compiles.
/// JSON (seed 000): `{"id", "name", "isEnabled", "triggerType", "eventFilter"}`, plus `delay` or
/// `cancels` when the trigger schedules or cancels delayed runs instead of running the action.
public struct MessageTrigger: Hashable, Sendable, Codable, Identifiable {
    public var id: TriggerID
    public var name: String
    public var isEnabled: Bool
    public var triggerType: TriggerType
    /// The filter as written (see `shared/JSONPATH-FILTERS.md`).
    public var eventFilter: String
    /// A match schedules a delayed run instead of running now.
    public var delay: TriggerDelay?
    /// A match cancels scheduled runs with the key it reads instead of running.
    public var cancels: TriggerCancellation?

    public init(
        id: TriggerID = .random(),
        name: String,
        isEnabled: Bool = true,
        triggerType: TriggerType,
        eventFilter: String,
        delay: TriggerDelay? = nil,
        cancels: TriggerCancellation? = nil
    ) {
        self.id = id
        self.name = name
        self.isEnabled = isEnabled
        self.triggerType = triggerType
        self.eventFilter = eventFilter
        self.delay = delay
        self.cancels = cancels
    }

    /// Compiles ``eventFilter``; stored triggers were validated, so this fails only for data
    /// written around the service.
    public func compiledFilter() throws(JSONPathError) -> TriggerFilter {
        try TriggerFilter(parsing: eventFilter)
    }
}
