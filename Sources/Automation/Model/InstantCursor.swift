import Foundation

/// A store's position after the last item of a page of a list ordered by an instant and an
/// insertion sequence (history by `dateStarted`, delayed runs by `dueAt`): text form
/// `<epoch seconds>:<sequence>`. The stores' sequences differ, so their cursors are not
/// interchangeable.
public struct InstantCursor: Hashable, Sendable {
    /// Seconds since 1970, as stored.
    public var seconds: Double
    public var sequence: Int64

    public init(seconds: Double, sequence: Int64) {
        self.seconds = seconds
        self.sequence = sequence
    }

    public init(_ instant: Date, sequence: Int64) {
        self.init(seconds: instant.timeIntervalSince1970, sequence: sequence)
    }

    /// Parses a cursor; `invalidInput` (field `cursor`) when it is not one of ours.
    public init(parsing text: String) throws(AutomationError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, let sequence = Int64(parts[1]) else {
            throw AutomationError.invalidInput("cursor is not valid", field: "cursor")
        }
        self.init(seconds: seconds, sequence: sequence)
    }

    public var instant: Date { Date(timeIntervalSince1970: seconds) }

    public var text: String { "\(seconds):\(sequence)" }
}
