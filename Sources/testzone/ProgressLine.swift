import Foundation

/// A status line on standard error for long work (`inspect` of a folder, `export`, `clip`,
/// `simulate`, `replay --db`, `report`): rewritten in place on a terminal (at most 5 times a
/// second), one plain line every 2 s otherwise, nothing for work that ends within the first 2 s.
/// With the share done it adds the percentage and the rate-based ETA, and on a terminal a bar.
///
/// `TESTZONE_PROGRESS_SECONDS` (a number of seconds) changes the 2 s of the plain lines (and of
/// the quiet start), for tests and for logs that want fewer lines.
final class ProgressLine {
    let label: String
    private let start = ContinuousClock.now
    private var lastShown: ContinuousClock.Instant?
    private var shownOnTerminal = false
    private let terminal: Bool
    private let period: Duration

    init(label: String, terminal: Bool = StandardError.isTerminal) {
        self.label = label
        self.terminal = terminal
        let seconds = ProcessInfo.processInfo.environment["TESTZONE_PROGRESS_SECONDS"].flatMap(Double.init)
        period = seconds.map { .milliseconds(Int64(max(0, $0) * 1000)) } ?? .seconds(2)
    }

    /// Shows `status` if enough time has passed since the last update shown; with `done` (the
    /// share of the work done, 0...1) also the percentage and the estimated time left.
    func update(_ status: @autoclosure () -> String, done: Double? = nil) {
        let now = ContinuousClock.now
        guard now - start >= period || lastShown != nil else { return }
        let interval: Duration = terminal ? .milliseconds(200) : period
        if let lastShown, now - lastShown < interval { return }
        lastShown = now
        var text = "\(label): "
        if let done, terminal { text += Self.bar(done) + " " }
        text += status()
        if let done { text += Self.eta(done: done, elapsed: now - start) }
        if terminal {
            StandardError.write("\r\u{1B}[K\(text)")
            shownOnTerminal = true
        } else {
            StandardError.line(text)
        }
    }

    /// `, 42%, ETA 1m05s` (no ETA before 1 % is done).
    static func eta(done: Double, elapsed: Duration) -> String {
        let share = min(1, max(0, done))
        var text = ", \(Int((share * 100).rounded(.down)))%"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if share >= 0.01, share < 1 {
            let left = seconds * (1 - share) / share
            text += ", ETA \(RecordingArguments.formatSpan(UInt64(left * 1e9)))"
        }
        return text
    }

    /// `[#########---------------------]`: 30 cells, filled by the share done.
    static func bar(_ done: Double, width: Int = 30) -> String {
        let filled = Int(min(1, max(0, done)) * Double(width))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            + "]"
    }

    /// Clears the line on a terminal.
    func finish() {
        if shownOnTerminal { StandardError.write("\r\u{1B}[K") }
    }
}
