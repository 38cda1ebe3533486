import CZeroMQ
import Synchronization

/// A libzmq context: the I/O threads and the registry that sockets live in.
///
/// Create one per process (or per independent subsystem) and share it freely: `Context` is
/// `Sendable` because libzmq contexts are thread-safe (every `zmq_ctx_*` function and
/// `zmq_socket` may be called on the same context from any thread concurrently; see
/// zmq_ctx_new(3)). Sockets, by contrast, are not (see ``Socket``).
///
/// Each ``Socket`` keeps its context alive. When the last reference goes away the context is
/// terminated (`zmq_ctx_term`), which waits for the sockets' linger periods to end. libzmq's
/// default linger is unlimited, so a socket closed with messages for a peer that never comes
/// keeps that termination waiting: give such sockets a finite ``Socket/setLinger(_:)``.
///
/// ``shutdown()`` is the way to stop threads that are blocked in a receive, a send or a poll:
/// from any thread, it makes every blocking call on the context's sockets fail with
/// ``ZeroMQError/isContextTerminated`` (`ETERM`); their owners then close the sockets.
public final class Context: @unchecked Sendable {
    // @unchecked Sendable: the state is the immutable context handle and an atomic flag, and libzmq documents
    // zmq_ctx_* and zmq_socket as thread-safe on a shared context.
    @usableFromInline
    let handle: UnsafeMutableRawPointer
    /// Set once by ``terminate()`` (atomic, so the context stays thread-safe).
    private let terminated = Atomic<Bool>(false)

    /// Creates a context.
    ///
    /// - Parameter ioThreads: the number of libzmq I/O threads (`ZMQ_IO_THREADS`); one handles
    ///   well over a million small messages per second, so the default of 1 rarely needs raising.
    public init(ioThreads: Int = 1) throws(ZeroMQError) {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError.last("zmq_ctx_new") }
        if ioThreads != 1 {
            guard zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads)) == 0 else {
                let error = ZeroMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
                zmq_ctx_term(handle)
                throw error
            }
        }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets return `ETERM` (now and from now on),
    /// without closing anything. Safe to call from any thread, including a signal-handling
    /// queue, and more than once.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    /// Terminates the context now (`zmq_ctx_term`): waits until every socket of the context is
    /// closed and each one's pending outgoing messages are sent or its linger period
    /// (``Socket/setLinger(_:)``) has ended. Close the sockets first. Returns how long it took,
    /// so a caller can tell a delivered queue from an expired linger. Later calls do nothing.
    @discardableResult
    public func terminate() -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        guard
            terminated.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
                .exchanged
        else { return .zero }
        // zmq_ctx_term may be interrupted by a signal; it is then to be called again.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
        return clock.now - start
    }

    deinit {
        terminate()
    }
}
