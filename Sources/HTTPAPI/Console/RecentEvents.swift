import Automation
import Foundation
import Synchronization

/// The last few events read from the bus, per tenant, kept in memory for the console's filter
/// tester ("pick a recent event"). Nothing is stored: a restart forgets them.
///
/// Bounded: at most ``perTenant`` events of at most ``maximumBytes`` each (larger bodies are
/// skipped), for at most ``maximumTenants`` tenants (the one heard from least recently is
/// forgotten first), so a busy bus costs at most a few megabytes.
public final class RecentEvents: Sendable {
    public static let perTenant = 20
    public static let maximumBytes = 16 * 1024
    public static let maximumTenants = 64

    /// One event as `GET /events/recent` shows it.
    public struct Entry: Encodable, Sendable {
        public var id: String
        public var triggerType: TriggerType?
        public var namespace: NamespaceName?
        public var receivedAt: Date
        public var body: AnyJSON

        enum CodingKeys: String, CodingKey { case id, triggerType, namespace, receivedAt, body }

        /// Nulls written as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(triggerType, forKey: .triggerType)
            try c.encode(namespace, forKey: .namespace)
            try c.encode(receivedAt, forKey: .receivedAt)
            try c.encode(body, forKey: .body)
        }
    }

    private struct State {
        /// Per tenant, oldest first.
        var events: [TenantID: [Entry]] = [:]
        /// Tenants, least recently heard from first.
        var order: [TenantID] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Keeps `event` (its body `size` bytes long) as its tenant's newest.
    public func record(_ event: Event, size: Int, at date: Date) {
        guard size <= Self.maximumBytes else { return }
        let entry = Entry(id: event.id, triggerType: event.triggerType, namespace: event.namespace, receivedAt: date, body: AnyJSON(event.body))
        // Per event on the pipeline: the common case (the tenant heard from last) touches no
        // order, and the tenant's list changes in place (no copy of it per event).
        state.withLock { state in
            let tenant = event.tenantId
            if state.order.last != tenant {
                if let position = state.order.firstIndex(of: tenant) { state.order.remove(at: position) }
                state.order.append(tenant)
                if state.order.count > Self.maximumTenants { state.events[state.order.removeFirst()] = nil }
            }
            state.events[tenant, default: []].append(entry)
            if state.events[tenant, default: []].count > Self.perTenant { state.events[tenant, default: []].removeFirst() }
        }
    }

    /// The tenant's events, newest first.
    public func events(of tenant: TenantID) -> [Entry] {
        state.withLock { $0.events[tenant] ?? [] }.reversed()
    }
}
