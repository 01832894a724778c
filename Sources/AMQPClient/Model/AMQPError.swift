/// An error from the AMQP client: what failed, where, and whether retrying can help.
///
/// The description is safe to log: it never contains passwords or message bodies.
public struct AMQPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure; `public` so callers can switch, `struct` so new kinds are not breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case invalidConfiguration, connectionFailed, authenticationFailed, tlsFailed
            case connectionClosed, connectionLost, heartbeatTimeout, channelClosed
            case publishNacked, publishReturned, consumerCancelled, closed, protocolError, timeout
        }
        fileprivate let base: Base
        fileprivate init(_ base: Base) { self.base = base }

        /// A URL or setting is wrong; nothing was attempted.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The TCP connection or AMQP handshake could not be established.
        public static let connectionFailed = Code(.connectionFailed)
        /// The broker refused the credentials or the vhost.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// TLS could not be set up (certificate files, verification, handshake).
        public static let tlsFailed = Code(.tlsFailed)
        /// The broker closed the connection (`connection.close`).
        public static let connectionClosed = Code(.connectionClosed)
        /// The socket failed or the peer went away.
        public static let connectionLost = Code(.connectionLost)
        /// Nothing was heard from the broker for two heartbeat intervals.
        public static let heartbeatTimeout = Code(.heartbeatTimeout)
        /// The broker closed a channel (`channel.close`), e.g. 404 for a missing exchange.
        public static let channelClosed = Code(.channelClosed)
        /// The broker refused responsibility for a published message (`basic.nack`).
        public static let publishNacked = Code(.publishNacked)
        /// A mandatory message could not be routed to any queue (`basic.return`).
        public static let publishReturned = Code(.publishReturned)
        /// The broker cancelled a consumer (its queue was deleted).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The connection was closed by this process; no more work is accepted.
        public static let closed = Code(.closed)
        /// The broker sent something the client cannot handle.
        public static let protocolError = Code(.protocolError)
        /// An operation did not complete in time.
        public static let timeout = Code(.timeout)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What was being done, e.g. `declare queue 'signalbox.events'`.
    public let context: String
    /// The broker's or the library's reason, e.g. `NOT_FOUND - no exchange 'x' in vhost '/'`.
    public let reason: String
    /// The AMQP reply code for broker-side closures (404, 406, 320, ...), if any.
    public let replyCode: UInt16?

    public init(_ code: Code, context: String, reason: String, replyCode: UInt16? = nil) {
        self.code = code
        self.context = context
        self.reason = reason
        self.replyCode = replyCode
    }

    /// Whether reconnecting (or retrying on a new channel) can make the operation succeed.
    public var isRecoverable: Bool {
        switch code.base {
        case .connectionFailed, .connectionClosed, .connectionLost, .heartbeatTimeout, .timeout, .channelClosed,
            .publishNacked:
            return true
        case .invalidConfiguration, .authenticationFailed, .tlsFailed, .publishReturned, .consumerCancelled,
            .closed, .protocolError:
            return false
        }
    }

    /// Whether the error means the whole connection is unusable.
    var isConnectionFatal: Bool {
        switch code.base {
        case .connectionFailed, .connectionClosed, .connectionLost, .heartbeatTimeout, .protocolError,
            .authenticationFailed, .tlsFailed, .timeout:
            return true
        default:
            return false
        }
    }

    public var description: String {
        var text = "AMQP \(code): \(context): \(reason)"
        if let replyCode { text += " (reply code \(replyCode))" }
        return text
    }
}
