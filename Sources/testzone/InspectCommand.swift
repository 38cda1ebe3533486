import ArgumentParser
import Foundation
import Recording

/// `testzone inspect`: what `mcap info` prints, plus the problems found.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe an MCAP recording and flag problems (truncation, missing summary, CRC errors).",
        discussion: """
            Prints the time range, duration, message counts and rates per channel, compression, \
            chunks, attachments and metadata (like `mcap info`). Unless --no-verify, every record \
            is also read and every CRC checked; problems are listed and the exit status is 2.
            """
    )

    @Argument(help: "The MCAP file.")
    var file: String

    @Flag(name: .customLong("no-verify"), help: "Only read the summary (fast); no full pass, no CRC checks.")
    var noVerify = false

    func run() throws {
        let reader = try MCAPReader(path: file)
        let report = InspectReport(reader: reader, verify: !noVerify)
        print(report.text, terminator: "")
        if !report.problems.isEmpty { throw ExitCode(2) }
    }
}

/// The text `inspect` prints, built from the summary (when present) and a full scan.
struct InspectReport {
    var text = ""
    var problems: [String] = []

    init(reader: MCAPReader, verify: Bool) {
        let scan = verify || reader.summary == nil ? reader.scanFile(verifyCRCs: verify) : nil
        let summary = reader.summary
        problems = scan?.warnings.map(\.description) ?? []
        for warning in reader.summaryWarnings where !problems.contains(warning.description) {
            problems.append(warning.description)
        }

        // Figures: the summary's when present, else what the scan counted.
        let stats = summary?.statistics
        let messageCount = stats?.messageCount ?? scan?.messageCount ?? 0
        let start = stats?.messageStartTime ?? scan?.messageStartTime ?? 0
        let end = stats?.messageEndTime ?? scan?.messageEndTime ?? 0
        let channels = summary?.channels ?? scan?.channels ?? [:]
        let schemas = summary?.schemas ?? scan?.schemas ?? [:]
        let channelCounts = stats?.channelMessageCounts ?? scan?.channelMessageCounts ?? [:]
        if let stats, let scan, verify, scan.messageCount != stats.messageCount {
            problems.append(
                "summary lists \(stats.messageCount) messages but \(scan.messageCount) were readable")
        }

        let duration = end >= start ? end - start : 0
        let seconds = Double(duration) / 1e9
        func line(_ label: String, _ value: String) {
            text += label.padding(toLength: 13, withPad: " ", startingAt: 0) + value + "\n"
        }

        line("file:", "\(reader.path) (\(RecordingArguments.formatBytes(reader.fileSize)))")
        line("library:", reader.header?.library ?? "(no header)")
        line("profile:", reader.header?.profile ?? "")
        line("messages:", RecordingArguments.formatCount(messageCount))
        line("duration:", RecordingArguments.formatSpan(duration))
        if messageCount > 0 {
            line("start:", "\(RecordingArguments.formatTime(start)) (\(Self.seconds(start)))")
            line("end:", "\(RecordingArguments.formatTime(end)) (\(Self.seconds(end)))")
        }

        // Compression per kind, from the chunk indexes or the scanned chunks.
        var kinds: [String: (chunks: Int, compressed: UInt64, uncompressed: UInt64)] = [:]
        var chunkCount = 0
        if let indexes = summary?.chunkIndexes, !indexes.isEmpty {
            chunkCount = indexes.count
            for index in indexes {
                let name = index.compression.isEmpty ? "none" : index.compression
                kinds[name, default: (0, 0, 0)].chunks += 1
                kinds[name, default: (0, 0, 0)].compressed += index.compressedSize
                kinds[name, default: (0, 0, 0)].uncompressed += index.uncompressedSize
            }
        } else if let chunks = scan?.chunks {
            chunkCount = chunks.count
            for chunk in chunks {
                let name = chunk.compression.isEmpty ? "none" : chunk.compression
                kinds[name, default: (0, 0, 0)].chunks += 1
                kinds[name, default: (0, 0, 0)].compressed += chunk.compressedSize
                kinds[name, default: (0, 0, 0)].uncompressed += chunk.uncompressedSize
            }
        }
        text += "compression:\n"
        for (name, kind) in kinds.sorted(by: { $0.key < $1.key }) {
            let saved =
                kind.uncompressed > 0 ? 100 * (1 - Double(kind.compressed) / Double(kind.uncompressed)) : 0
            let rate = seconds > 0 ? Double(kind.compressed) / seconds : 0
            text += "\t\(name): [\(kind.chunks)/\(chunkCount) chunks] "
            text +=
                "[\(RecordingArguments.formatBytes(kind.uncompressed))/\(RecordingArguments.formatBytes(kind.compressed)) "
            text += String(format: "(%.2f%%)] ", saved)
            text += "[\(RecordingArguments.formatBytes(UInt64(rate)))/sec]\n"
        }
        line("chunks:", "\(chunkCount)")

        text += "channels:\n"
        let width = channels.values.map(\.topic.count).max() ?? 0
        for channel in channels.values.sorted(by: { $0.id < $1.id }) {
            let count = channelCounts[channel.id] ?? 0
            let hz = seconds > 0 ? Double(count) / seconds : 0
            let schema =
                channel.schemaID == 0
                ? "no schema"
                : (schemas[channel.schemaID].map {
                    $0.encoding.isEmpty ? $0.name : "\($0.name) [\($0.encoding)]"
                } ?? "schema \(channel.schemaID)")
            text +=
                "\t(\(channel.id)) \(channel.topic.padding(toLength: width, withPad: " ", startingAt: 0))  "
            text += "\(RecordingArguments.formatCount(count).leftPadded(12)) msgs "
            text += String(format: "(%.2f Hz)", hz) + " : \(channel.messageEncoding), \(schema)\n"
        }

        let attachments = reader.attachments()
        line("attachments:", "\(attachments.count)")
        for attachment in attachments {
            text +=
                "\t\(attachment.name) (\(attachment.mediaType), \(RecordingArguments.formatBytes(UInt64(attachment.data.count))))\n"
        }
        let metadata = reader.metadata()
        line("metadata:", "\(metadata.count)")
        for record in metadata {
            let entries = record.entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            text += "\t\(record.name): \(entries.joined(separator: " "))\n"
        }
        if !verify {
            text += "problems:    not verified (--no-verify)\n"
        } else if problems.isEmpty {
            text += "problems:    none (all CRCs verified)\n"
        } else {
            text += "problems:\n"
            for problem in problems { text += "\t\(problem)\n" }
        }
    }

    private static func seconds(_ ns: UInt64) -> String {
        let fraction = String(ns % 1_000_000_000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
