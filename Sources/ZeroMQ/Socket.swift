import CZeroMQ

/// A ZeroMQ socket.
///
/// ### Ownership and threads
/// libzmq sockets are **not** thread-safe: a socket must be used by one thread at a time, with
/// a full memory barrier when it changes hands (zmq_socket(3)). `Socket` therefore is a
/// non-`Sendable` final class: the compiler keeps it inside one isolation region. Create it on
/// the thread (or task) that uses it, or hand it over whole with `sending`/region transfer (for
/// example by capturing it in a `Task { }` and not touching it afterwards). To stop a thread that
/// is blocked in ``receive(options:)``, call ``Context/shutdown()`` from elsewhere: the call
/// throws an error with ``ZeroMQError/isContextTerminated``.
///
/// The socket is closed by ``close()`` or when the last reference goes away; it keeps its
/// ``Context`` alive until then. Calls on a closed socket throw `ENOTSOCK`.
///
/// ### Sending and receiving
/// Sends copy the bytes into libzmq with plain `zmq_send` (the fastest path for small
/// messages). Receives fill a ``Message`` or a ``MultipartMessage`` whose bytes are read in
/// place; receiving into the same value again reuses its storage, so a receive loop need not
/// allocate. A receive returns `nil`/`false` when the receive timeout expires or a non-blocking
/// receive finds nothing; a send that cannot proceed throws ``ZeroMQError/isWouldBlock``.
/// Calls interrupted by a signal (`EINTR`) are retried.
///
/// ```swift
/// let context = try Context()
/// let pull = try Socket(context, .pull)
/// try pull.bind("tcp://127.0.0.1:*")
/// let endpoint = try pull.lastEndpoint
///
/// let push = try Socket(context, .push)
/// try push.connect(endpoint)
/// try push.send("hello")
///
/// var message = Message()
/// if try pull.receive(into: &message) { print(message.string) }
/// ```
public final class Socket {
    /// The libzmq socket; `nil` once closed.
    ///
    /// Not exclusivity-checked at run time: a `Socket` is confined to one thread (it is not
    /// `Sendable`) and `handle` is only written by `init` and `close()`, never during another
    /// access, so the dynamic check (a runtime call on every send and receive) buys nothing.
    @exclusivity(unchecked)
    @usableFromInline
    var handle: UnsafeMutableRawPointer?
    /// The context this socket belongs to (kept alive by the socket).
    public let context: Context
    /// The socket's pattern.
    public let type: SocketType

