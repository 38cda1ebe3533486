import Foundation
import Recording
import TestZoneTestSupport
import Testing
import ZeroMQ

/// The MCAP conformance matrix: files in every shape the Python `mcap` writer can produce
/// (Tools/mcap-interop/conformance.py), read back message for message by the library in both
/// modes, by `testzone inspect` and by `testzone replay`.
@Suite(
    "MCAP conformance matrix (files written by Python mcap in every option combination)",
    .enabled(
        if: InteropPython.available,
        "Python with the mcap package not found: run `make setup` (makes .venv) or set TESTZONE_PYTHON")
)
struct ConformanceTests {
    struct Manifest: Decodable {
        struct Message: Decodable {
            var channelId: UInt16
            var sequence: UInt32
            var logTime: UInt64
            var publishTime: UInt64
            var data: String
        }
        struct Topic: Decodable {
            var topic: String
            var encoding: String
        }
        struct File: Decodable {
            var name: String
            var extras: Bool
            var messages: Bool
        }
        var writer: String
        var optionsVaried: [String]
        var topics: [String: Topic]
        var messages: [Message]
        var files: [File]
        var unsupported: String
    }

    /// What a reader gives back, comparable across readers.
    struct Read: Equatable, CustomStringConvertible {
        var topic: String
        var sequence: UInt32
        var logTime: UInt64
        var publishTime: UInt64
        var data: String
        var description: String { "\(topic)#\(sequence)@\(logTime)" }
    }

    static func generate(into dir: TemporaryDirectory) throws -> Manifest {
        let script = InteropPython.repositoryRoot.appendingPathComponent("Tools/mcap-interop/conformance.py")
            .path
        guard let python = InteropPython.executable else {
            throw InteropFailure(message: "no Python with mcap")
        }
        try InteropPython.run(python, [script, dir.url.path])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(
            Manifest.self, from: Data(contentsOf: dir.url.appendingPathComponent("manifest.json")))
    }

    static func read(_ reader: MCAPReader, _ query: MCAPQuery) -> ([Read], [MCAPWarning]) {
        var result: [Read] = []
        let warnings = reader.forEachMessage(query) { m, cursor in
            result.append(
                Read(
                    topic: cursor.channel(m.channelID)?.topic ?? "channel \(m.channelID)?",
                    sequence: m.sequence,
                    logTime: m.logTime, publishTime: m.publishTime, data: hexString([UInt8](m.payload))))
        }
        return (result, warnings)
    }

