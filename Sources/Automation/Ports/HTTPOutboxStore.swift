import Foundation

/// The requests of `webhook` items, which Signalbox sends itself: the outbox of those recorded
/// and not yet closed, and the action's credentials they are signed with. The requests enter the
/// outbox with their history entries (``RunHistoryStore/record(_:)``) and leave it when the
/// entries close. (Contract shared by every role: see ``AutomationStore``.)
public protocol HTTPOutboxStore: Sendable {
    // MARK: Signing credentials

    /// The action's signing credentials for the requests of its `webhook` items; stores
    /// `creating` as its secret first when it has none. Of the tenant's action, or of any
    /// tenant's when `tenant` is nil (the sender); `notFound` if the action is absent.
    func signingCredentials(actionId: ActionID, tenant: TenantID?, creating: WebhookSecret, at: Date) async throws -> WebhookCredentials

    /// Replaces the action's signing credentials by ``WebhookCredentials/rotated(to:at:grace:)`` of
    /// the stored ones (or `to` alone when it had none); returns them. `notFound` if absent.
    func rotateSigningSecret(
        to secret: WebhookSecret, actionId: ActionID, tenant: TenantID, at: Date, grace: TimeInterval
    ) async throws -> WebhookCredentials

    // MARK: Outbox

    /// The outbox: requests recorded whose entries have not closed, oldest first (what a restart
    /// sends again).
    func pendingHTTPRequests() async throws -> [OutboundHTTPRequest]

    /// The request of `processId` as recorded, while it is in the outbox (nil once its entry
    /// closed, was forgotten or pruned): what the sender sends, and whether it still should.
    func pendingHTTPRequest(processId: ProcessID) async throws -> OutboundHTTPRequest?
}
