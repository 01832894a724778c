/// Why a delivery could not become an ``Event``: the pipeline dead-letters it (or, for an
/// unknown trigger type, acks and counts it) with ``code`` and ``description`` in the headers.
///
/// The description is safe to log: it quotes at most a routing key, a member name or a broker
/// user name, never the body.
public struct EventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notAnObject, unknownTriggerType, missingTenant, missingUserID, unknownUser, missingID
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The body is JSON but not an object.
        public static let notAnObject = Code(.notAnObject)
        /// Neither the routing key nor the body's `type` names a ``TriggerType``.
        public static let unknownTriggerType = Code(.unknownTriggerType)
        /// No `tenantId` string in the body and no default tenant configured.
        public static let missingTenant = Code(.missingTenant)
        /// The tenant comes from the AMQP `user-id` (``EventTenancy/userID(_:)``) and the delivery
        /// has none.
        public static let missingUserID = Code(.missingUserID)
        /// The delivery's `user-id` is not a broker user of ``EventTenancy/userID(_:)``'s map.
        public static let unknownUser = Code(.unknownUser)
        /// No AMQP message-id and no `id` string in the body: without a stable id a redelivery
        /// could not be recognised.
        public static let missingID = Code(.missingID)

        /// Stable camelCase name, for dead-letter headers and metrics labels.
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What is wrong, for people.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
