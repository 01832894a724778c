/// The leadership of a process that owns its store alone (the embedded SQLite file): it leads
/// from the start, in one term that never ends, so the scheduler fires as it always did.
public struct SoleSchedulerLeadership: SchedulerLeadership {
    /// The one term.
    public static let term = LeadershipTerm(1)

    public init() {}

    public var role: SchedulerRole { .leader }

    public func waitUntilLeading() async throws -> LeadershipTerm {
        try Task.checkCancellation()
        return Self.term
    }

    /// Never returns but by cancellation: nothing takes the lead from the only process.
    public func waitUntilLost(_ term: LeadershipTerm) async throws -> String {
        guard term == Self.term else { return "not a term of this leadership" }
        while true { try await Task.sleep(for: .seconds(365 * 86_400)) }
    }

    public func holds(_ term: LeadershipTerm) -> Bool { term == Self.term }
}
