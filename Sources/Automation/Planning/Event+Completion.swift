import JSONPath

extension Event {
    /// The process this event reports as ended, as a request to close its history entry — or nil
    /// when it reports no end, or names a process Signalbox cannot have started (most finished
    /// processes are not ours: they cost no lookup). Pure event rules (DESIGN "Complete"):
    ///
    /// - only ProcessUpdated events (a ``triggerType``) report processes;
    /// - `item.status` `Finished` → Success; `Error`, `Killed` → Failed; `Started`, `Running` →
    ///   Running, which only marks a Pending entry (``ExecutionOutcome/init(processStatus:)``);
    /// - `item.id` must be a version-5 UUID (``CommandPlanner/mayHaveStarted(_:)``);
    /// - the error text is ``completionErrorText(_:status:)``;
    /// - it closes only an entry of the event's tenant.
    public var completion: ExecutionCompletionRequest? {
        guard triggerType != nil, let item = body["item"],
            let status = item["status"]?.stringValue,
            let outcome = ExecutionOutcome(processStatus: status),
            let text = item["id"]?.stringValue, let processId = ProcessID(text),
            CommandPlanner.mayHaveStarted(processId)
        else { return nil }
        return ExecutionCompletionRequest(
            processId: processId, tenantId: tenantId, outcome: outcome,
            errorMessage: outcome == .failed ? Self.completionErrorText(item, status: status) : nil,
            result: outcome.isOpen ? nil : ExecutionResult.of(self), eventBody: outcome == .success ? body : nil)
    }

    /// The longest error text kept from an event.
    public static let maximumErrorTextLength = 4096

    /// `item.errorMessage`, else `item.error` (a string, or an object's `message`), else a
    /// sentence naming the status; at most ``maximumErrorTextLength`` characters.
    public static func completionErrorText(_ item: JSONValue, status: String) -> String {
        let candidates = [item["errorMessage"]?.stringValue, item["error"]?.stringValue, item["error"]?["message"]?.stringValue]
        if let text = candidates.lazy.compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            return String(text.prefix(maximumErrorTextLength))
        }
        return "the process ended with status \(status)"
    }
}

extension ExecutionOutcome {
    /// The outcome a ProcessUpdated `item.status` moves a run to: `Finished` → Success, `Error`
    /// and `Killed` → Failed, `Started` and `Running` → Running; nil for any other status.
    public init?(processStatus status: String) {
        switch status {
        case "Finished": self = .success
        case "Error", "Killed": self = .failed
        case "Started", "Running": self = .running
        default: return nil
        }
    }
}

/// The result a completion keeps: the event's `item.output`, `item.result`, `output` or
/// `result` (the first present), as JSON of at most ``maximumBytes``; a larger one is replaced by
/// an object saying so, so that a history entry never grows without bound.
public enum ExecutionResult {
    public static let maximumBytes = 16 * 1024

    public static func of(_ event: Event) -> JSONValue? {
        let candidates = [event.body["item"]?["output"], event.body["item"]?["result"], event.body["output"], event.body["result"]]
        guard let value = candidates.lazy.compactMap({ $0 }).first(where: { $0 != .null }) else { return nil }
        let size = value.jsonText.utf8.count
        guard size <= maximumBytes else {
            return .object(JSONObject([
                ("omitted", .string("the result was \(size) bytes of JSON; at most \(maximumBytes) are kept")), ("bytes", .int(size)),
            ]))
        }
        return value
    }
}
