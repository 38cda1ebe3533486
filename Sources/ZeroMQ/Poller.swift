import CZeroMQ

/// Waits on several sockets (and plain file descriptors) at once (`zmq_poll`).
///
/// Register items with ``add(_:events:)`` or ``add(fileDescriptor:events:)``, which return an
/// index; after ``poll(timeout:)`` returns, ``readyEvents(at:)`` tells what each item is ready
/// for. The poller keeps its sockets alive and, like them, belongs to one thread (not
/// `Sendable`). ``Context/shutdown()`` wakes a poll over that context's sockets with
/// ``ZeroMQError/isContextTerminated``.
///
/// ```swift
/// let poller = Poller()
/// let pullIndex = poller.add(pull)
/// let subIndex = poller.add(sub)
/// while try poller.poll(timeout: .seconds(1)) >= 0 {
///     if poller.readyEvents(at: pullIndex).contains(.readable) { ... }
/// }
/// ```
public final class Poller {
    /// What an item is polled for, or ready for.
    public struct Events: OptionSet, Sendable, Hashable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        /// At least one message can be received without blocking (`ZMQ_POLLIN`).
        public static let readable = Events(rawValue: Int16(ZMQ_POLLIN))
        /// At least one message can be sent without blocking (`ZMQ_POLLOUT`).
        public static let writable = Events(rawValue: Int16(ZMQ_POLLOUT))
        /// An error condition (file descriptors only; `ZMQ_POLLERR`).
        public static let error = Events(rawValue: Int16(ZMQ_POLLERR))
    }

    private var items: [zmq_pollitem_t] = []
    private var sockets: [Socket?] = []

    /// Creates an empty poller.
    public init() {}

    /// The number of registered items.
    public var count: Int { items.count }

    /// Registers `socket` for `events` and returns its index.
    @discardableResult
    public func add(_ socket: Socket, events: Events = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        sockets.append(socket)
        return items.count - 1
    }

    /// Registers a file descriptor (a pipe, a TCP socket of another library) and returns its index.
    @discardableResult
    public func add(fileDescriptor: Int32, events: Events = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        sockets.append(nil)
        return items.count - 1
    }

    /// Changes the events polled for at `index`.
    public func setEvents(_ events: Events, at index: Int) {
        items[index].events = events.rawValue
    }

    /// The socket registered at `index` (`nil` for file descriptors).
    public func socket(at index: Int) -> Socket? { sockets[index] }

    /// The events the item at `index` was ready for in the last ``poll(timeout:)``.
    public func readyEvents(at index: Int) -> Events { Events(rawValue: items[index].revents) }

    /// Waits until at least one item is ready, or `timeout` passes (`nil`: no limit; `.zero`:
    /// just look). Interruptions by signals are retried with the remaining time.
    ///
    /// - Returns: the number of ready items (0 on timeout).
    /// - Throws: ``ZeroMQError``; `ENOTSOCK` when a registered socket was closed,
    ///   ``ZeroMQError/isContextTerminated`` after ``Context/shutdown()``.
    @discardableResult
    public func poll(timeout: Duration?) throws(ZeroMQError) -> Int {
        for index in items.indices {
            items[index].revents = 0
            if let socket = sockets[index] {
                guard let handle = socket.handle else {
                    throw ZeroMQError(code: ENOTSOCK, operation: "zmq_poll (item \(index) closed)")
                }
                items[index].socket = handle
            }
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            var milliseconds = -1
            if let deadline {
                milliseconds = Socket.milliseconds(max(.zero, clock.now.duration(to: deadline)))
            }
            let ready = items.withUnsafeMutableBufferPointer { buffer in
                zmq_poll(buffer.baseAddress, Int32(buffer.count), milliseconds)
            }
            if ready >= 0 { return Int(ready) }
            let code = zmq_errno()
            if code != EINTR { throw ZeroMQError(code: code, operation: "zmq_poll") }
        }
    }
}

@available(*, unavailable, message: "a Poller holds non-thread-safe sockets")
extension Poller: Sendable {}
