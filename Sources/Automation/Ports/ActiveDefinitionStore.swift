import Foundation

/// The definitions as the engine reads them to run: the actions that can start from an event or a
/// schedule, one action by id, and a version that says when to read them again. The trigger index
/// and the scheduler use this and nothing else of the definitions; ``DefinitionStore`` adds what
/// the API edits. (Contract shared by every role: see ``AutomationStore``.)
public protocol ActiveDefinitionStore: Sendable {
    /// The tenant's action with this id, whatever its status (nil for another tenant's).
    func action(id: ActionID, tenant: TenantID) async throws -> AutomatedAction?

    /// Active actions with at least one enabled schedule — of one tenant, or of all when nil
    /// (the scheduler, the calendar view).
    func actionsWithEnabledSchedules(tenant: TenantID?) async throws -> [AutomatedAction]

    /// Active actions with at least one enabled message trigger, across tenants, without their
    /// schedules (to build the trigger index, which does not use them).
    func actionsWithEnabledTriggers() async throws -> [AutomatedAction]

    /// The same actions in the same order, handed to `each` in chunks of up to `size` as they are
    /// read, so that the caller can work on the first while the rest is read (start-up).
    func actionsWithEnabledTriggers(
        inChunksOf size: Int, _ each: @escaping @Sendable ([AutomatedAction]) -> Void
    ) async throws

    /// A number that changes whenever an action, trigger or schedule definition changes, by any
    /// writer of the store — so that a reader polls one value instead of re-reading every
    /// definition. It may also change when nothing that matters did; it never stays the same
    /// when a definition changed.
    func definitionsVersion() async throws -> Int64
}

extension ActiveDefinitionStore {
    /// Reads them all, then hands them over chunk by chunk (stores that cannot stream).
    public func actionsWithEnabledTriggers(
        inChunksOf size: Int, _ each: @escaping @Sendable ([AutomatedAction]) -> Void
    ) async throws {
        let actions = try await actionsWithEnabledTriggers()
        for start in stride(from: 0, to: actions.count, by: max(1, size)) {
            each(Array(actions[start..<min(start + max(1, size), actions.count)]))
        }
    }
}
