import ArgumentParser
import Foundation
import Recording
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// `testzone replay`: publishes recorded messages on ZeroMQ with their original spacing.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay MCAP recordings onto ZeroMQ (topic, payload, 8-byte time frame).",
        discussion: """
            Several files are merged in log-time order. Messages are sent with their original \
            spacing (log times) divided by --speed; --speed max sends as fast as the socket takes \
            them. The time frame carries the message's publish time (the gateway time when it was \
            recorded) in big-endian microseconds. --publish binds a PUB socket (consumers \
            --subscribe to it; replay waits up to --wait for a first subscriber, then publishes \
            anyway: PUB has no peer to wait for, and frames no subscriber takes are dropped); \
            --push connects a PUSH socket to a `record --listen` or ingest PULL endpoint \
            (lossless): it sends nothing before the peer has taken the connection, says so on \
            standard error after 1 s, and gives up (exit 2) after --connect-timeout. --from/--to \
            take an ISO 8601 time or an offset from the recordings' start (90, 2m30s).
            """
    )

    @Argument(help: "MCAP recordings to replay (merged in log-time order).")
    var files: [String]

    @Option(help: "Bind a PUB socket at this endpoint and publish there.")
    var publish: String?

    @Option(help: "Connect a PUSH socket to this endpoint and send there (blocks when the peer is slow).")
    var push: String?

    @Option(help: "Playback speed: a factor (1 = real time, 10 = ten times faster) or max. (default: 1)")
    var speed: ReplaySpeed?

    @Flag(help: "Start again from the beginning after the end (until interrupted).")
    var loop = false

    @Option(help: "Start at this time (ISO 8601, or offset from the start: 90, 2m30s).")
    var from: RecordingArguments.TimePoint?

    @Option(help: "Stop before this time (ISO 8601, or offset from the start).")
    var to: RecordingArguments.TimePoint?

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("Only topics starting with this prefix (repeatable).", valueName: "prefix"))
    var topicPrefixes: [String] = []

    @Option(name: .customLong("topics"), parsing: .upToNextOption, help: .hidden)
    var topicsDeprecated: [String] = []

    /// `--topic`, or the old `--topics`.
    var topics: [String] { topicPrefixes + topicsDeprecated }

    @Option(help: "With --publish: wait up to this long for a first subscriber before sending.")
    var wait: RecordingArguments.Span = .init(nanoseconds: 5_000_000_000)

    @Option(
        name: .customLong("connect-timeout"),
        help: """
            With --push: give up (exit 2) when no peer has taken the connection within this long \
            (0: wait without limit).
            """)
    var connectTimeout: RecordingArguments.Span = .init(nanoseconds: 10_000_000_000)

    @Option(
        help: """
            With --push/--publish: at the end, wait up to this long for the peer to take the frames \
            still queued (exit 1, saying so, when some are left unsent).
            """)
    var linger: RecordingArguments.Span = .init(nanoseconds: 30_000_000_000)

    @OptionGroup var curve: CurveOptions

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(
        help: "Instead of sockets: run the recordings through decoding and metrics into this SQLite database."
    )
    var db: String?

    @Option(help: "With --db: the zone configuration (zone.toml).")
    var config: String?

    @Option(
        parsing: .upToNextOption,
        help:
            "With --db: recordings whose MAP frames give the road network (default: the replayed recordings)."
    )
    var map: [String] = []

    func validate() throws {
        if !topicsDeprecated.isEmpty { CommandFailure.deprecated("replay", "--topics", use: "--topic") }
        try validateOptions()
        // The files last: a wrong combination of options is the first thing to say.
        try InputFiles.require(files, "cannot read the recording")
        try InputFiles.require(config, "cannot read the zone configuration")
        try InputFiles.require(map, "cannot read the road network")
        if let db {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: db, isDirectory: &isDirectory), isDirectory.boolValue {
                throw CommandFailure("cannot use the database", db, "is a directory, not a database file")
            }
        }
    }

    private func validateOptions() throws {
        if files.isEmpty { throw ValidationError("give at least one MCAP file") }
        if db == nil && !map.isEmpty {
            throw ValidationError("--map goes with --db (socket replay sends the frames as they are)")
        }
        if db != nil {
            if publish != nil || push != nil {
                throw ValidationError("--db replays into a database, not onto sockets")
            }
            if config == nil { throw ValidationError("--db needs --config zone.toml") }
            if from != nil || to != nil || !topics.isEmpty || loop || speed != nil {
                throw ValidationError(
                    "--from, --to, --topic, --loop and --speed apply to socket replay only (--db reads as fast as it can)"
                )
            }
            GivenOptions.warnIgnored(
                "replay",
                ["--wait", "--linger", "--connect-timeout", "--curve-secret-key", "--curve-server-key"],
                "with --db (it replays into a database, not onto a socket)")
            return
        }
        if curve.isOn, curve.curveServerKey == nil {
            throw ValidationError(
                "replay is a CURVE client: give --curve-server-key (ingest's public key) too")
        }
        if (publish == nil) == (push == nil) {
            throw ValidationError(
                "give exactly one of --publish ENDPOINT or --push ENDPOINT, or --db with --config")
        }
        if push != nil {
            GivenOptions.warnIgnored(
                "replay", ["--wait"],
                "with --push (it is how long --publish waits for a first subscriber; --push waits for its peer up to --connect-timeout)"
            )
        } else {
            GivenOptions.warnIgnored(
                "replay", ["--connect-timeout"],
                "with --publish (a PUB socket binds and has no peer to wait for; --wait sets how long it waits for a first subscriber)"
            )
        }
        GivenOptions.warnIgnored(
            "replay", ["--config"], "without --db (socket replay sends the frames as they are)")
    }

    func run() throws {
        if let db, let config {
            try ReplayToDatabase(files: files, database: db, configuration: config, map: map, quiet: quiet)
                .run()
            return
        }
        StopSignal.install()
        let options = ReplayOptions(
            speed: speed ?? .factor(1), from: from, to: to, topicPrefixes: topics.isEmpty ? nil : topics)
        try runOnSocket(options)
    }

    /// Sends the messages on a PUB or PUSH socket.
    private func runOnSocket(_ options: ReplayOptions) throws {
        let replay = try Replay(files: files, options: options)
        if !replay.hasMessages {
            // Said before any socket is opened: no wait for a peer to send it nothing.
            for warning in replay.warnings { CommandFailure.printWarning("replay", warning) }
            throw Self.noFrames(files: files, problems: replay.warnings.count)
        }
        let curveKeys = try curve.role(command: "replay")
        let context = try Context()
        let socket: Socket
        if let publish {
            socket = try Socket(context, .xpub)  // XPUB: sees subscriptions, sends like PUB
            try socket.setSendHighWaterMark(1_000_000)
            try socket.useCurve(curveKeys)
            try socket.bind(publish)
            if !waitForSubscriber(socket) {
                StandardError.line(
                    "replay: no subscriber within \(wait.defaultValueDescription); publishing "
                        + "anyway (a PUB socket drops what no subscriber takes)"
                )
            }
        } else {
            socket = try Socket(context, .push)
            try socket.setSendHighWaterMark(Self.pushQueue)
            // Frames are queued only to a connected peer: with nobody at the endpoint nothing is
            // queued, and the wait below sees that no peer has come.
            try socket.setImmediate(true)
            try socket.useCurve(curveKeys)
            try socket.connect(push ?? "")
            do {
                try waitForPeer(socket, endpoint: push ?? "")
            } catch {
                try? socket.setLinger(.zero)
                socket.close()
                _ = context.terminate()
                throw error
            }
        }
        try socket.setSendTimeout(.milliseconds(200))
        try socket.setLinger(linger.duration)
        let bar = ReplayProgressBar(enabled: !quiet, speed: speed ?? .factor(1))
        var pass = 0
        var sent: UInt64 = 0
        repeat {
            pass += 1
            let result = try replay.run(socket: socket, progress: bar.update) { StopSignal.requested }
            bar.finish(result, pass: pass)
            sent += result.messages
            if result.interrupted || result.messages == 0 { break }
        } while loop && !StopSignal.requested
        for warning in replay.warnings { CommandFailure.printWarning("replay", "\(warning)") }
        // The end: every frame handed to the peer before the process exits. Terminating the
        // context waits until the queue is sent or the linger has passed (libzmq then drops what
        // is left, without telling how much: at most the send queue).
        socket.close()
        let took = context.terminate()
        if took >= linger.duration {
            let queue = publish != nil ? 1_000_000 : Self.pushQueue
            CommandFailure.printError(
                "replay",
                "frames left unsent (\(publish ?? push ?? "")): the peer did not take "
                    + "the last frames within \(linger.defaultValueDescription); up to "
                    + "\(RecordingArguments.formatCount(queue)) queued frames were dropped")
            throw ExitCode(1)
        }
        if sent == 0 && !StopSignal.requested {
            throw Self.noFrames(files: files, problems: replay.warnings.count)
        }
        if !replay.warnings.isEmpty {
            StandardError.line(
                "replay: the recordings had \(replay.warnings.count) problem(s) (warnings above): "
                    + "the frames before each were sent, the rest of that file was not readable")
        }
    }

    /// The error of a replay with nothing to send.
    static func noFrames(files: [String], problems: Int) -> CommandFailure {
        CommandFailure(
            "no frames", files.joined(separator: ", "),
            "nothing to send (an empty, foreign or damaged recording"
                + (problems == 0 ? "" : "; \(problems) problem(s) above") + ")")
    }

    /// Waits until a peer has taken the PUSH socket's connection (with `ZMQ_IMMEDIATE` the socket
    /// is writable only then): says so on standard error after 1 s, and throws a
    /// ``CommandFailure`` after `--connect-timeout` (0: no limit), `ExitCode(130)` when stopped.
    private func waitForPeer(_ socket: Socket, endpoint: String) throws {
        let poller = Poller()
        let index = poller.add(socket, events: .writable)
        let clock = ContinuousClock()
        let started = clock.now
        let limit = connectTimeout.nanoseconds > 0 ? connectTimeout.duration : nil
        let limitText = connectTimeout.defaultValueDescription
        var announced = false
        while true {
            if try poller.poll(timeout: .milliseconds(100)) > 0,
                poller.readyEvents(at: index).contains(.writable)
            {
                if announced {
                    let waited = UInt64((clock.now - started).seconds * 1e9)
                    StandardError.line(
                        "replay: connected to \(endpoint) after \(RecordingArguments.formatSpan(waited))")
                }
                return
            }
            if StopSignal.requested { throw ExitCode(130) }
            let waited = clock.now - started
            if !announced && waited >= .seconds(1) {
                announced = true
                StandardError.line(
                    "replay: waiting for a peer at \(endpoint) (testzone ingest --listen or record --listen); "
                        + (limit == nil
                            ? "no time limit (--connect-timeout 0)"
                            : "giving up after \(limitText) (--connect-timeout)"))
            }
            if let limit, waited >= limit {
                throw CommandFailure(
                    "no peer", endpoint,
                    "nothing took the connection within \(limitText) (is testzone ingest --listen or record --listen "
                        + "running there, with matching CURVE keys?); --connect-timeout waits longer, 0 without limit"
                )
            }
        }
    }

    /// Send queue of the PUSH socket (messages): the most that can be left unsent at the end.
    static let pushQueue = 1000

    /// Waits for the first subscription message on an XPUB socket.
    private func waitForSubscriber(_ socket: Socket) -> Bool {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + wait.duration
        var announced = false
        var message = Message()
        while clock.now < deadline && !StopSignal.requested {
            if !announced && clock.now - started >= .seconds(1) {
                announced = true
                StandardError.line(
                    "replay: waiting up to \(wait.defaultValueDescription) for a first subscriber "
                        + "on \(publish ?? "") (--wait)")
            }
            try? socket.setReceiveTimeout(.milliseconds(100))
            if (try? socket.receive(into: &message)) == true, message.count > 0,
                message.withUnsafeBytes({ $0[0] }) == 1
            {
                return true
            }
        }
        return false
    }
}

