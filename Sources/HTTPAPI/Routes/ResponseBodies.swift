import Automation

/// An action as the API returns it after a change: the action's own fields (seed 000) and, when
/// a filter compiled with warnings, a `warnings` array beside them.
struct ActionResponse: Encodable {
    var action: AutomatedAction
    var warnings: [ValidationWarning]

    init(_ change: ActionChange) {
        action = change.action
        warnings = change.warnings
    }

    init(_ action: AutomatedAction) {
        self.action = action
        warnings = []
    }

    enum CodingKeys: String, CodingKey { case warnings }

    func encode(to encoder: any Encoder) throws {
        try action.encode(to: encoder)
        if !warnings.isEmpty {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(warnings, forKey: .warnings)
        }
    }
}

/// `POST …/trigger`: the process started by each item, `processId` being the first (the C# SDK's
/// `TriggerAsync` returns one id), and the history entries recorded.
struct TriggerResponse: Encodable {
    var processId: ProcessID?
    var processIds: [ProcessID]
    var eventId: String
    var entries: [ExecutionHistoryEntry]
    var replayed: Bool

    init(_ result: ManualTriggerResult) {
        processId = result.processIds.first
        processIds = result.processIds
        eventId = result.eventId
        entries = result.entries
        replayed = result.replayed
    }

    enum CodingKeys: String, CodingKey { case processId, processIds, eventId, entries, replayed }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(processId, forKey: .processId)  // null when the action has no items
        try container.encode(processIds, forKey: .processIds)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(entries, forKey: .entries)
        try container.encode(replayed, forKey: .replayed)
    }
}

/// Body of `POST /automated-actions/bulk`.
struct BulkRequest: Decodable {
    var operation: BulkOperation
    var actionIds: [ActionID]
}

/// Answer of `POST /automated-actions/bulk`: one result per id, in request order.
struct BulkResponse: Encodable {
    var operation: BulkOperation
    var succeeded: Int
    var failed: Int
    var results: [BulkItemResult]
}

/// A page as listings answer it: `{"items", "nextCursor"}`, the cursor null on the last page
/// (`GET /namespaces/{ns}/automated-actions`, `GET …/runs`).
struct PageResponse<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?

    init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    init(_ page: Page<Item>) where Item: Hashable & Sendable & Codable {
        self.init(items: page.items, nextCursor: page.nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
