import ArgumentParser
import Recording
import ZeroMQ

/// `testzone record`: journals what arrives on ZeroMQ to an MCAP file.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record ZeroMQ traffic (topic, payload, optional time frame) to an MCAP journal.",
        discussion: """
            Binds a PULL socket (--listen, gateways push to it) and/or connects SUB sockets to PUB \
            feeds (--subscribe, all topics). Each message becomes an MCAP message on the channel \
            named after its topic (README: "Recording and replay"). The open chunk is flushed to \
            disk every --flush-interval, so a crash loses at most that much. Stops on SIGINT or \
            SIGTERM, after --duration, or when the file reaches --max-size; the summary is always \
            written. Progress goes to standard error.
            """
    )

    @Option(help: "Bind a PULL socket at this endpoint (e.g. tcp://*:5555).")
    var listen: String?

    @Option(parsing: .upToNextOption, help: "Connect SUB sockets to these PUB endpoints.")
    var subscribe: [String] = []

    @Option(name: [.short, .long], help: "The MCAP file to write.")
    var out: String

    @Option(help: "Stop after this long (e.g. 30s, 10m, 1h).")
    var duration: RecordingArguments.Span?

    @Option(
        name: .customLong("max-size"), help: "Stop when the file reaches about this size (e.g. 100MB, 2GiB).")
    var maxSize: RecordingArguments.ByteSize?

    @Option(help: "Chunk compression: zstd, lz4 or none.")
    var compression: String = "zstd"

    @Option(help: "Zone name stored in the journal's testzone metadata record (default: unnamed).")
    var zoneName: String?

    @Option(name: .customLong("zone"), help: .hidden)
    var zoneDeprecated: String?

    /// `--zone-name`, or its old spelling `--zone`.
    var zone: String { zoneName ?? zoneDeprecated ?? "unnamed" }

    @Option(name: .customLong("flush-interval"), help: "Close the open chunk and write it this often.")
    var flushInterval: RecordingArguments.Span = .init(nanoseconds: 1_000_000_000)

    @Option(name: .customLong("chunk-size"), help: "Uncompressed chunk size.")
    var chunkSize: RecordingArguments.ByteSize = .init(bytes: 1 << 20)

    @Flag(help: "No progress line.")
    var quiet = false

    @OptionGroup var curve: CurveOptions

    func validate() throws {
        if zoneDeprecated != nil {
            CommandFailure.deprecated("record", "--zone", use: "--zone-name")
            if zoneName != nil { throw ValidationError("give --zone-name only (--zone is its old spelling)") }
        }
        try InputFiles.requireWritable(out, "cannot write the recording")
        if listen == nil && subscribe.isEmpty {
            throw ValidationError("give --listen ENDPOINT and/or --subscribe ENDPOINT...")
        }
        _ = try RecordingArguments.compression(compression)
        if chunkSize.bytes == 0 || chunkSize.bytes > 1 << 30 {
            throw ValidationError("--chunk-size must be between 1 B and 1 GiB")
        }
    }

    func run() throws {
        StopSignal.install()
        let curveKeys = try curve.role(command: "record")
        let context = try Context()
        var sockets: [Socket] = []
        if let listen {
            let pull = try Socket(context, .pull)
            try pull.setReceiveHighWaterMark(100_000)
            try pull.useCurve(curveKeys)
            try pull.bind(listen)
            sockets.append(pull)
        }
        for endpoint in subscribe {
            let sub = try Socket(context, .sub)
            try sub.setReceiveHighWaterMark(100_000)
            try sub.subscribe("")
            try sub.useCurve(curveKeys)
            try sub.connect(endpoint)
            sockets.append(sub)
        }
        let options = MCAPWriter.Options(
            compression: try RecordingArguments.compression(compression), chunkSize: Int(chunkSize.bytes),
            library: "testzone \(TestZone.softwareVersion)")
        let journal = try JournalWriter(
            path: out, zone: zone, softwareVersion: TestZone.softwareVersion, options: options)
        let recorder = Recorder(
            journal: journal, sockets: sockets,
            limits: .init(
                duration: duration?.duration, maxBytes: maxSize?.bytes, maxMessages: nil,
                flushInterval: flushInterval.duration))
        let progress = RecordProgressLine(enabled: !quiet)
        let result = try recorder.run(progress: progress.update) { StopSignal.requested }
        progress.finish(result, path: out)
        for socket in sockets { socket.close() }
    }
}

/// Counters of a recording session.
struct RecordProgress: Sendable {
    var messages: UInt64 = 0
    var payloadBytes: UInt64 = 0
    var fileBytes: UInt64 = 0
    var elapsed: Duration = .zero
    var malformedTimeFrames: UInt64 = 0
    /// Why the session ended (nil while running).
    var stopReason: String?

    var rate: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(messages) / seconds : 0
    }
}

