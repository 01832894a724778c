/// Body of `POST /filters/test`: a filter and one or more events to try it on.
public struct FilterTestRequest: Hashable, Sendable, Codable {
    public var filter: String
    public var events: [AnyJSON]

    public init(filter: String, events: [AnyJSON]) {
        self.filter = filter
        self.events = events
    }
}

/// Whether a filter fires for each event, and why.
public struct FilterTestResult: Hashable, Sendable, Codable {
    /// The explanations of one answer together hold about this much text (1 MiB)…
    public static let maximumExplanationBytes = 1 << 20
    /// …but each event's explanation gets at least this much (its first steps).
    public static let minimumExplanationBytes = 512

    /// One result per event, in the order given.
    public struct EventResult: Hashable, Sendable, Codable {
        public var index: Int
        public var matched: Bool
        /// The evaluation tree rendered for people (see `FilterExplanation`).
        public var explanation: String

        public init(index: Int, matched: Bool, explanation: String) {
            self.index = index
            self.matched = matched
            self.explanation = explanation
        }
    }

    public var filter: String
    public var results: [EventResult]
    public var warnings: [ValidationWarning]

    public init(filter: String, results: [EventResult], warnings: [ValidationWarning]) {
        self.filter = filter
        self.results = results
        self.warnings = warnings
    }
}
