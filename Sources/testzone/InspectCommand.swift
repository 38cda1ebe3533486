import ArgumentParser
import Foundation
import Recording

/// `testzone inspect`: what `mcap info` prints, plus the problems found; several files or a
/// journal folder give one summary line per file and totals.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe MCAP recordings and flag problems (truncation, corrupt chunks, CRC errors).",
        discussion: """
            One file: the time range, duration, message counts and rates per channel, compression, \
            chunks, attachments and metadata (like `mcap info`). Several files or a directory \
            (a journal folder; searched for *.mcap): one summary line per file, then totals. \
            Unless --no-verify, every record is also read and every CRC checked. \
            Exit status: 0 no problems, 1 problems found (listed), 2 a file cannot be read.
            """
    )

    @Argument(help: "MCAP files or directories holding them.")
    var paths: [String]

    @Flag(name: .customLong("no-verify"), help: "Only read the summary (fast); no full pass, no CRC checks.")
    var noVerify = false

    @Flag(name: .customLong("json"), help: "Print one JSON document (files, totals) instead of text.")
    var json = false

    func run() throws {
        let files: [String]
        do {
            files = try JournalFiles.expand(paths)
        } catch {
            throw CommandFailure.from(error, what: "cannot read the recording").report("inspect")
        }
        var reports: [InspectReport] = []
        var unreadable = false
        let progress = files.count > 1 ? ProgressLine(label: "inspect") : nil
        for (i, file) in files.enumerated() {
            progress?.update("\(i + 1)/\(files.count) \(file)")
            do {
                reports.append(InspectReport(reader: try MCAPReader(path: file), verify: !noVerify))
            } catch {
                CommandFailure.from(error, what: "cannot read the recording", path: file).report("inspect")
                unreadable = true
            }
        }
        progress?.finish()
        let totals = InspectTotals(reports)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = InspectDocument(files: reports, totals: totals)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
        } else if reports.isEmpty {
            // Nothing was readable: the error lines above say so; no table of nothing.
        } else if files.count == 1 && paths.count == 1 && reports.count == 1 {
            print(reports[0].text, terminator: "")
        } else {
            print(InspectTotals.table(reports, totals: totals), terminator: "")
        }
        if unreadable { throw ExitCode(2) }
        if totals.filesWithProblems > 0 { throw ExitCode(1) }
    }
}

/// Turns command-line paths (files and directories) into the MCAP files to read.
enum JournalFiles {
    struct NotFound: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(reason) (\(path))" }
    }

    /// Files as given; directories replaced by the `*.mcap` files under them, sorted by path.
    static func expand(_ paths: [String]) throws(NotFound) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw NotFound(path: path, reason: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let root = URL(fileURLWithPath: path)
            var found: [String] = []
            if let walker = manager.enumerator(at: root, includingPropertiesForKeys: nil) {
                for case let url as URL in walker where url.pathExtension == "mcap" {
                    found.append(url.path)
                }
            }
            guard !found.isEmpty else {
                throw NotFound(path: path, reason: "no .mcap files in the directory")
            }
            files += found.sorted()
        }
        return files
    }
}

/// What `inspect` found in one file, built from the summary (when present) and a full scan.
struct InspectReport: Encodable {
    struct Compression: Encodable {
        var name: String
        var chunks: Int
        var compressedBytes: UInt64
        var uncompressedBytes: UInt64
    }

    struct Channel: Encodable {
        var id: UInt16
        var topic: String
        var messageEncoding: String
        var schema: String?
        var messages: UInt64
        var hz: Double
    }

    struct Attachment: Encodable {
        var name: String
        var mediaType: String
        var bytes: Int
    }

    struct Metadata: Encodable {
        var name: String
        var entries: [String: String]
    }

    var path: String
    var bytes: UInt64
    var library: String?
    var profile: String?
    /// "present", "none" (valid: the writer wrote none) or "missing" (no footer, or unusable).
    var summary: String
    var messages: UInt64
    var startNs: UInt64?
    var endNs: UInt64?
    var durationNs: UInt64
    var chunks: Int
    var compression: [Compression]
    var channels: [Channel]
    var attachments: [Attachment]
    var metadata: [Metadata]
    var verified: Bool
    var problems: [String]

