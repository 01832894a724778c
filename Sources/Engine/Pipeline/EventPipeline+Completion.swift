import Automation
import Foundation
import JSONPath

extension EventPipeline {
    /// Closes the history entry of a process Signalbox started when `event` reports it ended
    /// (`Finished` → Success; `Error`, `Killed` → Failed with the event's error text). True when
    /// an entry was closed. A redelivered completion changes nothing (the store ignores a closed
    /// entry); a process Signalbox did not start is not in the store at all.
    func complete(_ event: Event, at now: Date) async throws -> Bool {
        guard event.triggerType != nil, let item = event.body["item"],
            let status = item["status"]?.stringValue,
            let outcome = Self.outcome(status),
            let text = item["id"]?.stringValue, let processId = ProcessID(text)
        else { return false }
        // A read first: most finished processes are not Signalbox's, and a read costs no write
        // transaction. (Per event for now; a batched lookup port is the throughput step.)
        guard let entry = try await store.historyEntry(processId: processId), entry.outcome == .pending else {
            return false
        }
        let message = outcome == .failed ? Self.errorText(item, status: status) : nil
        let completion = try await store.completeExecution(
            processId: processId, outcome: outcome, errorMessage: message, at: now) != nil
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