/// The record loop: receives from the sockets, journals each message with its receive time,
/// flushes periodically, and finishes the journal (summary written) however it stops.
final class Recorder {
    struct Limits {
        var duration: Duration?
        var maxBytes: UInt64?
        /// Stop after this many messages (tests).
        var maxMessages: UInt64?
        var flushInterval: Duration
    }

    let journal: JournalWriter
    let sockets: [Socket]
    let limits: Limits

    init(journal: JournalWriter, sockets: [Socket], limits: Limits) {
        self.journal = journal
        self.sockets = sockets
        self.limits = limits
    }

    /// Records until `shouldStop()` or a limit; calls `progress` about twice a second.
    func run(progress: (RecordProgress) -> Void = { _ in }, shouldStop: () -> Bool) throws -> RecordProgress {
        let poller = Poller()
        for socket in sockets { _ = poller.add(socket) }
        let clock = ContinuousClock()
        let start = clock.now
        var lastFlush = start
        var lastProgress = start
        var frames = MultipartMessage()
        var state = RecordProgress()
        var stopReason: String?

        func snapshot() -> RecordProgress {
            state.messages = journal.messageCount
            state.payloadBytes = journal.payloadBytes
            state.fileBytes = journal.writer.bytesWritten + UInt64(journal.writer.openChunkBytes)
            state.elapsed = clock.now - start
            state.malformedTimeFrames = journal.malformedTimeFrames
            return state
        }

        receiving: while stopReason == nil {
            if shouldStop() {
                stopReason = "interrupted"
                break
            }
            if try poller.poll(timeout: .milliseconds(100)) > 0 {
                for (index, socket) in sockets.enumerated()
                where poller.readyEvents(at: index).contains(.readable) {
                    var drained = 0
                    while drained < 50_000, try socket.receive(into: &frames, options: .dontWait) {
                        drained += 1
                        let receiveTime = JournalFormat.now()
                        try frames.withUnsafeBytes(ofPart: 0) { (topic) throws(MCAPError) in
                            try frames.withUnsafeBytes(ofPart: 1) { (payload) throws(MCAPError) in
                                try frames.withUnsafeBytes(ofPart: 2) { (time) throws(MCAPError) in
                                    try journal.append(
                                        topic: topic, payload: payload, timeFrame: time,
                                        receiveTime: receiveTime)
                                }
                            }
                        }
                        if let maxMessages = limits.maxMessages, journal.messageCount >= maxMessages {
                            stopReason = "message limit reached"
                            break receiving
                        }
                        if let maxBytes = limits.maxBytes,
                            journal.writer.bytesWritten + UInt64(journal.writer.openChunkBytes) >= maxBytes
                        {
                            stopReason = "size limit reached"
                            break receiving
                        }
                    }
                }
            }
            let now = clock.now
            if now - lastFlush >= limits.flushInterval {
                try journal.flush()
                lastFlush = now
            }
            if let duration = limits.duration, now - start >= duration { stopReason = "duration reached" }
            if let maxBytes = limits.maxBytes,
                journal.writer.bytesWritten + UInt64(journal.writer.openChunkBytes) >= maxBytes
            {
                stopReason = "size limit reached"
            }
            if now - lastProgress >= .milliseconds(500) {
                progress(snapshot())
                lastProgress = now
            }
        }
        try journal.finish()
        var final = snapshot()
        final.fileBytes = journal.writer.bytesWritten
        final.stopReason = stopReason
        return final
    }
}

/// The progress line on standard error: rewritten in place on a terminal, one line every 10 s
/// otherwise.
final class RecordProgressLine {
    let enabled: Bool
    private var lastPlain: Duration = .zero

    init(enabled: Bool) { self.enabled = enabled }

    func text(_ p: RecordProgress) -> String {
        "recording: \(RecordingArguments.formatCount(p.messages)) messages, "
            + "\(RecordingArguments.formatBytes(p.fileBytes)), "
            + "\(RecordingArguments.formatCount(Int(p.rate))) msg/s, "
            + RecordingArguments.formatSpan(UInt64(p.elapsed.components.seconds) * 1_000_000_000)
    }

    func update(_ p: RecordProgress) {
        guard enabled else { return }
        if StandardError.isTerminal {
            StandardError.write("\r\u{1B}[K" + text(p))
        } else if p.elapsed - lastPlain >= .seconds(10) {
            lastPlain = p.elapsed
            StandardError.line(text(p))
        }
    }

    func finish(_ p: RecordProgress, path: String) {
        if enabled && StandardError.isTerminal { StandardError.write("\r\u{1B}[K") }
        var line = "recorded \(RecordingArguments.formatCount(p.messages)) messages "
        line += "(\(RecordingArguments.formatBytes(p.payloadBytes)) of payload) to \(path), "
        line += "\(RecordingArguments.formatBytes(p.fileBytes)), \(p.stopReason ?? "stopped")"
        if p.malformedTimeFrames > 0 {
            line += "; \(p.malformedTimeFrames) time frames were not 8 bytes (receive time used)"
        }
        StandardError.line(line)
    }
}
