import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns SIGINT and SIGTERM into a call of `onSignal` on a dispatch queue, so that a command can
/// stop cleanly (typically by calling `Context.shutdown()`, which unblocks its receives).
///
/// The handler is an ordinary closure run by Dispatch, not a C signal handler: it may do
/// anything. A second signal while the first is being handled ends the process at once with the
/// conventional status 128 + signal number, for a stop that hangs.
///
/// Lives outside `main.swift` on purpose (DESIGN.md section 6: callbacks in top-level code are
/// inferred main-actor isolated).
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]

    /// Starts catching `signals` (default SIGINT and SIGTERM).
    init(_ signals: [Int32] = [SIGINT, SIGTERM], onSignal: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        let queue = DispatchQueue(label: "testzone.signals")
        let received = SignalCount()
        sources = signals.map { number in
            // The default action must be ignored for Dispatch to see the signal instead.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.increment() > 1 { _exit(128 + number) }
                onSignal(number)
            }
            source.resume()
            return source
        }
    }

    /// Stops catching the signals and restores their default actions.
    func cancel() {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit { cancel() }
}

/// How many signals arrived; touched only on the signal queue (a serial queue).
private final class SignalCount: @unchecked Sendable {
    // @unchecked Sendable: `count` is read and written only by the event handlers, which all run
    // on the same serial dispatch queue.
    private var count = 0

    func increment() -> Int {
        count += 1
        return count
    }
}
