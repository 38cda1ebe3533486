import Foundation
import Recording
import Testing

/// Interoperability with the reference Python `mcap` package (Tools/mcap-interop/mcap_interop.py).
@Suite(
    "MCAP interoperability with Python mcap",
    .enabled(
        if: InteropPython.available,
        "Python with the mcap package not found: run `make setup` (makes .venv) or set TESTZONE_PYTHON")
)
struct InteropTests {
    /// The helper prints snake_case keys.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    struct PythonMessage: Decodable, Equatable {
        var channelId: UInt16
        var sequence: UInt32?
        var logTime: UInt64
        var publishTime: UInt64?
        var data: String
    }

    struct PythonChannel: Decodable {
        var id: UInt16
        var topic: String
        var messageEncoding: String
        var schemaId: UInt16
    }

    struct PythonStatistics: Decodable {
        var messageCount: UInt64
        var channelCount: UInt32
        var chunkCount: UInt32
        var metadataCount: UInt32
        var attachmentCount: UInt32
        var messageStartTime: UInt64
        var messageEndTime: UInt64
        var channelMessageCounts: [String: UInt64]
    }

    struct PythonNamed: Decodable {
        var name: String
        var metadata: [String: String]
    }

    struct PythonAttachment: Decodable {
        var name: String
        var mediaType: String
        var data: String
    }

    struct PythonRead: Decodable {
        var messages: [PythonMessage]
        var indexed: [PythonMessage]
        var channels: [PythonChannel]
        var statistics: PythonStatistics?
        var chunkCompressions: [String]
        var metadata: [PythonNamed]
        var attachments: [PythonAttachment]
        var summaryMetadata: [PythonNamed]
        var summaryAttachments: [String]
    }

    struct PythonWrite: Decodable {
        var messages: [PythonMessage]
        var topics: [String]
    }

    @Test(
        "files TestZone writes are read by Python mcap, message for message",
        arguments: MCAPCompression.allCases)
    func pythonReadsOurFiles(compression: MCAPCompression) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("ours-\(compression).mcap")
        let messages = Samples.messages(count: 2_500, seed: 11)
        let writer = try MCAPWriter(
            path: path, options: .init(compression: compression, chunkSize: 32 * 1024))
        var ids: [String: UInt16] = [:]
        for (topic, encoding) in zip(Samples.topics, Samples.encodings) {
            ids[topic] = try writer.addChannel(topic: topic, messageEncoding: encoding)
        }
        try writer.addMetadata(
            MCAPMetadata(name: "testzone", entries: ["zone": "Jiading", "version": "0.1.0"]))
        for (i, m) in messages.enumerated() {
            try writer.write(
                channelID: ids[m.topic]!, sequence: m.sequence, logTime: m.logTime,
                publishTime: m.publishTime,
                payload: m.data)
            if i == 1_000 {
                try writer.flush()
                try writer.addAttachment(
                    MCAPAttachment(
                        logTime: m.logTime, createTime: 0, name: "zone.toml", mediaType: "application/toml",
                        data: [1, 2, 3]))
            }
        }
        try writer.finish()

        let output = try InteropPython.helper(["read", path])
        let read = try Self.decoder.decode(PythonRead.self, from: output)
        let topicByID = Dictionary(uniqueKeysWithValues: read.channels.map { ($0.id, $0.topic) })
        #expect(read.messages.count == messages.count)
        for (theirs, ours) in zip(read.messages, messages) {
            #expect(topicByID[theirs.channelId] == ours.topic)
            #expect(theirs.sequence == ours.sequence)
            #expect(theirs.logTime == ours.logTime)
            #expect(theirs.publishTime == ours.publishTime)
            #expect(theirs.data == hexString(ours.data))
        }
        // Python's indexed reader returns the same messages in log-time order.
        #expect(zip(read.indexed, read.indexed.dropFirst()).allSatisfy { $0.logTime <= $1.logTime })
        let key = { (m: PythonMessage) in "\(m.logTime) \(m.channelId) \(m.data)" }
        #expect(read.indexed.map(key).sorted() == read.messages.map(key).sorted())

        #expect(Set(read.channels.map(\.messageEncoding)) == ["cv2x-uper", "jt808"])
        #expect(read.channels.allSatisfy { $0.schemaId == 0 })
        let stats = try #require(read.statistics)
        #expect(stats.messageCount == UInt64(messages.count))
        #expect(stats.channelCount == 3)
        #expect(stats.metadataCount == 1)
        #expect(stats.attachmentCount == 1)
        #expect(stats.messageStartTime == messages.map(\.logTime).min())
        #expect(stats.messageEndTime == messages.map(\.logTime).max())
        #expect(stats.channelMessageCounts.values.reduce(0, +) == UInt64(messages.count))
        #expect(read.chunkCompressions == [compression.rawValue])
        #expect(read.metadata.map(\.name) == ["testzone"])
        #expect(read.summaryMetadata.first?.metadata == ["zone": "Jiading", "version": "0.1.0"])
        #expect(read.attachments.first?.data == "010203")
        #expect(read.summaryAttachments == ["zone.toml"])
    }

    struct PythonCase: CustomTestStringConvertible, Sendable {
        var compression: MCAPCompression
        var summary: Bool
        var chunking: Bool = true
        var testDescription: String {
            "\(compression), \(summary ? "with" : "without") summary\(chunking ? "" : ", unchunked")"
        }
    }

    static let pythonCases: [PythonCase] =
        MCAPCompression.allCases.flatMap { c in
            [PythonCase(compression: c, summary: true), PythonCase(compression: c, summary: false)]
        }
        + [PythonCase(compression: .none, summary: true, chunking: false)]

    @Test("files Python mcap writes are read by TestZone", arguments: pythonCases)
    func weReadPythonFiles(_ c: PythonCase) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("python.mcap")
        var arguments = ["write", path, "--compression", c.compression.description, "--count", "1500"]
        if !c.summary { arguments.append("--no-summary") }
        if !c.chunking { arguments.append("--no-chunking") }
        let written = try Self.decoder.decode(PythonWrite.self, from: InteropPython.helper(arguments))

        let reader = try MCAPReader(path: path)
        #expect(reader.header?.library == "mcap-interop")
        #expect((reader.summary != nil) == c.summary)

        // Streaming, file order: every message, every CRC (data section CRC included) checked.
        var streamed: [PythonMessage] = []
        var topics: [UInt16: String] = [:]
        let warnings = reader.forEachMessage(MCAPQuery(order: .file)) { m, cursor in
            topics[m.channelID] = cursor.channel(m.channelID)?.topic
            streamed.append(
                PythonMessage(
                    channelId: m.channelID, sequence: m.sequence, logTime: m.logTime,
                    publishTime: m.publishTime,
                    data: hexString([UInt8](m.payload))))
        }
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(streamed == written.messages)
        #expect(Set(topics.values) == Set(written.topics))

        // Indexed, log-time order (summary when present, scan otherwise).
        var indexed: [PythonMessage] = []
        let indexedWarnings = reader.forEachMessage(MCAPQuery()) { m, _ in
            indexed.append(
                PythonMessage(
                    channelId: m.channelID, sequence: m.sequence, logTime: m.logTime,
                    publishTime: m.publishTime,
                    data: hexString([UInt8](m.payload))))
        }
        #expect(indexedWarnings.isEmpty, "\(indexedWarnings)")
        let expected = written.messages.enumerated().sorted {
            $0.element.logTime != $1.element.logTime
                ? $0.element.logTime < $1.element.logTime : $0.offset < $1.offset
        }.map(\.element)
        #expect(indexed == expected)

        // Topic filter on the indexed path resolves channels defined inside chunks too.
        let jt808 = reader.readMessages(MCAPQuery(topicPrefixes: ["jt808/"])).messages
        #expect(
            jt808.count
                == written.messages.filter { topics[$0.channelId]?.hasPrefix("jt808/") == true }.count)

        #expect(reader.metadata().first?.entries == ["zone": "interop", "version": "python"])
        #expect(reader.attachments().first?.data == Array("drive notes".utf8))
        #expect(reader.scanFile().warnings.isEmpty)
    }
}
