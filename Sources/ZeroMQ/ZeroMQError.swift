import CZeroMQ

/// A failed libzmq call: the errno it reported, libzmq's text for it, and what was being done.
///
/// Every throwing API of this module throws `ZeroMQError` (typed throws), so callers can switch on
/// ``code`` or use the predicates ``isWouldBlock`` (EAGAIN: a timeout expired or a non-blocking
/// call could not proceed) and ``isContextTerminated`` (ETERM: the socket's ``Context`` was shut
/// down; close the socket and stop).
///
/// ```swift
/// do {
///     try socket.bind("tcp://127.0.0.1:5555")
/// } catch {
///     print(error)  // zmq_bind tcp://127.0.0.1:5555: Address already in use (errno 98)
/// }
/// ```
public struct ZeroMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value (POSIX codes such as `EADDRINUSE`, or libzmq's own such as `ETERM`).
    public var code: Int32
    /// libzmq's description of ``code`` (`zmq_strerror`).
    public var message: String
    /// The libzmq function or wrapper operation that failed, e.g. `zmq_bind`.
    public var operation: String
    /// The endpoint involved, for bind/connect/unbind/disconnect failures.
    public var endpoint: String?

    /// Creates an error for `code`, looking up libzmq's text for it.
    public init(code: Int32, operation: String, endpoint: String? = nil) {
        self.code = code
        self.message = String(cString: zmq_strerror(code))
        self.operation = operation
        self.endpoint = endpoint
    }

    /// Creates an error from the calling thread's current `zmq_errno()`.
    @usableFromInline
    static func last(_ operation: String, endpoint: String? = nil) -> ZeroMQError {
        ZeroMQError(code: zmq_errno(), operation: operation, endpoint: endpoint)
    }

    /// `EAGAIN`: a send/receive timeout expired, or a non-blocking call would have blocked.
    public var isWouldBlock: Bool { code == EAGAIN }

    /// `ETERM`: the context was shut down (``Context/shutdown()``); the socket must be closed.
    public var isContextTerminated: Bool { code == ETERM }

    /// `ENOTSOCK`-like misuse: the socket was already closed.
    public var isClosedSocket: Bool { code == ENOTSOCK }

    public var description: String {
        var text = operation
        if let endpoint { text += " \(endpoint)" }
        return text + ": \(message) (errno \(code))"
    }
}

/// The errno values this module tests for, as named constants for callers' `switch`es.
extension ZeroMQError {
    /// `EAGAIN`.
    public static let wouldBlockCode: Int32 = EAGAIN
    /// `ETERM` (libzmq: context terminated).
    public static let contextTerminatedCode: Int32 = ETERM
    /// `EINTR`: never surfaces from this module's calls; they are retried.
    public static let interruptedCode: Int32 = EINTR
}
