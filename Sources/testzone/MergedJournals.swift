import Recording

/// The messages of several recordings merged in log-time order (ties: the files' order), for
/// `export` and `clip`. Each file is read in its own indexed (log-time) cursor; the payloads
/// are lent, not copied.
final class MergedJournals {
    let readers: [MCAPReader]
    /// Earliest log time over all files (ns; 0 when they hold no message).
    let recordingStart: UInt64
    /// Latest log time over all files (ns).
    let recordingEnd: UInt64

    /// Opens the files (paths as given; see `JournalFiles.expand` for directories).
    init(files: [String]) throws(MCAPError) {
        var readers: [MCAPReader] = []
        for file in files { readers.append(try MCAPReader(path: file)) }
        self.readers = readers
        var start = UInt64.max
        var end: UInt64 = 0
        for reader in readers {
            if let stats = reader.summary?.statistics {
                if stats.messageCount > 0 {
                    start = min(start, stats.messageStartTime)
                    end = max(end, stats.messageEndTime)
                }
                continue
            }
            // No Statistics record: the first and last log times by a pass.
            let cursor = reader.makeCursor(MCAPQuery(order: .file), verifyCRCs: false)
            while let message = cursor.next() {
                start = min(start, message.logTime)
                end = max(end, message.logTime)
            }
        }
        recordingStart = start == .max ? 0 : start
        recordingEnd = end
    }

    /// Warnings of the last `forEach`, prefixed with the file's path.
    private(set) var warnings: [String] = []

    /// Calls `body` with each selected message in log-time order over all files, with the
    /// cursor it came from (for its channel and schema) and the file's index. The message's
    /// payload is valid only during the call.
    func forEach<E: Error>(
        _ query: MCAPQuery, _ body: (MCAPMessageView, MCAPMessageCursor, Int) throws(E) -> Void
    ) throws(E) {
        var query = query
        query.order = .logTime
        let cursors = readers.map { $0.makeCursor(query) }
        var heads = cursors.map { $0.next() }
        while true {
            var best = -1
            var bestTime = UInt64.max
            for (i, head) in heads.enumerated() {
                if let head, best < 0 || head.logTime < bestTime {
                    best = i
                    bestTime = head.logTime
                }
            }
            guard best >= 0, let message = heads[best] else { break }
            try body(message, cursors[best], best)
            heads[best] = cursors[best].next()
        }
        warnings = zip(readers, cursors).flatMap { reader, cursor in
            cursor.warnings.map { "\(reader.path): \($0)" }
        }
    }
}