/// `--speed`: a factor or `max`.
enum ReplaySpeed: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    case factor(Double)
    case max

    init?(argument: String) {
        if argument.lowercased() == "max" {
            self = .max
        } else if let value = Double(argument), value > 0, value.isFinite {
            self = .factor(value)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .factor(let f): return f == f.rounded() ? "x\(Int(f))" : "x\(f)"
        case .max: return "max"
        }
    }
}

struct ReplayOptions: Sendable {
    var speed: ReplaySpeed = .factor(1)
    var from: RecordingArguments.TimePoint?
    var to: RecordingArguments.TimePoint?
    var topicPrefixes: [String]?
}

/// Counters of one replay pass.
struct ReplayResult: Sendable {
    var messages: UInt64 = 0
    var bytes: UInt64 = 0
    /// Log time of the last message sent, and the pass's time range.
    var currentTime: UInt64 = 0
    var startTime: UInt64 = 0
    var endTime: UInt64 = 0
    var elapsed: Duration = .zero
    var interrupted = false
}

/// Merges the messages of several recordings in log-time order and sends them with their
/// original spacing scaled by the speed.
final class Replay {
    let readers: [MCAPReader]
    let options: ReplayOptions
    /// Earliest and latest log time over all files (before --from/--to).
    let recordingStart: UInt64
    let recordingEnd: UInt64
    /// The time range replayed ([startTime, endTime)).
    let startTime: UInt64
    let endTime: UInt64
    /// Warnings of the last pass, per file (truncation, corruption); before the first pass, those
    /// of reading the files without a summary for their time range.
    private(set) var warnings: [String] = []
    /// Whether the recordings hold any message at all (an empty or wholly damaged one does not).
    let hasMessages: Bool

