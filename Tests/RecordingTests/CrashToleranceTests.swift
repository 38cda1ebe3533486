import Foundation
import Recording
import Testing

@Suite("Reading cut and corrupt recordings")
struct CrashToleranceTests {
    /// Writes a finished recording and returns its bytes and, per chunk, (end offset, messages).
    private func recording(_ compression: MCAPCompression, count: Int = 300) throws -> (
        bytes: [UInt8], messages: [SampleMessage], chunks: [(end: UInt64, count: Int, offset: UInt64)]
    ) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("cut.mcap")
        let messages = Samples.messages(count: count, seed: 3)
        try Samples.write(messages, to: path, options: .init(compression: compression, chunkSize: 1_500))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try MCAPReader(bytes: bytes)
        let scan = reader.scanFile()
        let indexes = try #require(reader.summary?.chunkIndexes)
        #expect(scan.chunks.count == indexes.count)
        let chunks = zip(indexes, scan.chunks).map { index, chunk in
            (
                end: index.chunkStartOffset + index.chunkLength, count: chunk.messageCount,
                offset: index.chunkStartOffset
            )
        }
        #expect(chunks.map(\.count).reduce(0, +) == count)
        return (bytes, messages, chunks)
    }

    @Test(
        "a recording cut at any byte yields exactly the messages of the complete chunks before the cut",
        arguments: MCAPCompression.allCases)
    func cutAnywhere(compression: MCAPCompression) throws {
        let (bytes, messages, chunks) = try recording(compression)
        var cuts = Set(0..<min(bytes.count, 200))
        cuts.formUnion(stride(from: 0, to: bytes.count, by: 13))
        for chunk in chunks {
            cuts.formUnion([Int(chunk.end) - 1, Int(chunk.end), Int(chunk.end) + 1, Int(chunk.offset) + 40])
        }
        cuts.formUnion(max(0, bytes.count - 400)...bytes.count)

        for cut in cuts.sorted() where cut <= bytes.count {
            let prefix = Array(bytes[0..<cut])
            let expectedCount = chunks.filter { $0.end <= UInt64(cut) }.map(\.count).reduce(0, +)
            let expected = Array(messages.prefix(expectedCount))
            let reader = try MCAPReader(bytes: prefix)
            let (streamed, warnings) = Samples.read(reader)
            #expect(streamed == expected, "cut at \(cut)")
            if cut < bytes.count {
                #expect(!warnings.isEmpty, "cut at \(cut) gave no warning")
            } else {
                #expect(warnings.isEmpty)
            }
            let (indexed, _) = Samples.read(reader, MCAPQuery())
            #expect(indexed == Samples.logTimeOrdered(expected), "indexed, cut at \(cut)")
        }
    }

    @Test("the warning for a cut chunk gives its offset and what was lost")
    func cutChunkWarning() throws {
        let (bytes, _, chunks) = try recording(.none)
        let chunk = chunks[2]
        let cut = Int(chunk.end) - 5
        let reader = try MCAPReader(bytes: Array(bytes[0..<cut]))
        let (read, warnings) = Samples.read(reader)
        #expect(read.count == chunks[0].count + chunks[1].count)
        let first = try #require(warnings.first)
        // Uncompressed: every message but the last one, which is cut, is still countable.
        #expect(first == .truncated(offset: chunk.offset, opcode: 0x06, lostMessages: chunk.count - 1))
        #expect(
            first.description
                == "file ends inside chunk at offset \(chunk.offset): its \(chunk.count - 1) or more messages are lost"
        )
        #expect(warnings.last?.description.hasPrefix("no summary: footer missing") == true)
    }

    @Test(
        "a corrupt chunk is reported with its offset and skipped; the rest is read",
        arguments: MCAPCompression.allCases)
    func corruptChunk(compression: MCAPCompression) throws {
        let (bytes, messages, chunks) = try recording(compression)
        let victim = 3
        let chunk = chunks[victim]
        var corrupt = bytes
        // Flip a byte in the middle of the chunk's (compressed) records.
        let middle = Int(chunk.offset) + (Int(chunk.end) - Int(chunk.offset)) / 2 + 20
        corrupt[middle] ^= 0x5A
        let before = chunks[0..<victim].map(\.count).reduce(0, +)
        let expected = Array(messages[0..<before] + messages[(before + chunk.count)...])

        let reader = try MCAPReader(bytes: corrupt)
        let (streamed, warnings) = Samples.read(reader)
        #expect(streamed == expected)
        let report = try #require(warnings.first)
        guard case .corruptChunk(let offset, _, let lost) = report else {
            Issue.record("expected a corrupt-chunk warning, got \(warnings)")
            return
        }
        #expect(offset == chunk.offset)
        #expect(lost == chunk.count)
        #expect(report.description.hasPrefix("corrupt chunk at offset \(chunk.offset): "))
        #expect(warnings.contains { if case .dataSectionCRCMismatch = $0 { true } else { false } })

        let (indexed, indexedWarnings) = Samples.read(reader, MCAPQuery())
        #expect(indexed == Samples.logTimeOrdered(expected))
        #expect(
            indexedWarnings.contains {
                if case .corruptChunk(chunk.offset, _, chunk.count) = $0 { true } else { false }
            })
    }

    @Test("a corrupt chunk header is skipped too")
    func corruptChunkHeader() throws {
        let (bytes, messages, chunks) = try recording(.zstd)
        var corrupt = bytes
        // The compression string length (after opcode, length, times, size, crc) made huge.
        let at = Int(chunks[1].offset) + 9 + 8 + 8 + 8 + 4
        corrupt[at + 3] = 0x7F
        let reader = try MCAPReader(bytes: corrupt)
        let (streamed, warnings) = Samples.read(reader)
        let expected = Array(messages[0..<chunks[0].count] + messages[(chunks[0].count + chunks[1].count)...])
        #expect(streamed == expected)
        #expect(
            warnings.contains { if case .corruptChunk(chunks[1].offset, _, _) = $0 { true } else { false } })
    }

    @Test("a corrupt summary is ignored and the data section scanned")
    func corruptSummary() throws {
        let (bytes, messages, _) = try recording(.lz4)
        let reader = try MCAPReader(bytes: bytes)
        let summaryStart = try #require(reader.footer?.summaryStart)
        var corrupt = bytes
        corrupt[Int(summaryStart) + 12] ^= 0xFF
        let damaged = try MCAPReader(bytes: corrupt)
        #expect(damaged.summary == nil)
        let (indexed, warnings) = Samples.read(damaged, MCAPQuery())
        #expect(indexed == Samples.logTimeOrdered(messages))
        #expect(warnings.contains { if case .summaryCRCMismatch = $0 { true } else { false } })
    }

    @Test("random garbage never crashes the reader")
    func garbage() throws {
        let (bytes, _, _) = try recording(.zstd, count: 120)
        var state: UInt64 = 99
        for _ in 0..<300 {
            var mutated = bytes
            for _ in 0..<4 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                let position = 8 + Int((state >> 33) % UInt64(bytes.count - 8))
                mutated[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            let reader = try MCAPReader(bytes: mutated)
            _ = Samples.read(reader)
            _ = Samples.read(reader, MCAPQuery())
            _ = reader.scanFile()
            _ = reader.metadata()
            _ = reader.attachments()
        }
    }
}
