import CZeroMQ
import Dispatch
import Synchronization

/// One authentication request that libzmq hands to the ZAP handler (ZeroMQ Authentication
/// Protocol, RFC 27/ZAP) when a peer connects to a socket that has a security mechanism.
public struct ZAPRequest: Sendable, Hashable {
    /// The socket's ZAP domain (`ZMQ_ZAP_DOMAIN`, often empty).
    public var domain: String
    /// The peer's address as libzmq gives it, e.g. `127.0.0.1` for tcp.
    public var address: String
    /// The mechanism the peer used: `NULL`, `PLAIN` or `CURVE`.
    public var mechanism: String
    /// The mechanism's credentials: for `CURVE`, one frame with the client's 32-byte public key.
    public var credentials: [[UInt8]]

    /// Creates a request (as the handler parses it from the ZAP frames).
    public init(domain: String, address: String, mechanism: String, credentials: [[UInt8]]) {
        self.domain = domain
        self.address = address
        self.mechanism = mechanism
        self.credentials = credentials
    }

    /// The client's long-term public key, for a `CURVE` request.
    public var curvePublicKey: CurveKey? {
        guard mechanism == "CURVE", let first = credentials.first else { return nil }
        return CurveKey(bytes: first)
    }
}

/// What the ZAP handler answers to a ``ZAPRequest``.
public enum ZAPDecision: Sendable, Hashable {
    /// Admit the peer (status 200). `userID` becomes the `User-Id` metadata of every message
    /// received from this connection (``MultipartMessage/metadata(_:ofPart:)``).
    case allow(userID: String)
    /// Refuse the peer (status 400): the handshake never completes and no message of the peer
    /// is ever delivered.
    case deny(reason: String)
}

/// Serves libzmq's ZAP endpoint (`inproc://zeromq.zap.01`) of one ``Context`` on a thread of its
/// own, answering every authentication request with a decision function.
///
/// While a handler runs, every socket of the context that has a security mechanism (for example
/// a CURVE server, ``Socket/setCurveServer(_:)``) asks it about each connecting peer, and admits
/// only those it allows. Create the handler before the sockets bind, keep it alive as long as
/// they accept peers, and ``stop()`` it (or let it go) afterwards.
///
/// ```swift
/// let allowed: Set<CurveKey> = [gatewayKey]
/// let zap = try ZAPHandler(context: context) { request in
///     guard let key = request.curvePublicKey, allowed.contains(key) else {
///         return .deny(reason: "unknown key")
///     }
///     return .allow(userID: key.z85)
/// }
/// ```
///
/// The decision function runs on the handler's thread, one request at a time; it must be quick
/// and must not block (libzmq holds the peer's handshake until it answers).
public final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to (RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"

    private let decide: @Sendable (ZAPRequest) -> ZAPDecision
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let admittedCount = Atomic<Int>(0)
    private let deniedCount = Atomic<Int>(0)
    private let malformedCount = Atomic<Int>(0)
    private let stopped = Mutex<Bool>(false)

    /// Binds the ZAP endpoint of `context` and starts answering requests with `decide`.
    ///
    /// - Throws: ``ZeroMQError`` when the endpoint cannot be bound (`EADDRINUSE`: another
    ///   handler already serves this context).
    public init(
        context: Context, decide: @escaping @Sendable (ZAPRequest) -> ZAPDecision
    ) throws(ZeroMQError) {
        self.decide = decide
        // The REP socket is created and bound on the handler's own thread (sockets stay on the
        // thread that uses them); the bind result comes back through `ready`.
        let ready = DispatchSemaphore(value: 0)
        let bindResult = Mutex<ZeroMQError?>(nil)
        let queue = DispatchQueue(label: "testzone.zap")
        queue.async { [self] in
            let socket: Socket
            do throws(ZeroMQError) {
                socket = try Socket(context, .rep)
                try socket.setLinger(.zero)
                try socket.setReceiveTimeout(.milliseconds(100))
                try socket.bind(Self.endpoint)
            } catch {
                bindResult.withLock { $0 = error }
                ready.signal()
                finished.signal()
                return
            }
            ready.signal()
            serve(socket)
            // Unbind first: zmq_close releases an inproc endpoint only when libzmq's reaper gets
            // to the socket, and a handler started right after must be able to bind it again.
            try? socket.unbind(Self.endpoint)
            socket.close()
            finished.signal()
        }
        ready.wait()
        if let error = bindResult.withLock({ $0 }) {
            stopped.withLock { $0 = true }
            throw error
        }
    }

    deinit {
        stop()
    }

    /// Stops answering and unbinds the endpoint; waits up to about 100 ms for the thread.
    /// Peers that connect afterwards are refused by libzmq. Calling it again does nothing.
    public func stop() {
        let alreadyStopped = stopped.withLock { state in
            defer { state = true }
            return state
        }
        guard !alreadyStopped else { return }
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
    }

    /// How many peers were admitted so far.
    public var admitted: Int { admittedCount.load(ordering: .relaxed) }
    /// How many peers were refused so far.
    public var denied: Int { deniedCount.load(ordering: .relaxed) }
    /// How many requests did not follow RFC 27 (answered with status 500).
    public var malformed: Int { malformedCount.load(ordering: .relaxed) }

    private func serve(_ socket: Socket) {
        var frames = MultipartMessage(capacity: 8)
        while !stopRequested.load(ordering: .acquiring) {
            do throws(ZeroMQError) {
                guard try socket.receive(into: &frames) else { continue }
                try socket.send(multipart: answer(frames))
            } catch {
                // ETERM: the context is shutting down; anything else on an inproc REP socket
                // means it can no longer serve. Either way the handler ends.
                return
            }
        }
    }

    /// The reply frames (version, request id, status code, status text, user id, metadata).
    private func answer(_ frames: borrowing MultipartMessage) -> [[UInt8]] {
        let requestID = frames.bytes(ofPart: 1)
        guard frames.count >= 6, frames.string(ofPart: 0) == "1.0" else {
            malformedCount.add(1, ordering: .relaxed)
            return Self.reply(requestID, status: "500", text: "malformed ZAP request", userID: "")
        }
        let request = ZAPRequest(
            domain: frames.string(ofPart: 2),
            address: frames.string(ofPart: 3),
            mechanism: frames.string(ofPart: 5),
            credentials: (6..<frames.count).map { frames.bytes(ofPart: $0) }
        )
        switch decide(request) {
        case .allow(let userID):
            admittedCount.add(1, ordering: .relaxed)
            return Self.reply(requestID, status: "200", text: "OK", userID: userID)
        case .deny(let reason):
            deniedCount.add(1, ordering: .relaxed)
            return Self.reply(requestID, status: "400", text: reason, userID: "")
        }
    }

    private static func reply(_ requestID: [UInt8], status: String, text: String, userID: String) -> [[UInt8]]
    {
        [Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), Array(userID.utf8), []]
    }
}