    init(files: [String], options: ReplayOptions) throws {
        readers = try files.map { path in try MCAPReader(path: path) }
        self.options = options
        var start = UInt64.max
        var end: UInt64 = 0
        for reader in readers {
            if let stats = reader.summary?.statistics, stats.messageCount > 0 {
                start = min(start, stats.messageStartTime)
                end = max(end, stats.messageEndTime)
            } else if reader.summary?.statistics == nil {
                // No summary: the first and last messages in log-time order.
                let cursor = reader.makeCursor(MCAPQuery())
                while let message = cursor.next() {
                    start = min(start, message.logTime)
                    end = max(end, message.logTime)
                }
                warnings += cursor.warnings.map { "\(reader.path): \($0)" }
            }
        }
        hasMessages = start != .max
        if start == .max { start = 0 }
        recordingStart = start
        recordingEnd = end
        startTime = options.from?.resolve(start: start) ?? start
        endTime = options.to?.resolve(start: start) ?? (end == .max ? end : end + 1)
    }

    /// One pass over the selected messages. `progress` is called about five times a second.
    func run(socket: Socket, progress: (ReplayResult) -> Void = { _ in }, shouldStop: () -> Bool) throws
        -> ReplayResult
    {
        let query = MCAPQuery(
            startTime: startTime, endTime: endTime, topicPrefixes: options.topicPrefixes, order: .logTime)
        let cursors = readers.map { $0.makeCursor(query) }
        var heads: [MCAPMessageView?] = cursors.map { $0.next() }
        // Topic frames per file and channel id, built on first use.
        var topicFrames: [[Int: [UInt8]]] = Array(repeating: [:], count: cursors.count)
        var timeFrame = [UInt8](repeating: 0, count: 8)

        var result = ReplayResult()
        result.startTime = startTime
        result.endTime = min(endTime, recordingEnd &+ 1)
        let clock = ContinuousClock()
        let wallStart = clock.now
        var lastProgress = wallStart
        var firstLogTime: UInt64?

        while true {
            var best = -1
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                if best < 0 || head.logTime < heads[best]!.logTime { best = index }
            }
            guard best >= 0, let message = heads[best] else { break }
            if shouldStop() {
                result.interrupted = true
                break
            }
            // Pacing: the message is due at its offset from the first one, divided by the speed.
            let first = firstLogTime ?? message.logTime
            firstLogTime = first
            if case .factor(let factor) = options.speed {
                let offset = Double(message.logTime &- first) / factor
                let due = wallStart + .nanoseconds(Int64(min(offset, 9e18)))
                while clock.now < due {
                    if shouldStop() {
                        result.interrupted = true
                        break
                    }
                    let remaining = min(clock.now.duration(to: due), .milliseconds(100))
                    var request = timespec(
                        tv_sec: 0, tv_nsec: Int(remaining.components.attoseconds / 1_000_000_000))
                    if remaining.components.seconds > 0 { request.tv_nsec = 100_000_000 }
                    nanosleep(&request, nil)
                }
                if result.interrupted { break }
            }
            let topic: [UInt8]
            if let known = topicFrames[best][Int(message.channelID)] {
                topic = known
            } else {
                topic = Array((cursors[best].channel(message.channelID)?.topic ?? "").utf8)
                topicFrames[best][Int(message.channelID)] = topic
            }
            timeFrame.withUnsafeMutableBytes {
                $0.storeBytes(of: (message.publishTime / 1_000).bigEndian, as: UInt64.self)
            }
            guard
                try send(
                    socket, topic: topic, payload: message.payload, time: timeFrame, shouldStop: shouldStop)
            else {
                result.interrupted = true
                break
            }
            result.messages += 1
            result.bytes += UInt64(message.payload.count)
            result.currentTime = message.logTime
            heads[best] = cursors[best].next()

            let now = clock.now
            if now - lastProgress >= .milliseconds(200) {
                result.elapsed = now - wallStart
                progress(result)
                lastProgress = now
            }
        }
        result.elapsed = clock.now - wallStart
        warnings = zip(readers, cursors).flatMap { reader, cursor in
            cursor.warnings.map { "\(reader.path): \($0)" }
        }
        return result
    }

    /// How long the socket may stay full before replay says that the peer takes nothing.
    static let stallNotice: Duration = .seconds(10)

    /// Sends one three-frame message, retrying while the socket is full; false when stopped.
    private func send(
        _ socket: Socket, topic: [UInt8], payload: UnsafeRawBufferPointer, time: [UInt8],
        shouldStop: () -> Bool
    ) throws -> Bool {
        var stalledSince: ContinuousClock.Instant?
        var said = false
        while true {
            do {
                try socket.send(topic, options: .more)
                break
            } catch {
                guard error.isWouldBlock else { throw error }
            }
            if shouldStop() { return false }
            // A peer that takes nothing for a while is slow or gone: say so once, not silence.
            let now = ContinuousClock.now
            let since = stalledSince ?? now
            stalledSince = since
            if !said, now - since >= Self.stallNotice {
                said = true
                StandardError.line(
                    "replay: the peer has taken no frame for \(Int(Self.stallNotice.seconds))s (slow, or gone); "
                        + "waiting for it (Ctrl-C stops)")
            }
        }
        if said, let stalledSince {
            let waited = UInt64((ContinuousClock.now - stalledSince).seconds * 1e9)
            StandardError.line(
                "replay: the peer takes frames again after \(RecordingArguments.formatSpan(waited))")
        }
        // The remaining frames of a multipart message are queued with the first one.
        try socket.send(payload, options: .more)
        try socket.send(time)
        return true
    }
}

