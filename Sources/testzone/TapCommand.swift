import ArgumentParser
import Foundation
import ZeroMQ

/// `testzone tap`: shows what a ZeroMQ feed is sending, per topic prefix, every second.
struct TapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Show the message and byte rates of a ZeroMQ feed, per topic prefix, every second.",
        discussion: """
            By default tap connects a SUB socket to every ENDPOINT (a PUB feed such as a gateway \
            or a replay) and subscribes to all topics, or to each --topic prefix. With --listen it \
            binds a PULL socket to every ENDPOINT instead, so that PUSH senders can connect to it.

            Every second it prints the messages and bytes received in that second per topic \
            prefix -- the topic frame up to its first '/', e.g. 'cv2x' or 'jt808' -- and the \
            total rate. --by-topic counts whole topics ('cv2x/RSU-0001') \
            instead. Bytes are the sum of all frames of a message. A last, partial interval is \
            printed when tap stops: after --duration, or on SIGINT (Ctrl-C) or SIGTERM.

            With --json each interval is one JSON object on its own line: time (ISO 8601, UTC), \
            interval_seconds, messages, bytes, messages_per_second, bytes_per_second, \
            total_messages and total_bytes since the start, topics (an object mapping each key to \
            {"messages", "bytes"}), and "final": true on the last line.

            EXAMPLES
              Watch a gateway's C-V2X and JT/T 808 feed:
                testzone tap tcp://gateway.local:5556
              Only C-V2X traffic, per roadside unit, for ten seconds:
                testzone tap --topic cv2x/ --by-topic --duration 10 tcp://gw:5556
              Accept PUSH senders on port 5557 and log one JSON line per second:
                testzone tap --listen --json tcp://*:5557 >> feed-rates.jsonl
            """
    )

    @Argument(
        help: ArgumentHelp(
            "ZeroMQ endpoints to connect to (or to bind with --listen), e.g. tcp://host:5556.",
            valueName: "endpoint"))
    var endpoints: [String]

    @Flag(help: "Bind a PULL socket to the endpoints instead of connecting a SUB socket.")
    var listen = false

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp(
            "Subscribe to topics starting with PREFIX (repeatable; default: all). SUB only.",
            valueName: "PREFIX"))
    var topics: [String] = []

    @Flag(help: "Count per whole topic instead of per prefix before the first '/'.")
    var byTopic = false

    @Option(
        help: ArgumentHelp(
            "Stop after this long (10s, 5m, or seconds; default: run until interrupted).",
            valueName: "duration"))
    var duration: RecordingArguments.Span?

    @Flag(help: "Print one JSON object per interval instead of a table.")
    var json = false

    @OptionGroup var curve: CurveOptions

    func validate() throws {
        if endpoints.isEmpty {
            throw ValidationError("Give at least one ENDPOINT, e.g. tcp://127.0.0.1:5556.")
        }
        if listen && !topics.isEmpty {
            throw ValidationError(
                "--topic filters a SUB subscription; a --listen PULL socket receives everything.")
        }
        if let duration, duration.nanoseconds == 0 {
            throw ValidationError("--duration must be more than 0 (10s, 5m, or seconds)")
        }
    }

    func run() throws {
        let curveKeys = try curve.role(command: "tap")
        let context = try Context()
        let socket = try Socket(context, listen ? .pull : .sub)
        try socket.setLinger(.zero)
        try socket.useCurve(curveKeys)
        if listen {
            for endpoint in endpoints {
                try socket.bind(endpoint)
                printToStandardError("tap: listening on \(try socket.lastEndpoint)")
            }
        } else {
            for topic in topics.isEmpty ? [""] : topics { try socket.subscribe(topic) }
            for endpoint in endpoints { try socket.connect(endpoint) }
        }

        let signals = TerminationSignals { _ in context.shutdown() }
        defer { signals.cancel() }

        var report = TapReport(json: json, byTopic: byTopic)
        try receive(on: socket, into: &report)
        report.finish()
    }

    /// Counts messages until the duration ends or the context is shut down, reporting every
    /// second. Drains the socket without blocking and sleeps in the poller between bursts.
    private func receive(on socket: Socket, into report: inout TapReport) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = duration.map { start + $0.duration }
        var nextReport = start + .seconds(1)
        let poller = Poller()
        poller.add(socket)
        var frames = MultipartMessage()
        var now = start
        while true {
            do throws(ZeroMQError) {
                var burst = 0
                while try socket.receive(into: &frames, options: .dontWait) {
                    let byteCount = frames.totalByteCount
                    frames.withUnsafeBytes(ofPart: 0) { report.tally.add(topic: $0, byteCount: byteCount) }
                    burst += 1
                    if burst == 1024 { break }  // look at the clock now and then under load
                }
                now = clock.now
                if let deadline, now >= deadline { return }  // the caller reports the last interval
                if now >= nextReport {
                    report.emit(until: now)
                    nextReport = max(nextReport + .seconds(1), now)
                }
                if burst < 1024 {
                    let wake = deadline.map { min($0, nextReport) } ?? nextReport
                    try poller.poll(timeout: max(.zero, now.duration(to: wake)))
                }
            } catch {
                if error.isContextTerminated { return }  // SIGINT/SIGTERM
                throw error
            }
        }
    }
}

/// Prints `text` and a newline to standard error.
func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