    init(reader: MCAPReader, verify: Bool) {
        // Without verification the summary suffices when it has the statistics and every channel;
        // otherwise (the specification makes both optional) a pass over the data section.
        let summary = reader.summary
        let summaryComplete =
            summary.map { summary in
                summary.statistics.map { summary.channels.count >= Int($0.channelCount) } ?? false
            } ?? false
        let scan = verify || !summaryComplete ? reader.scanFile(verifyCRCs: verify) : nil
        var problems = scan?.warnings.map(\.description) ?? []
        for warning in reader.summaryWarnings where !problems.contains(warning.description) {
            problems.append(warning.description)
        }

        // Figures: what the scan counted when there was one (it read every message), else the
        // summary's. Channels and schemas: the summary's and those the scan found, merged (the
        // summary need not repeat them).
        let stats = summary?.statistics
        let messageCount = scan?.messageCount ?? stats?.messageCount ?? 0
        let start = scan.map { $0.messageCount > 0 ? $0.messageStartTime : 0 } ?? stats?.messageStartTime ?? 0
        let end = scan?.messageEndTime ?? stats?.messageEndTime ?? 0
        let channels = (scan?.channels ?? [:]).merging(summary?.channels ?? [:]) { scanned, _ in scanned }
        let schemas = (scan?.schemas ?? [:]).merging(summary?.schemas ?? [:]) { scanned, _ in scanned }
        let channelCounts = scan?.channelMessageCounts ?? stats?.channelMessageCounts ?? [:]
        if let stats, let scan, verify, scan.messageCount != stats.messageCount {
            problems.append(
                "summary lists \(stats.messageCount) messages but \(scan.messageCount) were readable")
        }
        self.problems = problems
        verified = verify

        path = reader.path
        bytes = reader.fileSize
        library = reader.header?.library
        profile = reader.header?.profile
        if summary != nil {
            self.summary = "present"
        } else if reader.footer != nil && !reader.hasSummarySection {
            self.summary = "none"
        } else {
            self.summary = "missing"
        }
        messages = messageCount
        startNs = messageCount > 0 ? start : nil
        endNs = messageCount > 0 ? end : nil
        durationNs = end >= start ? end - start : 0
        let seconds = Double(durationNs) / 1e9

        // Compression per kind, from the chunks scanned or the chunk indexes.
        var kinds: [String: Compression] = [:]
        func add(_ name: String, _ compressed: UInt64, _ uncompressed: UInt64) {
            let name = name.isEmpty ? "none" : name
            kinds[name, default: Compression(name: name, chunks: 0, compressedBytes: 0, uncompressedBytes: 0)]
                .chunks += 1
            kinds[name]!.compressedBytes += compressed
            kinds[name]!.uncompressedBytes += uncompressed
        }
        if let scanned = scan?.chunks, !scanned.isEmpty || (summary?.chunkIndexes.isEmpty ?? true) {
            chunks = scanned.count
            for chunk in scanned { add(chunk.compression, chunk.compressedSize, chunk.uncompressedSize) }
        } else {
            let indexes = summary?.chunkIndexes ?? []
            chunks = indexes.count
            for index in indexes { add(index.compression, index.compressedSize, index.uncompressedSize) }
        }
        compression = kinds.values.sorted { $0.name < $1.name }

        self.channels = channels.values.sorted { $0.id < $1.id }.map { channel in
            let count = channelCounts[channel.id] ?? 0
            let schema: String? =
                channel.schemaID == 0
                ? nil
                : (schemas[channel.schemaID].map {
                    $0.encoding.isEmpty ? $0.name : "\($0.name) [\($0.encoding)]"
                }
                    ?? "schema \(channel.schemaID) (no Schema record)")
            return Channel(
                id: channel.id, topic: channel.topic, messageEncoding: channel.messageEncoding,
                schema: schema,
                messages: count, hz: seconds > 0 ? Double(count) / seconds : 0)
        }
        attachments = reader.attachments().map {
            Attachment(name: $0.name, mediaType: $0.mediaType, bytes: $0.data.count)
        }
        metadata = reader.metadata().map { Metadata(name: $0.name, entries: $0.entries) }
    }

    /// The detailed description of one file (`mcap info` style).
    var text: String {
        var text = ""
        func line(_ label: String, _ value: String) {
            text += label.padding(toLength: 13, withPad: " ", startingAt: 0) + value + "\n"
        }
        let seconds = Double(durationNs) / 1e9
        line("file:", "\(path) (\(RecordingArguments.formatBytes(bytes)))")
        line("library:", library ?? "(no header)")
        line("profile:", profile ?? "")
        line("messages:", RecordingArguments.formatCount(messages))
        line("duration:", RecordingArguments.formatSpan(durationNs))
        if let startNs, let endNs {
            line("start:", "\(RecordingArguments.formatTime(startNs)) (\(Self.seconds(startNs)))")
            line("end:", "\(RecordingArguments.formatTime(endNs)) (\(Self.seconds(endNs)))")
        }
        text += "compression:\n"
        for kind in compression {
            let saved =
                kind.uncompressedBytes > 0
                ? 100 * (1 - Double(kind.compressedBytes) / Double(kind.uncompressedBytes)) : 0
            let rate = seconds > 0 ? Double(kind.compressedBytes) / seconds : 0
            text += "\t\(kind.name): [\(kind.chunks)/\(chunks) chunks] "
            text +=
                "[\(RecordingArguments.formatBytes(kind.uncompressedBytes))/\(RecordingArguments.formatBytes(kind.compressedBytes)) "
            text += String(format: "(%.2f%%)] ", saved)
            text += "[\(RecordingArguments.formatBytes(UInt64(rate)))/sec]\n"
        }
        line("chunks:", "\(chunks)")
        line(
            "summary:",
            summary == "none"
                ? "none (the writer wrote none; figures from a scan of the data section)" : summary)
        text += "channels:\n"
        let width = channels.map(\.topic.count).max() ?? 0
        for channel in channels {
            text +=
                "\t(\(channel.id)) \(channel.topic.padding(toLength: width, withPad: " ", startingAt: 0))  "
            text += "\(RecordingArguments.formatCount(channel.messages).leftPadded(12)) msgs "
            text += String(format: "(%.2f Hz)", channel.hz)
            text += " : \(channel.messageEncoding), \(channel.schema ?? "no schema")\n"
        }
        line("attachments:", "\(attachments.count)")
        for attachment in attachments {
            text +=
                "\t\(attachment.name) (\(attachment.mediaType), \(RecordingArguments.formatBytes(UInt64(attachment.bytes))))\n"
        }
        line("metadata:", "\(metadata.count)")
        for record in metadata {
            let entries = record.entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            text += "\t\(record.name): \(entries.joined(separator: " "))\n"
        }
        if !verified {
            text += "problems:    not verified (--no-verify)\n"
        } else if problems.isEmpty {
            text += "problems:    none (all CRCs verified)\n"
        } else {
            text += "problems:\n"
            for problem in problems { text += "\t\(problem)\n" }
        }
        return text
    }

