import Foundation
import Recording
import Testing

@Suite("MCAP writer and reader")
struct WriterReaderTests {
    @Test("CRC-32 matches the ISO-HDLC check value")
    func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var crc = CRC32()
        crc.update(Array("12345".utf8))
        crc.update(Array("6789".utf8))
        #expect(crc.value == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test("round trip in file order and log-time order", arguments: MCAPCompression.allCases)
    func roundTrip(compression: MCAPCompression) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("round.mcap")
        let messages = Samples.messages(count: 3_000)
        try Samples.write(messages, to: path, options: .init(compression: compression, chunkSize: 16 * 1024))

        let reader = try MCAPReader(path: path)
        #expect(reader.header?.library == "testzone-recording")
        let (inFileOrder, warnings) = Samples.read(reader)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(inFileOrder == messages)

        let (inTimeOrder, indexedWarnings) = Samples.read(reader, MCAPQuery())
        #expect(indexedWarnings.isEmpty, "\(indexedWarnings)")
        #expect(inTimeOrder == Samples.logTimeOrdered(messages))

        let summary = try #require(reader.summary)
        let stats = try #require(summary.statistics)
        #expect(stats.messageCount == UInt64(messages.count))
        #expect(stats.channelCount == 3)
        #expect(stats.metadataCount == 1)
        #expect(Int(stats.chunkCount) == summary.chunkIndexes.count)
        #expect(summary.chunkIndexes.count > 5)
        #expect(summary.chunkIndexes.allSatisfy { $0.compression == compression.rawValue })
        #expect(stats.messageStartTime == messages.map(\.logTime).min())
        #expect(stats.messageEndTime == messages.map(\.logTime).max())
        for (id, channel) in summary.channels {
            let expected = messages.filter { $0.topic == channel.topic }.count
            #expect(stats.channelMessageCounts[id] == UInt64(expected))
            #expect(channel.schemaID == 0)
        }
        #expect(
            reader.metadata() == [
                MCAPMetadata(name: "testzone", entries: ["zone": "test", "version": "0.1.0"])
            ])
    }

    @Test("chunks of one file may use different compressions (chunkCompression); no data-section CRC")
    func mixedChunkCompression() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("mixed.mcap")
        let messages = Samples.messages(count: 3_000)
        let writer = try MCAPWriter(
            path: path, options: .init(compression: .lz4, chunkSize: 16 * 1024, dataSectionCRC: false))
        var channelIDs: [String: UInt16] = [:]
        for (topic, encoding) in zip(Samples.topics, Samples.encodings) {
            channelIDs[topic] = try writer.addChannel(topic: topic, messageEncoding: encoding)
        }
        let cycle: [MCAPCompression] = [.lz4, .none, .zstd]
        for (i, message) in messages.enumerated() {
            writer.chunkCompression = cycle[(i / 500) % cycle.count]
            try writer.write(
                channelID: try #require(channelIDs[message.topic]), sequence: message.sequence,
                logTime: message.logTime, publishTime: message.publishTime, payload: message.data)
        }
        try writer.finish()

        let reader = try MCAPReader(path: path)
        let (inFileOrder, warnings) = Samples.read(reader)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(inFileOrder == messages)
        let (inTimeOrder, indexedWarnings) = Samples.read(reader, MCAPQuery())
        #expect(indexedWarnings.isEmpty, "\(indexedWarnings)")
        #expect(inTimeOrder == Samples.logTimeOrdered(messages))
        let used = Set(try #require(reader.summary).chunkIndexes.map(\.compression))
        #expect(used == ["lz4", "", "zstd"])
    }

    @Test("time range and topic filters")
    func filters() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("filter.mcap")
        let messages = Samples.messages(count: 2_000, seed: 7)
        try Samples.write(messages, to: path, options: .init(compression: .zstd, chunkSize: 8 * 1024))
        let reader = try MCAPReader(path: path)

        let start = Samples.baseTime + 500_000_000
        let end = Samples.baseTime + 1_200_000_000
        let query = MCAPQuery(startTime: start, endTime: end, topicPrefixes: ["cv2x/"])
        let expected = Samples.logTimeOrdered(messages).filter {
            $0.logTime >= start && $0.logTime < end && $0.topic.hasPrefix("cv2x/")
        }
        let (indexed, warnings) = Samples.read(reader, query)
        #expect(warnings.isEmpty)
        #expect(indexed == expected)

        var streamingQuery = query
        streamingQuery.order = .file
        let (streamed, _) = Samples.read(reader, streamingQuery)
        #expect(
            streamed
                == messages.filter { $0.logTime >= start && $0.logTime < end && $0.topic.hasPrefix("cv2x/") })

        let exact = MCAPQuery(topics: ["jt808/013800000001"])
        #expect(
            Samples.read(reader, exact).0
                == Samples.logTimeOrdered(messages).filter { $0.topic.hasPrefix("jt808/") })
    }

    @Test("log-time order across chunks whose time ranges overlap")
    func overlappingChunks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("overlap.mcap")
        // Two interleaved sources whose clocks differ by 50 ms: chunks overlap in time.
        var messages: [SampleMessage] = []
        for i in 0..<4_000 {
            let late = i % 2 == 1
            let t = Samples.baseTime + UInt64(i / 2) * 1_000_000 + (late ? 0 : 50_000_000)
            messages.append(
                SampleMessage(
                    topic: Samples.topics[i % 2], sequence: UInt32(i), logTime: t, publishTime: t,
                    data: [UInt8(i & 0xFF)]))
        }
        try Samples.write(messages, to: path, options: .init(compression: .lz4, chunkSize: 2_048))
        let reader = try MCAPReader(path: path)
        let (ordered, warnings) = Samples.read(reader, MCAPQuery())
        #expect(warnings.isEmpty)
        #expect(ordered == Samples.logTimeOrdered(messages))
    }

    @Test("attachments and metadata are written, indexed and CRC-checked")
    func attachments() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("attach.mcap")
        let writer = try MCAPWriter(path: path, options: .init(compression: .none))
        let channel = try writer.addChannel(topic: "cv2x/RSU-0001", messageEncoding: "cv2x-uper")
        try writer.write(channelID: channel, logTime: 10, publishTime: 9, payload: [1, 2, 3])
        let attachment = MCAPAttachment(
            logTime: 11, createTime: 12, name: "zone.toml", mediaType: "application/toml",
            data: Array("x = 1".utf8))
        try writer.addAttachment(attachment)
        try writer.addMetadata(
            MCAPMetadata(name: "testzone", entries: ["zone": "Jiading", "version": "0.1.0"]))
        try writer.finish()

        let reader = try MCAPReader(path: path)
        #expect(reader.attachments() == [attachment])
        #expect(reader.metadata().first?.entries["zone"] == "Jiading")
        #expect(reader.summary?.attachmentIndexes.first?.name == "zone.toml")
        let scan = reader.scanFile()
        #expect(scan.warnings.isEmpty, "\(scan.warnings)")
        #expect(scan.attachments == [attachment])
        #expect(scan.messageCount == 1)
        #expect(scan.footerFound && scan.dataEndFound)

        // Flip one attachment byte: the streaming pass reports the CRC mismatch.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let index = try #require(reader.summary?.attachmentIndexes.first)
        bytes[Int(index.offset) + 9 + 8 + 8 + 4 + 9 + 4 + 16 + 8] ^= 0xFF
        let corrupt = try MCAPReader(bytes: bytes)
        #expect(
            corrupt.scanFile().warnings.contains {
                if case .attachmentCRCMismatch = $0 { true } else { false }
            })
    }

    @Test("flush closes the open chunk and makes everything so far readable")
    func flushMakesDataDurable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("flush.mcap")
        let messages = Samples.messages(count: 250)
        let writer = try Samples.write(
            messages, to: path, options: .init(compression: .zstd), finish: false, flushEvery: 100)
        #expect(writer.openChunkBytes > 0)  // 50 messages since the last flush are in memory

        // Read the file as it is on disk now (as after a crash): the 200 flushed messages.
        let reader = try MCAPReader(path: path)
        let (read, warnings) = Samples.read(reader)
        #expect(read == Array(messages.prefix(200)))
        #expect(warnings == [.noFooter(fileSize: reader.fileSize)])
        #expect(warnings.first?.description.hasPrefix("no summary: footer missing") == true)
        let (indexed, indexedWarnings) = Samples.read(reader, MCAPQuery())
        #expect(indexed == Samples.logTimeOrdered(Array(messages.prefix(200))))
        #expect(indexedWarnings.contains(.noFooter(fileSize: reader.fileSize)))

        try writer.finish()
        let complete = try MCAPReader(path: path)
        #expect(Samples.read(complete).0 == messages)
    }

    @Test("writer misuse is reported, not trapped")
    func writerErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let writer = try MCAPWriter(path: dir.path("misuse.mcap"))
        #expect(throws: MCAPError.unknownChannel(7)) {
            try writer.write(channelID: 7, logTime: 0, publishTime: 0, payload: [])
        }
        #expect(throws: MCAPError.unknownSchema(3)) {
            try writer.addChannel(topic: "x", messageEncoding: "json", schemaID: 3)
        }
        try writer.finish()
        #expect(throws: MCAPError.writerFinished) { try writer.flush() }
        #expect(throws: MCAPError.self) { try MCAPWriter(path: dir.path("missing/dir/x.mcap")) }
    }

    @Test("foreign and empty files")
    func notMCAP() throws {
        #expect(throws: MCAPError.notMCAP(path: "<memory>")) {
            try MCAPReader(bytes: Array("hello world".utf8))
        }
        let empty = try MCAPReader(bytes: [])
        let (messages, warnings) = Samples.read(empty)
        #expect(messages.isEmpty)
        #expect(!warnings.isEmpty)
        #expect(throws: MCAPError.self) { try MCAPReader(path: "/nonexistent/file.mcap") }
    }

    @Test("schemas are written and read back")
    func schemas() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("schema.mcap")
        let writer = try MCAPWriter(path: path, options: .init(compression: .none))
        let schema = try writer.addSchema(name: "Point", encoding: "jsonschema", data: Array("{}".utf8))
        let channel = try writer.addChannel(
            topic: "points", messageEncoding: "json", schemaID: schema, metadata: ["unit": "m"])
        try writer.write(channelID: channel, logTime: 1, publishTime: 1, payload: Array("{\"x\":1}".utf8))
        try writer.finish()
        let reader = try MCAPReader(path: path)
        #expect(
            reader.summary?.schemas[schema]
                == MCAPSchema(id: schema, name: "Point", encoding: "jsonschema", data: Array("{}".utf8)))
        #expect(reader.summary?.channels[channel]?.metadata == ["unit": "m"])
        let cursor = reader.makeCursor(MCAPQuery(order: .file))
        let message = try #require(cursor.next())
        #expect(cursor.schema(schema)?.name == "Point")
        #expect(message.copy().data == Array("{\"x\":1}".utf8))
        #expect(cursor.next() == nil)
    }

    /// Layouts of the writer's optional parts: chunked or not, every optional part on or off.
    static let layouts: [(chunked: Bool, parts: MCAPWriter.OptionalParts)] = {
        var result: [(Bool, MCAPWriter.OptionalParts)] = []
        let singles: [MCAPWriter.OptionalParts] = [
            .messageIndexes, .chunkIndexes, .attachmentIndexes, .metadataIndexes, .statistics,
            .repeatedSchemas,
            .repeatedChannels, .summaryOffsets,
        ]
        for chunked in [true, false] {
            result.append((chunked, .all))
            result.append((chunked, []))
            for part in singles {
                result.append((chunked, .all.subtracting(part)))  // all but one
                result.append((chunked, part))  // only one
            }
        }
        return result
    }()

    @Test(
        "every layout the writer can produce (chunked or not, any optional part left out) reads back in both modes"
    )
    func optionalParts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let messages = Samples.messages(count: 1_200, seed: 7)
        for (i, layout) in Self.layouts.enumerated() {
            let path = dir.path("layout-\(i).mcap")
            let writer = try Samples.write(
                messages, to: path,
                options: .init(
                    compression: .lz4, chunkSize: 4_096, chunked: layout.chunked, parts: layout.parts),
                finish: false)
            try writer.addAttachment(
                MCAPAttachment(
                    logTime: 1, createTime: 2, name: "zone.toml", mediaType: "application/toml", data: [1]))
            try writer.finish()
            let reader = try MCAPReader(path: path)
            let label = "chunked \(layout.chunked), parts \(layout.parts.rawValue)"
            #expect(reader.summaryWarnings.isEmpty, "\(label)")
            let (streamed, streamWarnings) = Samples.read(reader)
            #expect(streamed == messages && streamWarnings.isEmpty, "\(label): \(streamWarnings)")
            let (indexed, indexWarnings) = Samples.read(reader, MCAPQuery())
            #expect(
                indexed == Samples.logTimeOrdered(messages) && indexWarnings.isEmpty,
                "\(label): \(indexWarnings)")
            let (jt808, _) = Samples.read(reader, MCAPQuery(topicPrefixes: ["jt808/"]))
            #expect(
                jt808 == Samples.logTimeOrdered(messages).filter { $0.topic.hasPrefix("jt808/") }, "\(label)")
            #expect(reader.metadata().map(\.name) == ["testzone"], "\(label)")
            #expect(reader.attachments().map(\.name) == ["zone.toml"], "\(label)")
            #expect(reader.scanFile().warnings.isEmpty, "\(label)")
            // Message indexes live in the data section; summary offsets only point at other
            // groups; the samples have no schema (an empty group is not written).
            var summaryParts = layout.parts.subtracting([.messageIndexes, .summaryOffsets, .repeatedSchemas])
            if !layout.chunked { summaryParts.remove(.chunkIndexes) }
            #expect(reader.hasSummarySection == !summaryParts.isEmpty, "\(label)")
        }
    }
}
