import AMQPClient
import Logging
import ServiceLifecycle

/// The broker connection as a `Service`: first in `serve`'s group, so graceful shutdown (which
/// runs in reverse order) reaches it last — after the pipeline and the scheduler stopped
/// publishing on it — and it closes gracefully then (settlements and confirms in flight are
/// awaited, bounded by the connection's shutdown timeout). If the connection closes for good on
/// its own, the service ends and the group shuts down.
public struct ConnectionService: Service {
    private let connection: AMQPConnection
    private let logger: Logger

    public init(connection: AMQPConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func run() async throws {
        let connection = self.connection
        await withGracefulShutdownHandler {
            // Cancelled (the group gave up on a graceful stop): close at once all the same.
            await withTaskCancellationHandler {
                await connection.waitUntilClosed()
            } onCancel: {
                connection.beginClose()
            }
        } onGracefulShutdown: {
            connection.beginClose()
        }
        logger.info("broker connection closed")
    }
}
