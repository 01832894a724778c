import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CRabbitMQ

/// Work for a connection's I/O thread.
enum Command: Sendable {
    case publish(PendingPublish)
    case settle(consumerID: Int, epoch: Int, tag: UInt64, kind: SettlementKind)
    /// Runs on the I/O thread with the live session; returns the error it met, if any, so a
    /// connection-level failure triggers a reconnect.
    case operation(Operation)
}

/// A request to run on the I/O thread, with the way to fail it if the connection closes first.
struct Operation: Sendable {
    let run: @Sendable (ConnectionDriver) -> AMQPError?
    let fail: @Sendable (AMQPError) -> Void
}

/// The hand-off between any thread and a connection's I/O thread: a locked queue, and an eventfd
/// that wakes the thread from `poll` only when it is asleep (so a busy loop costs no syscalls).
final class CommandQueue: Sendable {
    private struct State {
        var commands: [Command] = []
        var sleeping = false
        var closeRequested = false
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeDescriptor: Int32

    init() {
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeDescriptor >= 0, "eventfd failed: \(errno)")
    }

    deinit {
        Glibc.close(wakeDescriptor)
    }

    /// Queues a command; false once the connection is closed for good.
    func enqueue(_ command: Command) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.commands.append(command)
            let wake = state.sleeping
            state.sleeping = false
            return (true, wake)
        }
        if wake { signal() }
        return accepted
    }

    /// Queues several commands under one lock and at most one wake-up.
    func enqueue(contentsOf commands: [Command]) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.commands.append(contentsOf: commands)
            let wake = state.sleeping
            state.sleeping = false
            return (true, wake)
        }
        if wake { signal() }
        return accepted
    }

    /// Asks the I/O thread to shut down gracefully.
    func requestClose() {
        let wake = state.withLock { state -> Bool in
            state.closeRequested = true
            let wake = state.sleeping
            state.sleeping = false
            return wake
        }
        if wake { signal() }
    }

    var isCloseRequested: Bool { state.withLock { $0.closeRequested } }

    func takeAll() -> [Command] {
        state.withLock { state in
            let commands = state.commands
            state.commands.removeAll(keepingCapacity: true)
            return commands
        }
    }

    /// Returns commands taken but not handled (the connection failed mid-batch) to the front of
    /// the queue, for the next session. After ``closeForGood()`` they are returned, to be failed.
    func putBack(_ commands: [Command]) -> [Command] {
        guard !commands.isEmpty else { return [] }
        return state.withLock { state in
            guard !state.closed else { return commands }
            state.commands.insert(contentsOf: commands, at: 0)
            return []
        }
    }

    /// Refuses further commands and returns what was still queued, so it can be failed.
    func closeForGood() -> [Command] {
        state.withLock { state in
            state.closed = true
            let commands = state.commands
            state.commands = []
            return commands
        }
    }

    /// Waits until the socket is readable, a command arrives, or the timeout passes (0 = just look).
    /// Returns whether the socket is readable. Does not sleep while commands are queued.
    func wait(socket: Int32?, timeoutMilliseconds: Int32) -> Bool {
        let timeout = state.withLock { state -> Int32 in
            guard timeoutMilliseconds > 0, state.commands.isEmpty, !state.closeRequested else { return 0 }
            state.sleeping = true
            return timeoutMilliseconds
        }
        var descriptors = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if let socket { descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
        if timeout > 0 { state.withLock { $0.sleeping = false } }
        if descriptors[0].revents != 0 {
            var counter: UInt64 = 0
            _ = read(wakeDescriptor, &counter, MemoryLayout<UInt64>.size)
        }
        return descriptors.count > 1 && descriptors[1].revents != 0
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }
}

/// How many messages were handed to a connection and not yet confirmed, refused or failed:
/// what a broker outage makes pile up.
final class UnsettledPublishes: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .relaxed) }
    func add(_ messages: Int) { count.add(messages, ordering: .relaxed) }
    func settle() { count.subtract(1, ordering: .relaxed) }
}

/// A message waiting for its publisher confirm; kept until confirmed so it can be published again
/// on a new connection.
final class PendingPublish: Sendable {
    let exchange: String
    let routingKey: String
    let mandatory: Bool
    let properties: AMQPProperties
    let body: [UInt8]
    private let unsettled: UnsettledPublishes
    private let onConfirm: @Sendable (Result<Void, AMQPError>) -> Void

    /// Counted in `unsettled` by the caller (once per batch) until ``complete(_:)``.
    init(exchange: String, routingKey: String, mandatory: Bool, properties: AMQPProperties, body: [UInt8],
         unsettled: UnsettledPublishes, onConfirm: @escaping @Sendable (Result<Void, AMQPError>) -> Void) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.mandatory = mandatory
        self.properties = properties
        self.body = body
        self.unsettled = unsettled
        self.onConfirm = onConfirm
    }

    /// Called once per message: confirmed, refused, or failed for good.
    func complete(_ result: Result<Void, AMQPError>) {
        unsettled.settle()
        onConfirm(result)
    }

    /// Whether a `basic.return` describes this message (see `ConfirmTracker.markReturned`).
    func matchesReturn(exchange: String, routingKey: String, properties: AMQPProperties, body: [UInt8]) -> Bool {
        mandatory && self.exchange == exchange && self.routingKey == routingKey
            && self.properties.messageID == properties.messageID && self.body == body
    }
}
