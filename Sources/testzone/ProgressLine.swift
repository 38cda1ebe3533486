import Foundation

/// A status line on standard error for long work (`inspect` of a folder, `export`, `clip`):
/// rewritten in place on a terminal (at most 5 times a second), one plain line every 2 s
/// otherwise, nothing for work that ends within the first 2 s.
final class ProgressLine {
    let label: String
    private let start = ContinuousClock.now
    private var lastShown: ContinuousClock.Instant?
    private var shownOnTerminal = false

    init(label: String) { self.label = label }

    /// Shows `status` if enough time has passed since the last update shown.
    func update(_ status: @autoclosure () -> String) {
        let now = ContinuousClock.now
        guard now - start >= .seconds(2) || lastShown != nil else { return }
        let interval: Duration = StandardError.isTerminal ? .milliseconds(200) : .seconds(2)
        if let lastShown, now - lastShown < interval { return }
        lastShown = now
        if StandardError.isTerminal {
            StandardError.write("\r\u{1B}[K\(label): \(status())")
            shownOnTerminal = true
        } else {
            StandardError.line("\(label): \(status())")
        }
    }

    /// Clears the line on a terminal.
    func finish() {
        if shownOnTerminal { StandardError.write("\r\u{1B}[K") }
    }
}
