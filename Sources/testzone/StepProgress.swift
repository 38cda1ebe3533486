import Foundation
import Synchronization

/// A ``ProgressLine`` for work that is told in steps rather than in counts (`report`): a thread
/// redraws it ten times a second, so that a plain status line still comes every 2 s during a
/// step that takes long. The share done, and from it the ETA, is the sum of the weights of the
/// steps finished.
final class StepProgress: Sendable {
    private struct State {
        var line: ProgressLine
        /// The current step's words (`nil` before the first step).
        var step: String?
        var done = 0.0
        var stepStarted = ContinuousClock.now
        var stopped = false
    }

    private let state: Mutex<State>
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts the thread that shows the line (``finish()`` ends it).
    init(label: String) {
        state = Mutex(State(line: ProgressLine(label: label)))
        Thread { [self] in tick() }.start()
    }

    /// A new step, `done` the share of the whole work done before it (0...1); shown at once
    /// when the line is due.
    func step(_ text: String, done: Double) {
        state.withLock {
            $0.step = text
            $0.done = done
            $0.stepStarted = ContinuousClock.now
            Self.show(&$0)
        }
    }

    /// Stops the thread and clears the line on a terminal.
    func finish() {
        state.withLock { $0.stopped = true }
        stopped.wait()
        state.withLock { $0.line.finish() }
    }

    /// Updates the line with the current step and the time spent in it.
    private static func show(_ state: inout State) {
        guard let step = state.step else { return }
        let inStep = UInt64((ContinuousClock.now - state.stepStarted).seconds * 1e9)
        state.line.update("\(step) (\(RecordingArguments.formatSpan(inStep)))", done: state.done)
    }

    private func tick() {
        while true {
            let stop = state.withLock { state -> Bool in
                if state.stopped { return true }
                Self.show(&state)
                return false
            }
            if stop { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stopped.signal()
    }
}
