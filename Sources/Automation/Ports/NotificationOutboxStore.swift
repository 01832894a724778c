import Foundation

/// Notifications (CloudEvents) written with the close of a run, waiting for the broker to confirm
/// them. (Contract shared by every role: see ``AutomationStore``.)
public protocol NotificationOutboxStore: Sendable {
    /// The oldest `limit` notifications waiting to be published (``ActionNotification``).
    func pendingNotifications(limit: Int) async throws -> [ActionNotification]

    /// Removes published notifications.
    func deleteNotifications(ids: [String]) async throws
}
