import Foundation
internal import CRabbitMQ

/// One rabbitmq-c connection: the only type that touches `amqp_connection_state_t`.
///
/// It exists only logged in (`open` connects the socket, then logs in), so the call orders that
/// make rabbitmq-c abort, such as login before the socket is open, cannot be written. It is not
/// thread-safe and not `Sendable`: the connection's I/O thread owns it. `deinit` destroys it.
final class RabbitConnection {
    private let state: amqp_connection_state_t
    let configuration: AMQPConfiguration

    private init(state: amqp_connection_state_t, configuration: AMQPConfiguration) {
        self.state = state
        self.configuration = configuration
    }

    deinit {
        amqp_destroy_connection(state)
    }

    /// Opens the socket (TCP or TLS), logs in and bounds every later RPC by `rpcTimeout`.
    static func open(_ configuration: AMQPConfiguration) throws(AMQPError) -> RabbitConnection {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectionFailed, context: "create connection", reason: "out of memory")
        }
        // From here on `deinit` destroys the state, on success and on every error path.
        let connection = RabbitConnection(state: state, configuration: configuration)
        let endpoint = "\(configuration.host):\(configuration.port)"
        let socket: OpaquePointer
        if let tls = configuration.tls {
            socket = try connection.makeTLSSocket(tls)
        } else {
            guard let tcp = amqp_tcp_socket_new(state) else {
                throw AMQPError(.connectionFailed, context: "connect to \(endpoint)", reason: "cannot create a TCP socket")
            }
            socket = tcp
        }
        var connectTimeout = timeval(configuration.connectTimeout)
        let status = AMQPLibraryStatus(
            rawValue: amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &connectTimeout))
        if status != .ok {
            if configuration.tls != nil, status.isTLS {
                throw AMQPError(.tlsFailed, context: "TLS handshake with \(endpoint)",
                                reason: "\(status) (check the CA file, the server certificate and its host name)")
            }
            throw AMQPError(.connectionFailed, context: "connect to \(endpoint)", reason: status.description)
        }
        var handshakeTimeout = timeval(configuration.connectTimeout)
        _ = amqp_set_handshake_timeout(state, &handshakeTimeout)
        try connection.login()
        var rpcTimeout = timeval(configuration.rpcTimeout)
        _ = amqp_set_rpc_timeout(state, &rpcTimeout)
        return connection
    }

    private func makeTLSSocket(_ tls: AMQPConfiguration.TLS) throws(AMQPError) -> OpaquePointer {
        func failure(_ reason: String) -> AMQPError {
            AMQPError(.tlsFailed, context: "TLS settings for \(configuration.host):\(configuration.port)", reason: reason)
        }
        for (what, path) in [("CA certificate", tls.caCertificatePath), ("client certificate", tls.clientCertificatePath),
                             ("client key", tls.clientKeyPath)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw failure("the \(what) file '\(path)' does not exist or is not readable")
            }
        }
        guard let socket = amqp_ssl_socket_new(state) else { throw failure("cannot create a TLS socket") }
        if amqp_ssl_socket_set_cacert(socket, tls.caCertificatePath) != AMQP_STATUS_OK.rawValue {
            throw failure("the CA certificate file '\(tls.caCertificatePath)' is not a PEM certificate bundle")
        }
        if let certificate = tls.clientCertificatePath, let key = tls.clientKeyPath,
            amqp_ssl_socket_set_key(socket, certificate, key) != AMQP_STATUS_OK.rawValue
        {
            throw failure("cannot load the client certificate '\(certificate)' with key '\(key)'")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
        _ = amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST)
        return socket
    }

    private func login() throws(AMQPError) {
        let arena = CArena()
        // 0.11 advertises neither capability: without them the broker never sends basic.cancel or
        // connection.blocked. The library merges this table with its own.
        let properties = arena.table([
            "connection_name": .string(configuration.connectionName),
            "product": "Signalbox AMQPClient",
            "capabilities": .table(["consumer_cancel_notify": true, "connection.blocked": true]),
        ])
        let reply = withUnsafePointer(to: properties) { table in
            shim_login_plain(state, configuration.virtualHost, 0, 131_072, Int32(configuration.heartbeatSeconds),
                             table, configuration.user, configuration.password)
        }
        withExtendedLifetime(arena) {}
        let context = "log in to vhost '\(configuration.virtualHost)' as '\(configuration.user)'"
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw AMQPError(.authenticationFailed, context: context, reason: close.reply_text.string,
                            replyCode: close.reply_code)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = AMQPLibraryStatus(rawValue: reply.library_error)
            if status == .connectionClosed || status == .socketError || status == .socketClosed {
                throw AMQPError(.authenticationFailed, context: context,
                                reason: "the broker closed the connection during login (wrong user, password or vhost?)")
            }
            throw status.error(context: context)
        default:
            throw AMQPError(.protocolError, context: context, reason: "unexpected reply to login")
        }
    }

    // MARK: - Polling

    var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// Whether frames or bytes are already buffered inside rabbitmq-c (so `poll` on the socket would lie).
    var hasBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    /// Recycles rabbitmq-c's frame pools; every decoded pointer is invalid afterwards.
    func releaseBuffers() { amqp_maybe_release_buffers(state) }

    /// Reads one frame if one is available, without blocking. Also where heartbeats are sent and a
    /// silent peer is detected. `nil` means nothing arrived.
    func nextFrame() throws(AMQPError) -> InboundFrame? {
        var frame = amqp_frame_t()
        var immediately = timeval(tv_sec: 0, tv_usec: 0)
        let status = AMQPLibraryStatus(rawValue: amqp_simple_wait_frame_noblock(state, &frame, &immediately))
        if status == .timeout { return nil }
        guard status == .ok else { throw status.error(context: "read from the broker") }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else {
            return .ignored(channel: frame.channel, methodID: 0)
        }
        let channel = frame.channel
        let method = frame.payload.method
        switch method.id {
        case AMQP_BASIC_DELIVER_METHOD:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            let consumerTag = deliver.consumer_tag.string
            let exchange = deliver.exchange.string
            let routingKey = deliver.routing_key.string
            let (properties, body) = try readContent(channel: channel)
            return .delivery(channel: channel, consumerTag: consumerTag, deliveryTag: deliver.delivery_tag,
                             redelivered: deliver.redelivered != 0, exchange: exchange, routingKey: routingKey,
                             properties: properties, body: body)
        case AMQP_BASIC_ACK_METHOD:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .publishAck(channel: channel, tag: ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQP_BASIC_NACK_METHOD:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .publishNack(channel: channel, tag: nack.delivery_tag, multiple: nack.multiple != 0)
        case AMQP_BASIC_RETURN_METHOD:
            let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let replyText = returned.reply_text.string
            let exchange = returned.exchange.string
            let routingKey = returned.routing_key.string
            let (properties, body) = try readContent(channel: channel)
            return .publishReturn(channel: channel, replyCode: returned.reply_code, replyText: replyText,
                                  exchange: exchange, routingKey: routingKey, properties: properties, body: body)
        case AMQP_BASIC_CANCEL_METHOD:
            let cancel = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            return .consumerCancelled(channel: channel, consumerTag: cancel.consumer_tag.string)
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let text = close.reply_text.string
            try sendChannelCloseOk(channel)
            return .channelClosed(channel: channel, replyCode: close.reply_code, replyText: text)
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let text = close.reply_text.string
            sendConnectionCloseOk()
            throw AMQPError(.connectionClosed, context: "connection closed by the broker", reason: text,
                            replyCode: close.reply_code)
        case AMQP_CONNECTION_BLOCKED_METHOD:
            let blocked = method.decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            return .connectionBlocked(reason: blocked.reason.string)
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            return .connectionUnblocked
        default:
            return .ignored(channel: channel, methodID: method.id)
        }
    }

    private func readContent(channel: UInt16) throws(AMQPError) -> (AMQPProperties, [UInt8]) {
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            throw AMQPLibraryStatus(rawValue: reply.library_error).error(context: "read message content")
        }
        defer { amqp_destroy_message(&message) }
        return (message.properties.swiftProperties, message.body.array)
    }

    // MARK: - Channel-level RPCs

    /// Checks the reply of the RPC just made. A channel error is answered with close-ok (the channel
    /// is then closed and must be reopened); a connection error is fatal.
    private func check(_ context: @autoclosure () -> String) throws(AMQPError) {
        let reply = amqp_get_rpc_reply(state)
        try check(reply, context())
    }

    private func check(_ reply: amqp_rpc_reply_t, _ context: @autoclosure () -> String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let text = close.reply_text.string
                throw AMQPError(.channelClosed, context: context(), reason: text, replyCode: close.reply_code)
            }
            if reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let text = close.reply_text.string
                sendConnectionCloseOk()
                throw AMQPError(.connectionClosed, context: context(), reason: text, replyCode: close.reply_code)
            }
            throw AMQPError(.protocolError, context: context(), reason: "unexpected method \(reply.reply.id)")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw AMQPLibraryStatus(rawValue: reply.library_error).error(context: context())
        default:
            throw AMQPError(.protocolError, context: context(), reason: "missing RPC reply")
        }
    }

    /// Runs an RPC; on a channel error the close-ok is sent here, so callers only reopen the channel.
    private func rpc(_ channel: UInt16, _ context: @autoclosure () -> String, _ call: (CArena) -> Void) throws(AMQPError) {
        let arena = CArena()
        withExtendedLifetime(arena) { call(arena) }
        do {
            try check(context())
        } catch {
            if error.code == .channelClosed { try sendChannelCloseOk(channel) }
            throw error
        }
    }

    func openChannel(_ channel: UInt16) throws(AMQPError) {
        try rpc(channel, "open channel \(channel)") { _ in _ = amqp_channel_open(state, channel) }
    }

    func closeChannel(_ channel: UInt16) throws(AMQPError) {
        try check(amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS), "close channel \(channel)")
    }

    func confirmSelect(_ channel: UInt16) throws(AMQPError) {
        try rpc(channel, "enable publisher confirms on channel \(channel)") { _ in _ = amqp_confirm_select(state, channel) }
    }

    func qos(_ channel: UInt16, prefetch: UInt16) throws(AMQPError) {
        try rpc(channel, "set prefetch \(prefetch) on channel \(channel)") { _ in
            _ = amqp_basic_qos(state, channel, 0, prefetch, 0)
        }
    }

    func declare(_ exchange: AMQPTopology.Exchange, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "declare \(exchange.kind.rawValue) exchange '\(exchange.name)'") { arena in
            _ = amqp_exchange_declare(state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue),
                                      0, exchange.durable ? 1 : 0, exchange.autoDelete ? 1 : 0, 0,
                                      arena.table(exchange.arguments))
        }
    }

    @discardableResult
    func declare(_ queue: AMQPTopology.Queue, passive: Bool = false, on channel: UInt16) throws(AMQPError) -> AMQPQueueStatus {
        var status = AMQPQueueStatus(name: queue.name, messageCount: 0, consumerCount: 0)
        try rpc(channel, "declare queue '\(queue.name)'") { arena in
            if let ok = amqp_queue_declare(state, channel, arena.bytes(queue.name), passive ? 1 : 0, queue.durable ? 1 : 0,
                                           queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, arena.table(queue.arguments)) {
                status = AMQPQueueStatus(name: ok.pointee.queue.string, messageCount: ok.pointee.message_count,
                                         consumerCount: ok.pointee.consumer_count)
            }
        }
        return status
    }

    func bind(_ binding: AMQPTopology.Binding, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "bind queue '\(binding.queue)' to '\(binding.exchange)' with '\(binding.routingKey)'") { arena in
            _ = amqp_queue_bind(state, channel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
                                arena.bytes(binding.routingKey), arena.table(binding.arguments))
        }
    }

    func purge(queue: String, on channel: UInt16) throws(AMQPError) -> UInt32 {
        var count: UInt32 = 0
        try rpc(channel, "purge queue '\(queue)'") { arena in
            count = amqp_queue_purge(state, channel, arena.bytes(queue))?.pointee.message_count ?? 0
        }
        return count
    }

    func delete(queue: String, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "delete queue '\(queue)'") { arena in _ = amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0) }
    }

    func delete(exchange: String, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "delete exchange '\(exchange)'") { arena in _ = amqp_exchange_delete(state, channel, arena.bytes(exchange), 0) }
    }

    func consume(queue: String, consumerTag: String, exclusive: Bool, arguments: AMQPTable, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "consume from queue '\(queue)'") { arena in
            _ = amqp_basic_consume(state, channel, arena.bytes(queue), arena.bytes(consumerTag), 0, 0,
                                   exclusive ? 1 : 0, arena.table(arguments))
        }
    }

    func cancel(consumerTag: String, on channel: UInt16) throws(AMQPError) {
        try rpc(channel, "cancel consumer '\(consumerTag)'") { arena in _ = amqp_basic_cancel(state, channel, arena.bytes(consumerTag)) }
    }

    // MARK: - Asynchronous methods (no reply)

    func publish(exchange: String, routingKey: String, mandatory: Bool, properties: AMQPProperties, body: [UInt8],
                 on channel: UInt16) throws(AMQPError) {
        let arena = CArena()
        var props = arena.properties(properties)
        let status = body.withUnsafeBytes { buffer in
            amqp_basic_publish(state, channel, arena.bytes(exchange), arena.bytes(routingKey), mandatory ? 1 : 0, 0,
                               &props, amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
        }
        withExtendedLifetime(arena) {}
        try throwIfFailed(status, "publish to exchange '\(exchange)'")
    }

    func send(_ frame: AckCoalescer.Frame, on channel: UInt16) throws(AMQPError) {
        let status: Int32
        switch frame {
        case .ack(let tag, let multiple): status = amqp_basic_ack(state, channel, tag, multiple ? 1 : 0)
        case .nack(let tag, let multiple, let requeue):
            status = amqp_basic_nack(state, channel, tag, multiple ? 1 : 0, requeue ? 1 : 0)
        case .reject(let tag, let requeue): status = amqp_basic_reject(state, channel, tag, requeue ? 1 : 0)
        }
        try throwIfFailed(status, "settle deliveries on channel \(channel)")
    }

    private func sendChannelCloseOk(_ channel: UInt16) throws(AMQPError) {
        var ok = amqp_channel_close_ok_t()
        try throwIfFailed(amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok), "confirm channel close")
    }

    private func sendConnectionCloseOk() {
        var ok = amqp_connection_close_ok_t()
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok)
    }

    /// `connection.close`, bounded by the RPC timeout; the caller drops the object afterwards.
    func close() {
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
    }

    private func throwIfFailed(_ status: Int32, _ context: @autoclosure () -> String) throws(AMQPError) {
        guard status < 0 else { return }
        throw AMQPLibraryStatus(rawValue: status).error(context: context())
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