    @Test("every file of the matrix reads back message for message: library (both modes), inspect, replay")
    func matrix() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let manifest = try Self.generate(into: dir)
        #expect(manifest.files.count > 1_000, "the matrix covers \(manifest.files.count) files")
        #expect(
            Set(manifest.optionsVaried).isSuperset(of: [
                "use_chunking", "compression", "chunk_size", "index_types", "use_statistics",
                "repeat_channels",
                "repeat_schemas", "use_summary_offsets", "enable_crcs",
            ]), "writer \(manifest.writer) exposes \(manifest.optionsVaried)")
        let topic = { (id: UInt16) in manifest.topics[String(id)]?.topic ?? "?" }
        let written = manifest.messages.map {
            Read(
                topic: topic($0.channelId), sequence: $0.sequence, logTime: $0.logTime,
                publishTime: $0.publishTime,
                data: $0.data)
        }
        let inLogTimeOrder = written.enumerated().sorted {
            $0.element.logTime != $1.element.logTime
                ? $0.element.logTime < $1.element.logTime : $0.offset < $1.offset
        }.map(\.element)
        let start = written.map(\.logTime).min()! + 20_000_000
        let end = start + 60_000_000

        var failures = 0
        for file in manifest.files {
            let path = dir.path(file.name)
            let reader = try MCAPReader(path: path)
            let expected = file.messages ? written : []
            let expectedInOrder = file.messages ? inLogTimeOrder : []

            let (streamed, streamWarnings) = Self.read(reader, MCAPQuery(order: .file))
            let (indexed, indexWarnings) = Self.read(reader, MCAPQuery())
            let (window, _) = Self.read(reader, MCAPQuery(startTime: start, endTime: end))
            let (filtered, _) = Self.read(reader, MCAPQuery(topicPrefixes: ["jt808/", "vehicle/"]))
            let scan = reader.scanFile()
            let ok =
                streamed == expected && streamWarnings.isEmpty && indexed == expectedInOrder
                && indexWarnings.isEmpty
                && window == expectedInOrder.filter { $0.logTime >= start && $0.logTime < end }
                && filtered == expectedInOrder.filter { !$0.topic.hasPrefix("cv2x/") }
                && scan.warnings.isEmpty && reader.summaryWarnings.isEmpty
                && reader.metadata().map(\.name) == (file.extras ? ["testzone", "drive"] : [])
                && reader.attachments().map(\.name) == (file.extras ? ["zone.toml"] : [])
            if !ok {
                failures += 1
                if failures <= 5 {
                    Issue.record(
                        """
                        \(file.name): streamed \(streamed.count)/\(expected.count) \(streamWarnings), \
                        indexed \(indexed.count) (in order: \(indexed == expectedInOrder)) \(indexWarnings), \
                        window \(window.count), filtered \(filtered.count), scan \(scan.warnings), \
                        summary \(reader.summaryWarnings), metadata \(reader.metadata().map(\.name)), \
                        attachments \(reader.attachments().map(\.name))
                        """)
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(manifest.files.count) files did not read back exactly")

        // The chunk compression TestZone does not read is named in a problem line.
        let unsupported = try MCAPReader(path: dir.path(manifest.unsupported))
        let (none, warnings) = Self.read(unsupported, MCAPQuery())
        #expect(none.isEmpty)
        #expect(warnings.contains { $0.description.contains("uses compression \"lzma\"") })
        try FileManager.default.removeItem(atPath: dir.path(manifest.unsupported))

        // `testzone inspect --json` over the whole folder: every file complete, no problem.
        let inspect = try await TestZoneBinary.Run(["inspect", "--json", dir.url.path]).finish(
            timeout: .seconds(900))
        #expect(inspect.status == 0, "\(inspect.standardError)")
        let document =
            try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        let files = document?["files"] as? [[String: Any]] ?? []
        #expect(files.count == manifest.files.count)
        var inspectFailures: [String] = []
        for report in files {
            let name = URL(fileURLWithPath: report["path"] as? String ?? "").lastPathComponent
            let hasMessages = manifest.files.first { $0.name == name }?.messages ?? true
            let channels = report["channels"] as? [[String: Any]] ?? []
            let topics = Set(channels.compactMap { $0["topic"] as? String })
            let pose = channels.first { $0["topic"] as? String == "vehicle/pose" }
            let ok =
                (report["problems"] as? [String])?.isEmpty == true
                && report["messages"] as? Int == (hasMessages ? written.count : 0)
                && (!hasMessages
                    || (topics == Set(written.map(\.topic))
                        && pose?["schema"] as? String == "example.Pose [jsonschema]"
                        && pose?["messages"] as? Int == written.filter { $0.topic == "vehicle/pose" }.count))
            if !ok {
                inspectFailures.append(
                    "\(name): \(report["problems"] ?? "?") \(report["messages"] ?? "?") \(topics)")
            }
        }
        #expect(inspectFailures.isEmpty, "\(inspectFailures.prefix(5))")
        let totals = document?["totals"] as? [String: Any]
        #expect(totals?["messages"] as? Int == written.count * manifest.files.filter(\.messages).count)

        // `testzone replay` onto a socket: a file of each layout and of the summary shapes of
        // the issue (no statistics and no chunk indexes; channels not repeated; no summary).
        let representative = try Self.representativeFiles(dir: dir, manifest: manifest)
        let context = try Context()
        for name in representative {
            let pull = try Socket(context, .pull)
            try pull.setReceiveTimeout(.seconds(30))
            let endpoint = "ipc://" + dir.path("replay.ipc")
            try pull.bind(endpoint)
            let run = try TestZoneBinary.Run([
                "replay", dir.path(name), "--push", endpoint, "--speed", "max", "--quiet",
            ])
            var frames = MultipartMessage()
            var received: [Read] = []
            while received.count < inLogTimeOrder.count, try pull.receive(into: &frames) {
                let time = frames.bytes(ofPart: 2)
                let micros = time.count == 8 ? time.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 0
                received.append(
                    Read(
                        topic: frames.string(ofPart: 0), sequence: 0, logTime: 0, publishTime: micros,
                        data: hexString(frames.bytes(ofPart: 1))))
            }
            let outcome = try await run.finish(timeout: .seconds(120))
            pull.close()
            #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
            #expect(!outcome.standardError.contains("warning"), "\(name): \(outcome.standardError)")
            let sent = inLogTimeOrder.map {
                Read(
                    topic: $0.topic, sequence: 0, logTime: 0, publishTime: $0.publishTime / 1_000,
                    data: $0.data)
            }
            #expect(received == sent, "\(name): replay sent \(received.count) of \(sent.count) messages")
        }
    }

    /// One file per layout with the full summary, and the summary shapes the issue names.
    static func representativeFiles(dir: TemporaryDirectory, manifest: Manifest) throws -> [String] {
        struct Options: Decodable {
            var useChunking: Bool?
            var compression: String?
            var chunkSize: Int?
            var indexTypes: [String]
            var useStatistics: Bool
            var repeatChannels: Bool
            var repeatSchemas: Bool
            var useSummaryOffsets: Bool
        }
        struct Entry: Decodable {
            var name: String
            var options: Options
        }
        struct Files: Decodable { var files: [Entry] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let entries = try decoder.decode(
            Files.self, from: Data(contentsOf: dir.url.appendingPathComponent("manifest.json"))
        ).files.filter { $0.name.hasPrefix("m") }
        var names: [String] = []
        func pick(_ predicate: (Options) -> Bool) {
            if let entry = entries.first(where: { predicate($0.options) }), !names.contains(entry.name) {
                names.append(entry.name)
            }
        }
        for compression in ["none", "zstd", "lz4"] {
            pick { $0.compression == compression && $0.indexTypes.count == 4 && $0.useStatistics }
        }
        pick { $0.useChunking == false && $0.useStatistics }
        pick { ($0.chunkSize ?? 0) > 1_000 }
        pick {
            $0.useChunking == true && !$0.useStatistics && !$0.indexTypes.contains("chunk")
                && $0.repeatChannels
        }
        pick { $0.useChunking == true && !$0.repeatChannels && $0.useStatistics }
        pick {
            !$0.useStatistics && $0.indexTypes.isEmpty && !$0.repeatChannels && !$0.repeatSchemas
                && !$0.useSummaryOffsets
        }
        return names
    }
}
