import JSONPath

extension Event {
    /// The process this event reports as ended, as a request to close its history entry — or nil
    /// when it reports no end, or names a process Signalbox cannot have started (most finished
    /// processes are not ours: they cost no lookup). Pure event rules (DESIGN "Complete"):
    ///
    /// - only ProcessUpdated events (a ``triggerType``) report processes;
    /// - `item.status` `Finished` → Success; `Error`, `Killed` → Failed (``ExecutionOutcome/init(processStatus:)``);
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
            errorMessage: outcome == .failed ? Self.completionErrorText(item, status: status) : nil)
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
    /// The outcome a ProcessUpdated `item.status` ends a run with: `Finished` → Success, `Error`
    /// and `Killed` → Failed; nil for the statuses of a process still going.
    public init?(processStatus status: String) {
        switch status {
        case "Finished": self = .success
        case "Error", "Killed": self = .failed
        default: return nil
        }
    }
}
