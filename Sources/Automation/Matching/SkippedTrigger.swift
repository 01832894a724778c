/// A message trigger the ``TriggerIndex`` left out, and why: logged when the index is rebuilt so
/// a trigger that silently never fires can be explained.
public struct SkippedTrigger: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// The action is paused: none of its triggers fire.
        case actionPaused
        /// The trigger itself is disabled.
        case triggerDisabled
        /// The stored filter does not compile (data written around the service); the message
        /// is the compiler's, with line and column.
        case invalidFilter(String)

        public var description: String {
            switch self {
            case .actionPaused: "action paused"
            case .triggerDisabled: "trigger disabled"
            case .invalidFilter(let message): "filter does not compile: \(message)"
            }
        }
    }

    public var tenantId: TenantID
    public var actionId: ActionID
    public var triggerId: TriggerID
    public var reason: Reason

    public init(tenantId: TenantID, actionId: ActionID, triggerId: TriggerID, reason: Reason) {
        self.tenantId = tenantId
        self.actionId = actionId
        self.triggerId = triggerId
        self.reason = reason
    }

    public var description: String { "trigger \(triggerId) of action \(actionId) (tenant \(tenantId)): \(reason)" }
}