    /// Creates a socket of `type` in `context`.
    public init(_ context: Context, _ type: SocketType) throws(ZeroMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket(\(type))")
        }
        self.handle = handle
        self.context = context
        self.type = type
    }

    deinit {
        if let handle { zmq_close(handle) }
    }

    /// Closes the socket. Pending outgoing messages are kept for the linger period
    /// (``setLinger(_:)``) while the context delivers them. Closing twice does nothing.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    /// The open handle, or `ENOTSOCK` when closed.
    @usableFromInline
    func openHandle(_ operation: String) throws(ZeroMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZeroMQError(code: ENOTSOCK, operation: operation) }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint` (`tcp://HOST:PORT`, `tcp://HOST:*` for an ephemeral port,
    /// `ipc:///path`, `inproc://name`). The actual endpoint is then ``lastEndpoint``.
    public func bind(_ endpoint: String) throws(ZeroMQError) {
        try endpointCall("zmq_bind", endpoint, zmq_bind)
    }

    /// Connects to `endpoint`. For tcp and ipc this succeeds before a peer exists; libzmq keeps
    /// reconnecting in the background.
    public func connect(_ endpoint: String) throws(ZeroMQError) {
        try endpointCall("zmq_connect", endpoint, zmq_connect)
    }

    /// Stops listening on an endpoint given to ``bind(_:)`` (use the resolved ``lastEndpoint``
    /// form for wildcard binds).
    public func unbind(_ endpoint: String) throws(ZeroMQError) {
        try endpointCall("zmq_unbind", endpoint, zmq_unbind)
    }

    /// Disconnects from an endpoint given to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws(ZeroMQError) {
        try endpointCall("zmq_disconnect", endpoint, zmq_disconnect)
    }

    private func endpointCall(
        _ operation: String, _ endpoint: String,
        _ call: (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32
    ) throws(ZeroMQError) {
        let handle = try openHandle(operation)
        guard call(handle, endpoint) == 0 else {
            throw ZeroMQError.last(operation, endpoint: endpoint)
        }
    }

    // MARK: Sending

    /// Flags for sends.
    public struct SendOptions: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// More frames of the same multipart message follow (`ZMQ_SNDMORE`).
        public static let more = SendOptions(rawValue: ZMQ_SNDMORE)
        /// Fail with `EAGAIN` instead of blocking (`ZMQ_DONTWAIT`).
        public static let dontWait = SendOptions(rawValue: ZMQ_DONTWAIT)
    }

    /// Sends one frame holding a copy of `bytes`.
    ///
    /// Blocks while the socket is at its high-water mark (PUSH, DEALER, PAIR) until the send
    /// timeout; PUB and XPUB drop instead. Throws ``ZeroMQError/isWouldBlock`` when the frame
    /// could not be queued in time (or at once, with ``SendOptions/dontWait``). Once the first
    /// frame of a multipart message is queued, the following frames are always accepted.
    public func send(_ bytes: UnsafeRawBufferPointer, options: SendOptions = []) throws(ZeroMQError) {
        let handle = try openHandle("zmq_send")
        while zmq_send(handle, bytes.baseAddress, bytes.count, options.rawValue) < 0 {
            let code = zmq_errno()
            if code != EINTR { throw ZeroMQError(code: code, operation: "zmq_send") }
        }
    }

    /// Sends one frame holding a copy of `bytes` (an array, slice, `Data`, a string's `utf8`...).
    @inlinable
    public func send(_ bytes: some Collection<UInt8>, options: SendOptions = []) throws(ZeroMQError) {
        let result =
            bytes.withContiguousStorageIfAvailable { buffer in
                Result { () throws(ZeroMQError) in try send(UnsafeRawBufferPointer(buffer), options: options)
                }
            }
            ?? Array(bytes).withUnsafeBytes { buffer in
                Result { () throws(ZeroMQError) in try send(buffer, options: options) }
            }
        try result.get()
    }

    /// Sends one frame holding the UTF-8 bytes of `string`.
    @inlinable
    public func send(_ string: String, options: SendOptions = []) throws(ZeroMQError) {
        var string = string
        let result = string.withUTF8 { buffer in
            Result { () throws(ZeroMQError) in try send(UnsafeRawBufferPointer(buffer), options: options) }
        }
        try result.get()
    }

    /// Sends a multipart message, one frame per element (``SendOptions/more`` on all but the
    /// last). `options` may add ``SendOptions/dontWait`` (checked on the first frame).
    @inlinable
    public func send<Part: Collection<UInt8>>(
        multipart parts: some Collection<Part>, options: SendOptions = []
    ) throws(ZeroMQError) {
        var remaining = parts.count
        for part in parts {
            remaining -= 1
            try send(part, options: remaining > 0 ? options.union(.more) : options)
        }
    }

    /// Sends `message` without copying its bytes (`zmq_msg_send`): on success the message is left
    /// empty and may be reused; on failure it keeps its content.
    public func send(_ message: inout Message, options: SendOptions = []) throws(ZeroMQError) {
        let handle = try openHandle("zmq_msg_send")
        while zmq_msg_send(message.storage, handle, options.rawValue) < 0 {
            let code = zmq_errno()
            if code != EINTR { throw ZeroMQError(code: code, operation: "zmq_msg_send") }
        }
    }

    // MARK: Receiving

    /// Flags for receives.
    public struct ReceiveOptions: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Return at once when nothing is queued (`ZMQ_DONTWAIT`).
        public static let dontWait = ReceiveOptions(rawValue: ZMQ_DONTWAIT)
    }

    /// Receives one frame into `message`, replacing its content and reusing its storage (no
    /// allocation by the wrapper).
    ///
    /// - Returns: `false` when the receive timeout expired or, with
    ///   ``ReceiveOptions/dontWait``, nothing was queued; `message` is then left empty.
    /// - Throws: ``ZeroMQError``; ``ZeroMQError/isContextTerminated`` after
    ///   ``Context/shutdown()``.
    @discardableResult
    public func receive(into message: inout Message, options: ReceiveOptions = []) throws(ZeroMQError)
        -> Bool
    {
        let handle = try openHandle("zmq_msg_recv")
        while zmq_msg_recv(message.storage, handle, options.rawValue) < 0 {
            let code = zmq_errno()
            if code == EAGAIN { return false }
            if code != EINTR { throw ZeroMQError(code: code, operation: "zmq_msg_recv") }
        }
        return true
    }

    /// Receives one frame into a new ``Message``; `nil` when the receive timeout expired or,
    /// with ``ReceiveOptions/dontWait``, nothing was queued.
    public func receive(options: ReceiveOptions = []) throws(ZeroMQError) -> Message? {
        var message = Message()
        guard try receive(into: &message, options: options) else { return nil }
        return message
    }

    /// Receives all frames of the next multipart message into `frames`, replacing what it held
    /// and reusing its storage.
    ///
    /// - Returns: `false` when the receive timeout expired or, with
    ///   ``ReceiveOptions/dontWait``, nothing was queued (`frames` is then empty).
    public func receive(into frames: inout MultipartMessage, options: ReceiveOptions = []) throws(ZeroMQError)
        -> Bool
    {
        let handle = try openHandle("zmq_msg_recv")
        let previousCount = frames.count
        frames.count = 0
        // Frames of the previous message that this one does not overwrite are released, so that a
        // large frame is not kept alive by a container that now holds a shorter message.
        defer { frames.releaseSlots(from: frames.count, upTo: previousCount) }
        var flags = options.rawValue
        var index = 0
        while true {
            let slot = frames.slot(at: index)
            while zmq_msg_recv(slot, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EAGAIN && index == 0 { return false }
                if code != EINTR { throw ZeroMQError(code: code, operation: "zmq_msg_recv") }
            }
            index += 1
            frames.count = index
            if zmq_msg_more(slot) == 0 { return true }
            // The remaining frames of a multipart message arrive together with the first.
            flags = 0
        }
    }

    /// Receives the next multipart message into a new ``MultipartMessage``; `nil` on timeout.
    public func receiveMultipart(options: ReceiveOptions = []) throws(ZeroMQError) -> MultipartMessage? {
        var frames = MultipartMessage()
        guard try receive(into: &frames, options: options) else { return nil }
        return frames
    }
}

/// Sockets are deliberately not `Sendable`: libzmq sockets must not be used from two threads
/// at once. Transfer a socket whole (`sending`), or create it where it is used.
@available(*, unavailable, message: "libzmq sockets are not thread-safe; transfer with `sending`")
extension Socket: Sendable {}
