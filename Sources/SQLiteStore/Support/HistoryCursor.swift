import Automation
import Foundation

/// The position after the last entry of a history page: its `dateStarted` (epoch seconds, as
/// stored) and its insertion `sequence`. Text form `<seconds>:<sequence>`, as the in-memory store
/// writes its own (the two are not interchangeable: sequences differ).
struct HistoryCursor: Hashable {
    var dateStarted: Double
    var sequence: Int64

    init(dateStarted: Double, sequence: Int64) {
        self.dateStarted = dateStarted
        self.sequence = sequence
    }

    /// Parses a cursor; `invalidInput` (field `cursor`) when it is not one of ours.
    init(parsing text: String) throws(AutomationError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, let sequence = Int64(parts[1]) else {
            throw AutomationError.invalidInput("cursor is not valid", field: "cursor")
        }
        self.init(dateStarted: seconds, sequence: sequence)
    }

    var text: String { "\(dateStarted):\(sequence)" }
}