    private static func seconds(_ ns: UInt64) -> String {
        let fraction = String(ns % 1_000_000_000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }
}

/// Totals over the files `inspect` read.
struct InspectTotals: Encodable {
    var files: Int
    var bytes: UInt64
    var messages: UInt64
    var startNs: UInt64?
    var endNs: UInt64?
    /// Messages per topic over all files.
    var topics: [String: UInt64]
    var filesWithProblems: Int
    var problems: Int

    init(_ reports: [InspectReport]) {
        files = reports.count
        bytes = reports.reduce(0) { $0 + $1.bytes }
        messages = reports.reduce(0) { $0 + $1.messages }
        startNs = reports.compactMap(\.startNs).min()
        endNs = reports.compactMap(\.endNs).max()
        var topics: [String: UInt64] = [:]
        for report in reports {
            for channel in report.channels { topics[channel.topic, default: 0] += channel.messages }
        }
        self.topics = topics
        filesWithProblems = reports.filter { !$0.problems.isEmpty }.count
        problems = reports.reduce(0) { $0 + $1.problems.count }
    }

    /// One line per file, then the totals (and every problem, by file).
    static func table(_ reports: [InspectReport], totals: InspectTotals) -> String {
        let width = max(4, reports.map(\.path.count).max() ?? 0)
        var text = "file".padding(toLength: width, withPad: " ", startingAt: 0)
        text += "        size     messages  start                     duration  chunks  summary  problems\n"
        func row(_ name: String, _ bytes: UInt64, _ messages: UInt64, _ start: UInt64?, _ end: UInt64?)
            -> String
        {
            var line = name.padding(toLength: width, withPad: " ", startingAt: 0)
            line += RecordingArguments.formatBytes(bytes).leftPadded(12)
            line += RecordingArguments.formatCount(messages).leftPadded(13) + "  "
            let startText = start.map { String(RecordingArguments.formatTime($0).prefix(23)) + "Z" } ?? "-"
            line += startText.padding(toLength: 24, withPad: " ", startingAt: 0)
            let span = start.flatMap { s in end.map { $0 >= s ? $0 - s : 0 } }
            line += (span.map(RecordingArguments.formatSpan) ?? "-").leftPadded(10)
            return line
        }
        for report in reports {
            text += row(report.path, report.bytes, report.messages, report.startNs, report.endNs)
            text +=
                "\(report.chunks)".leftPadded(8) + "  "
                + report.summary.padding(toLength: 7, withPad: " ", startingAt: 0)
            text += "  " + (report.verified ? "\(report.problems.count)" : "not verified") + "\n"
        }
        text += row(
            "total (\(totals.files) files)", totals.bytes, totals.messages, totals.startNs, totals.endNs)
        text += "\(reports.reduce(0) { $0 + $1.chunks })".leftPadded(8) + "           \(totals.problems)\n"
        text += "topics:\n"
        let topicWidth = totals.topics.keys.map(\.count).max() ?? 0
        for (topic, count) in totals.topics.sorted(by: { $0.key < $1.key }) {
            text += "\t\(topic.padding(toLength: topicWidth, withPad: " ", startingAt: 0))  "
            text += RecordingArguments.formatCount(count).leftPadded(12) + " msgs\n"
        }
        if totals.problems > 0 {
            text += "problems:\n"
            for report in reports where !report.problems.isEmpty {
                for problem in report.problems { text += "\t\(report.path): \(problem)\n" }
            }
        }
        return text
    }
}

/// The `--json` document.
struct InspectDocument: Encodable {
    var files: [InspectReport]
    var totals: InspectTotals
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
