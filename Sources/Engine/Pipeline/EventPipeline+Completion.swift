import Automation
import Foundation
import JSONPath

extension EventPipeline {
    /// The process `event` reports as ended (`Finished` → Success; `Error`, `Killed` → Failed with
    /// the event's error text), or nil when it reports no end or the process cannot be one
    /// Signalbox started (most finished processes are not: they cost no lookup). It closes only an
    /// entry of the event's tenant.
    static func completion(_ event: Event) -> ExecutionCompletionRequest? {
        guard event.triggerType != nil, let item = event.body["item"],
            let status = item["status"]?.stringValue,
            let outcome = outcome(status),
            let text = item["id"]?.stringValue, let processId = ProcessID(text),
            CommandPlanner.mayHaveStarted(processId)
        else { return nil }
        return ExecutionCompletionRequest(
            processId: processId, tenantId: event.tenantId, outcome: outcome, errorMessage: outcome == .failed ? errorText(item, status: status) : nil)
    }

    /// Closes the pending history entries of the processes in `completions`, in one transaction
    /// that also finds them (``completion(_:)`` already left out the processes Signalbox cannot
    /// have started). Returns how many were closed; a redelivered completion closes nothing.
    func close(_ completions: [ExecutionCompletionRequest], at now: Date) async throws -> Int {
        guard !completions.isEmpty else { return 0 }
        let closed = try await store.completeExecutions(completions, at: now).count { $0 != nil }
        counters.completed.add(closed, ordering: .relaxed)
        return closed
    }

    static func outcome(_ status: String) -> ExecutionOutcome? {
        switch status {
        case "Finished": .success
        case "Error", "Killed": .failed
        default: nil
        }
    }

    /// `item.errorMessage`, else `item.error` (a string, or an object's `message`), else a
    /// sentence naming the status.
    static func errorText(_ item: JSONValue, status: String) -> String {
        if let text = item["errorMessage"]?.stringValue, !text.isEmpty { return String(text.prefix(4096)) }
        if let error = item["error"] {
            if let text = error.stringValue, !text.isEmpty { return String(text.prefix(4096)) }
            if let text = error["message"]?.stringValue, !text.isEmpty { return String(text.prefix(4096)) }
        }
        return "the process ended with status \(status)"
    }
}
