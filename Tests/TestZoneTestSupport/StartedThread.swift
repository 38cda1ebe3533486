import Foundation
import Synchronization

/// A blocking body running on a thread of its own, started at once; ``value`` awaits its result.
///
/// Tests that block in libzmq (a recorder, a receiver, a sender) must not block Swift's
/// cooperative pool, which has one thread per core and is shared by every test running in
/// parallel. `async let x = someThreadRunner { ... }` is not enough: the `async let` child task
/// must first get a pool thread before it can even create its thread, and on a loaded 2-core CI
/// machine that took minutes, long enough for the other side of a socket to give up. Here the
/// thread is created and started in the initializer, on the caller's thread.
public final class StartedThread<Value: Sendable>: Sendable {
    private enum State {
        case running(waiter: CheckedContinuation<Value, any Error>?)
        case finished(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.running(waiter: nil))

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in finish(Result { try body() }) }
        thread.start()
    }

    /// The body's result, or the error it threw, once it has returned.
    public var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let finished: Result<Value, any Error>? = state.withLock { state in
                    switch state {
                    case .finished(let result): return result
                    case .running:
                        state = .running(waiter: continuation)
                        return nil
                    }
                }
                if let finished { continuation.resume(with: finished) }
            }
        }
    }

    private func finish(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard case .running(let waiter) = state else { return nil }
            state = .finished(result)
            return waiter
        }
        waiter?.resume(with: result)
    }
}

/// Runs a blocking `body` on a thread of its own (outside Swift's cooperative pool) and awaits
/// its result. To run it concurrently with what follows, use ``StartedThread`` instead of
/// `async let`.
public func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await StartedThread(body).value
}
