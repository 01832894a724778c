internal import CRabbitMQ

/// A rabbitmq-c status code (`amqp_status_enum`) as a typed value.
struct AMQPLibraryStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    static let ok = Self(rawValue: AMQP_STATUS_OK.rawValue)
    static let timeout = Self(rawValue: AMQP_STATUS_TIMEOUT.rawValue)
    static let connectionClosed = Self(rawValue: AMQP_STATUS_CONNECTION_CLOSED.rawValue)
    static let socketError = Self(rawValue: AMQP_STATUS_SOCKET_ERROR.rawValue)
    static let socketClosed = Self(rawValue: AMQP_STATUS_SOCKET_CLOSED.rawValue)
    static let heartbeatTimeout = Self(rawValue: AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue)
    static let unexpectedState = Self(rawValue: AMQP_STATUS_UNEXPECTED_STATE.rawValue)
    static let badAMQPData = Self(rawValue: AMQP_STATUS_BAD_AMQP_DATA.rawValue)
    static let unknownMethod = Self(rawValue: AMQP_STATUS_UNKNOWN_METHOD.rawValue)
    static let unknownClass = Self(rawValue: AMQP_STATUS_UNKNOWN_CLASS.rawValue)
    static let hostnameResolutionFailed = Self(rawValue: AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue)
    static let tcpError = Self(rawValue: AMQP_STATUS_TCP_ERROR.rawValue)
    static let sslError = Self(rawValue: AMQP_STATUS_SSL_ERROR.rawValue)
    static let sslHostnameVerifyFailed = Self(rawValue: AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue)
    static let sslPeerVerifyFailed = Self(rawValue: AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue)
    static let sslConnectionFailed = Self(rawValue: AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue)

    var isTLS: Bool { rawValue <= AMQP_STATUS_SSL_ERROR.rawValue && rawValue > _AMQP_STATUS_SSL_NEXT_VALUE.rawValue }

    /// The library's own text for the code.
    var description: String { String(cString: amqp_error_string2(rawValue)) }

    /// Maps a library failure to the client's error kinds.
    func error(context: String) -> AMQPError {
        let code: AMQPError.Code
        switch self {
        case .heartbeatTimeout: code = .heartbeatTimeout
        case .timeout: code = .timeout
        case .badAMQPData, .unknownMethod, .unknownClass, .unexpectedState: code = .protocolError
        case .hostnameResolutionFailed: code = .connectionFailed
        default: code = isTLS ? .tlsFailed : .connectionLost
        }
        return AMQPError(code, context: context, reason: description)
    }
}
