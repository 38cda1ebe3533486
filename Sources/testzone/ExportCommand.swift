import ArgumentParser
import Foundation
import Recording
import Zone

/// `testzone export --foxglove OUT.mcap INPUT...`: a recording Foxglove and Lichtblick show
/// without plugins (see `FoxgloveExport`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Export journals as a Foxglove-ready MCAP (JSON channels with Foxglove schemas, raw frames kept).",
        discussion: """
            Writes one MCAP file with, besides every raw frame on its original channel: \
            foxglove.LocationFix per vehicle from JT/T 808 fixes (/vehicles/<VIN>/jt808_fix) and \
            BSMs (/vehicles/<VIN>/bsm_fix); foxglove.GeoJSON for the road network built from the \
            MAP messages (/zone/road_network) and the 100 m grid cells covered in automated L3/L4 \
            mode (/zone/coverage); foxglove.Log for automation events (/events/automation) and \
            JT/T 808 alarms (/events/alarms); the JER of every C-V2X frame (/<topic>/jer) and the \
            JSON of every JT/T 808 packet (/<topic>/json). Inputs are merged in log-time order. \
            Exit status: 0 done, 1 done but an input had problems (listed), 2 usage or file errors.
            """
    )

    @Option(name: .customLong("foxglove"), help: "The MCAP file to write.")
    var output: String

    @Argument(help: "Journals (MCAP files or directories holding them).")
    var inputs: [String]

    @Option(help: "Start at this time (ISO 8601, or offset from the journals' start: 90, 2m30s).")
    var from: RecordingArguments.TimePoint?

    @Option(help: "Stop before this time (ISO 8601, or offset from the journals' start).")
    var to: RecordingArguments.TimePoint?

    @Option(name: .customLong("topic"), help: "Only journal topics starting with this prefix (repeatable).")
    var topics: [String] = []

    @Option(help: "The zone configuration (zone.toml): VINs for terminals and OBUs.")
    var config: String?

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(help: "Print the closing summary (counts, channels) as one JSON document instead of text.")
    var json = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one journal (MCAP file or directory)") }
        try InputFiles.require(inputs, "cannot read the recording", kind: .fileOrDirectory)
        try InputFiles.require(config, "cannot read the zone configuration")
        try InputFiles.requireWritable(output, "cannot write the export")
    }

    func run() throws {
        let files: [String]
        do {
            files = try JournalFiles.expand(inputs)
        } catch {
            throw CommandFailure.from(error, what: "cannot read the recording").report("export")
        }
        var zone: ZoneConfiguration?
        if let config {
            do {
                zone = try ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: config))
            } catch {
                throw CommandFailure.from(error, what: "cannot read the zone configuration", path: config)
                    .report("export")
            }
            if let zone { ZoneTimeZone.check(zone, path: config, command: "export") }
        }
        let export: FoxgloveExport
        let result: FoxgloveExport.Result
        do {
            let journals = try MergedJournals(files: files)
            let start = journals.recordingStart
            export = try FoxgloveExport(
                journals: journals, output: output,
                options: .init(
                    from: from?.resolve(start: start), to: to?.resolve(start: start),
                    topicPrefixes: topics.isEmpty ? nil : topics, zone: zone))
            let line = quiet ? nil : ProgressLine(label: "export")
            let started = ContinuousClock.now
            result = try export.run { frames, share in
                line?.update(
                    "\(RecordingArguments.formatCount(frames)) frames, "
                        + "\(RecordingArguments.formatCount(Int(Double(frames) / max(1e-9, (ContinuousClock.now - started).seconds)))) frames/s",
                    done: share)
            }
            line?.finish()
        } catch {
            let failure = CommandFailure.from(error, what: "cannot export")
            throw CommandFailure(failure.what, failure.path ?? output, failure.why).report("export")
        }
        if json {
            print(try Self.jsonNote(result, files: files, output: output))
        } else {
            print(Self.note(result, files: files, output: output), terminator: "")
        }
        for warning in result.warnings { StandardError.line("testzone export: warning: \(warning)") }
        if !result.warnings.isEmpty { throw ExitCode(1) }
    }

    /// The closing summary of `--json`: the figures of ``note(_:files:output:)``, times as
    /// nanoseconds since the epoch and ISO 8601 (UTC).
    static func jsonNote(_ r: FoxgloveExport.Result, files: [String], output: String) throws -> String {
        struct Channel: Encodable {
            var topic: String
            var schema: String?
            var encoding: String
            var messages: UInt64
        }
        struct Summary: Encodable {
            var output: String
            var inputs: [String]
            var frames: UInt64
            var bytes: UInt64
            var seconds: Double
            var firstTimeNs: UInt64?
            var lastTimeNs: UInt64?
            var firstTime: String?
            var lastTime: String?
            var cv2xDecoded: UInt64
            var cv2xUndecodable: UInt64
            var jt808Packets: UInt64
            var jt808Undecodable: UInt64
            var channels: [Channel]
            var warnings: [String]
        }
        let summary = Summary(
            output: output, inputs: files, frames: r.frames, bytes: r.bytes, seconds: r.seconds,
            firstTimeNs: r.firstTime, lastTimeNs: r.lastTime,
            firstTime: r.firstTime.map(RecordingArguments.formatTime),
            lastTime: r.lastTime.map(RecordingArguments.formatTime),
            cv2xDecoded: r.cv2xDecoded, cv2xUndecodable: r.cv2xUndecoded, jt808Packets: r.jt808Packets,
            jt808Undecodable: r.jt808Undecoded,
            channels: r.channels.map {
                Channel(
                    topic: $0.topic, schema: $0.schema.isEmpty ? nil : $0.schema, encoding: $0.encoding,
                    messages: $0.messages)
            },
            warnings: r.warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    /// The closing note: what the export holds, its size and speed.
    static func note(_ r: FoxgloveExport.Result, files: [String], output: String) -> String {
        var text = "exported \(RecordingArguments.formatCount(r.frames)) frames from \(files.count) file"
        text += files.count == 1 ? "" : "s"
        if let first = r.firstTime, let last = r.lastTime {
            text += " (\(RecordingArguments.formatTime(first)) to \(RecordingArguments.formatTime(last)))"
        }
        text += " to \(output): \(RecordingArguments.formatBytes(r.bytes)) in "
        text += String(format: "%.2f s", r.seconds)
        text +=
            " (\(RecordingArguments.formatCount(Int(Double(r.frames) / max(r.seconds, 1e-9)))) frames/s)\n"
        text += "decoded: \(RecordingArguments.formatCount(r.cv2xDecoded)) C-V2X frames"
        text +=
            " (\(r.cv2xUndecoded) not decodable), \(RecordingArguments.formatCount(r.jt808Packets)) JT/T 808 packets"
        text += " (\(r.jt808Undecoded) not decodable)\n"
        let schemas = Set(r.channels.map(\.schema).filter { !$0.isEmpty }).sorted()
        text += "schemas: \(schemas.joined(separator: ", "))\n"
        text += "channels: \(r.channels.count)\n"
        let width = r.channels.map(\.topic.count).max() ?? 0
        for channel in r.channels {
            let count = RecordingArguments.formatCount(channel.messages)
            text += "\t\(channel.topic.padding(toLength: width, withPad: " ", startingAt: 0))  "
            text += String(repeating: " ", count: max(0, 10 - count.count)) + count + "  "
            text +=
                channel.schema.isEmpty
                ? "\(channel.encoding) (raw)" : "\(channel.schema) [\(channel.encoding)]"
            text += "\n"
        }
        return text
    }
}