/// The progress bar on standard error on a terminal, a plain status line every 2 s otherwise
/// (``ProgressLine``); a final line in any case.
final class ReplayProgressBar {
    let enabled: Bool
    let speed: ReplaySpeed
    private let statusLine: ProgressLine?

    init(enabled: Bool, speed: ReplaySpeed) {
        self.enabled = enabled && StandardError.isTerminal
        self.speed = speed
        statusLine = enabled && !StandardError.isTerminal ? ProgressLine(label: "replay") : nil
    }

    func update(_ r: ReplayResult) {
        let span = Double(r.endTime &- r.startTime)
        let done = span > 0 ? min(1, max(0, Double(r.currentTime &- r.startTime) / span)) : 1
        if let statusLine {
            let seconds = r.elapsed.seconds
            statusLine.update(
                "\(RecordingArguments.formatCount(r.messages)) msgs, "
                    + "\(RecordingArguments.formatSpan(r.currentTime &- r.startTime)) of "
                    + "\(RecordingArguments.formatSpan(r.endTime &- r.startTime)) \(speed), "
                    + "\(RecordingArguments.formatCount(Int(seconds > 0 ? Double(r.messages) / seconds : 0))) msg/s",
                done: done)
        }
        guard enabled else { return }
        let width = 30
        let filled = Int(done * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = (done * 1000).rounded() / 10
        let position = RecordingArguments.formatSpan(r.currentTime &- r.startTime)
        let total = RecordingArguments.formatSpan(r.endTime &- r.startTime)
        StandardError.write(
            "\r\u{1B}[K[\(bar)] \(percent)% \(RecordingArguments.formatCount(r.messages)) msgs \(position)/\(total) \(speed)"
                + (done >= 0.01 && done < 1
                    ? ProgressLine.eta(done: done, elapsed: r.elapsed).replacingOccurrences(
                        of: ", \(Int((done * 100).rounded(.down)))%", with: "") : "")
        )
    }

    func finish(_ r: ReplayResult, pass: Int) {
        if enabled { StandardError.write("\r\u{1B}[K") }
        let seconds = Double(r.elapsed.components.seconds) + Double(r.elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(r.messages) / seconds) : 0
        StandardError.line(
            "replayed \(RecordingArguments.formatCount(r.messages)) messages "
                + "(\(RecordingArguments.formatBytes(r.bytes))) in \(RecordingArguments.formatSpan(UInt64(seconds * 1e9))), "
                + "\(RecordingArguments.formatCount(rate)) msg/s\(pass > 1 ? ", pass \(pass)" : "")"
                + (r.interrupted ? ", interrupted" : ""))
    }
}
