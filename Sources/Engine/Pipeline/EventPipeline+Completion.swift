import Automation
import Foundation
import JSONPath

extension EventPipeline {
    /// A ProcessUpdated event that may close a history entry: it reports a process as ended.
    struct CompletionCandidate {
        let processId: ProcessID
        let outcome: ExecutionOutcome
        let errorMessage: String?
    }

    /// The process `event` reports as ended (`Finished` → Success; `Error`, `Killed` → Failed with
    /// the event's error text), or nil when it reports no end.
    static func completionCandidate(_ event: Event) -> CompletionCandidate? {
        guard event.triggerType != nil, let item = event.body["item"],
            let status = item["status"]?.stringValue,
            let outcome = outcome(status),
            let text = item["id"]?.stringValue, let processId = ProcessID(text)
        else { return nil }
        return CompletionCandidate(
            processId: processId, outcome: outcome, errorMessage: outcome == .failed ? errorText(item, status: status) : nil)
    }

    /// Closes the history entry of `candidate`'s process if Signalbox started it and it is still
    /// pending; `entries` is what ``AutomationStore/historyEntries(processIds:)`` found for the
    /// batch (a read: most finished processes are not Signalbox's, and a read costs no write
    /// transaction). True when an entry was closed. A redelivered completion changes nothing (the
    /// store ignores a closed entry).
    func complete(
        _ candidate: CompletionCandidate, entries: [ProcessID: ExecutionHistoryEntry], at now: Date
    ) async throws -> Bool {
        guard let entry = entries[candidate.processId], entry.outcome == .pending else { return false }
        let completion = try await store.completeExecution(
            processId: candidate.processId, outcome: candidate.outcome, errorMessage: candidate.errorMessage, at: now) != nil
        if completion { counters.completed.add(1, ordering: .relaxed) }
        return completion
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
