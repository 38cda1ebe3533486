import Foundation
import Synchronization

/// A ``ProgressLine`` for work that is told in steps rather than in counts (`report`): a thread
/// redraws it ten times a second, so that a plain status line still comes every 2 s during a
/// step that takes long. The share done, and from it the ETA, is the sum of the weights of the
/// steps finished.
final class StepProgress: Sendable {
    private struct State {
        var line: ProgressLine
        var step = "starting"
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

    /// A new step, `done` the share of the whole work done before it (0...1).
    func step(_ text: String, done: Double) {
        state.withLock {
            $0.step = text
            $0.done = done
            $0.stepStarted = ContinuousClock.now
        }
    }

    /// Stops the thread and clears the line on a terminal.
    func finish() {
        state.withLock { $0.stopped = true }
        stopped.wait()
        state.withLock { $0.line.finish() }
    }

    private func tick() {
        while true {
            let stop = state.withLock { state -> Bool in
                if state.stopped { return true }
                let inStep = UInt64((ContinuousClock.now - state.stepStarted).seconds * 1e9)
                state.line.update(
                    "\(state.step) (\(RecordingArguments.formatSpan(inStep)))", done: state.done)
                return false
            }
            if stop { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stopped.signal()
    }
}
