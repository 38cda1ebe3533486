import JT808
import Testing

@Suite struct FramerTests {
    /// 20 content bytes (header-sized and more) with a chosen byte at `position`; the check code
    /// is the XOR of the content. Position 20 means "the check code itself is `value`".
    static func content(special value: UInt8, at position: Int) -> [UInt8] {
        var content = (0..<20).map { UInt8(0x10 + $0) }
        if position < content.count {
            content[position] = value
        } else {
            // Adjust the last content byte so that the check code becomes `value`.
            let rest = JT808Escaping.checkCode(content.dropLast())
            content[content.count - 1] = rest ^ value
        }
        return content
    }

    @Test(arguments: [UInt8(0x7E), 0x7D])
    func escapingAtEveryPositionIncludingCheckCode(value: UInt8) throws {
        for position in 0...20 {
            let content = Self.content(special: value, at: position)
            let wire = JT808Escaping.frame(content)
            #expect(wire.count == content.count + 1 + 2 + 1, "one escaped byte at \(position)")
            #expect(
                wire.dropFirst().dropLast().allSatisfy { $0 != 0x7E }, "no bare flag inside at \(position)")
            let log = JT808Framer.run([wire])
            #expect(log.errors.isEmpty, "position \(position): \(log.errors)")
            try #require(log.packets.count == 1)
            #expect(log.packets[0].content == content, "position \(position)")
        }
    }

    @Test func escapedBytesEverywhereAtOnce() throws {
        let content: [UInt8] = [
            0x7E, 0x7D, 0x7E, 0x7E, 0x7D, 0x7D, 0x01, 0x02, 0x7D, 0x02, 0x7E, 0x01, 0x00, 0x7E,
        ]
        let wire = JT808Escaping.frame(content)
        let log = JT808Framer.run([wire])
        try #require(log.packets.count == 1)
        #expect(log.packets[0].content == content)
    }

    @Test func packetSplitAtEveryByteBoundary() throws {
        let first = try Samples.locationPacket(serial: 1).encoded()
        let second = try Samples.locationPacket(serial: 2).encoded()
        let stream = first + second
        for split in 0...stream.count {
            let log = JT808Framer.run([Array(stream[..<split]), Array(stream[split...])])
            #expect(log.errors.isEmpty, "split at \(split)")
            #expect(log.packets.map(\.offset) == [0, first.count], "split at \(split)")
            let serials = try log.packets.map { try JT808Packet(decoding: $0.content).header.serial }
            #expect(serials == [1, 2], "split at \(split)")
        }
        // One byte per chunk.
        let log = JT808Framer.run(stream.map { [$0] })
        #expect(log.packets.count == 2 && log.errors.isEmpty)
    }

    @Test func splitInsideEscapeSequence() throws {
        let content = Self.content(special: 0x7E, at: 5)
        let wire = JT808Escaping.frame(content)
        let escapeIndex = try #require(wire.firstIndex(of: 0x7D))
        let log = JT808Framer.run([Array(wire[...escapeIndex]), Array(wire[(escapeIndex + 1)...])])
        #expect(log.packets.map(\.content) == [content])
    }

    @Test func severalPacketsInOneChunk() throws {
        let packets = try (1...5).map { try Samples.locationPacket(serial: UInt16($0)).encoded() }
        let log = JT808Framer.run([packets.flatMap { $0 }])
        #expect(log.errors.isEmpty)
        let serials = try log.packets.map { try JT808Packet(decoding: $0.content).header.serial }
        #expect(serials == [1, 2, 3, 4, 5])
    }

    @Test func sharedFlagBetweenPackets() throws {
        // Some terminals send "7E p1 7E p2 7E": the closing flag also opens the next packet.
        let first = try Samples.locationPacket(serial: 1).encoded()
        let second = try Samples.locationPacket(serial: 2).encoded()
        let log = JT808Framer.run([first + second.dropFirst()])
        #expect(log.errors.isEmpty)
        #expect(log.packets.count == 2)
    }

    @Test func garbageBetweenPacketsResyncsOnNextFlag() throws {
        let first = try Samples.locationPacket(serial: 1).encoded()
        let second = try Samples.locationPacket(serial: 2).encoded()
        let garbage: [UInt8] = [
            0x01, 0x02, 0x03, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x40, 0x42,
        ]
        let log = JT808Framer.run([garbage + first + garbage + second + garbage])
        let serials = try log.packets.map { try JT808Packet(decoding: $0.content).header.serial }
        #expect(serials == [1, 2])
        // Leading garbage is reported as discarded bytes; the garbage between packets forms one bad
        // frame (between the closing flag of packet 1 and the opening flag of packet 2); trailing
        // garbage after the last flag is an unterminated frame at the end of the stream.
        #expect(log.errors.count == 3)
        #expect(log.errors[0] == JT808Error(offset: 0, reason: .discardedBytes(count: garbage.count)))
        #expect(log.errors[1].offset == garbage.count + first.count - 1)
        if case .badCheckCode = log.errors[1].reason {
        } else {
            Issue.record("expected bad check code: \(log.errors[1])")
        }
        #expect(log.errors[2].reason == .unterminatedPacket(length: garbage.count))
    }

    @Test func badCheckCodeIsReportedAndNextPacketStillDecodes() throws {
        var bad = try Samples.locationPacket(serial: 1).encoded()
        bad[10] ^= 0x01
        let good = try Samples.locationPacket(serial: 2).encoded()
        let log = JT808Framer.run([bad + good])
        #expect(log.packets.count == 1)
        try #require(log.errors.count == 1)
        guard case .badCheckCode(let received, let computed) = log.errors[0].reason else {
            Issue.record("wrong reason \(log.errors[0])")
            return
        }
        #expect(received ^ computed == 0x01)
        #expect(log.errors[0].offset == 0)
    }

    @Test func badCheckCodeThatIsEscaped() throws {
        var content = Self.content(special: 0x7E, at: 20)
        let wire = JT808Escaping.frame(content)
        content[0] ^= 0xFF
        var corrupted = wire
        corrupted[1] ^= 0xFF
        let log = JT808Framer.run([corrupted])
        #expect(log.packets.isEmpty)
        #expect(log.errors.first?.reason == .badCheckCode(received: 0x7E, computed: 0x7E ^ 0xFF))
    }

    @Test func invalidEscapeDropsTheFrame() throws {
        let wire: [UInt8] = [0x7E, 0x00, 0x02, 0x7D, 0x03] + [UInt8](repeating: 0, count: 12) + [0x7E]
        let log = JT808Framer.run([wire])
        #expect(log.packets.isEmpty)
        #expect(log.errors == [JT808Error(offset: 3, reason: .invalidEscape(following: 0x03))])
        let endsInEscape: [UInt8] = [0x7E] + [UInt8](repeating: 0, count: 14) + [0x7D, 0x7E]
        let second = JT808Framer.run([endsInEscape])
        #expect(second.errors == [JT808Error(offset: 15, reason: .invalidEscape(following: 0x7E))])
    }

    @Test func oversizePacketIsDroppedWithClearError() throws {
        let big = JT808Escaping.frame([UInt8](repeating: 0x20, count: 200))
        let good = try Samples.locationPacket().encoded()
        let log = JT808Framer.run([big + good], maximumPacketLength: 100)
        #expect(log.packets.count == 1)
        #expect(log.errors == [JT808Error(offset: 0, reason: .packetTooLarge(length: 201, limit: 100))])
        #expect(log.errors[0].description.contains("exceeds the 100-byte limit"))
    }

    @Test func shortFramesAndEmptyFrames() {
        let log = JT808Framer.run([[0x7E, 0x7E, 0x7E, 0x01, 0x02, 0x03, 0x7E]])
        #expect(log.packets.isEmpty)
        #expect(log.errors == [JT808Error(offset: 2, reason: .packetTooShort(length: 3))])
    }

    @Test func unterminatedPacketAtEndOfStream() throws {
        let wire = try Samples.locationPacket().encoded()
        let log = JT808Framer.run([Array(wire.dropLast())])
        #expect(log.packets.isEmpty)
        #expect(log.errors.count == 1)
        if case .unterminatedPacket = log.errors[0].reason {} else { Issue.record("\(log.errors)") }
    }

    @Test func framerStreamOffsetsAccumulateAcrossChunks() throws {
        let wire = try Samples.locationPacket().encoded()
        var framer = JT808Framer()
        var offsets: [Int] = []
        for _ in 0..<3 {
            framer.append(wire) { event in
                if case .packet(_, let offset) = event { offsets.append(offset) }
            }
        }
        #expect(offsets == [0, wire.count, 2 * wire.count])
        #expect(framer.streamOffset == 3 * wire.count)
    }

    @Test func framedInitializerDecodesOnePacket() throws {
        let packet = Samples.locationPacket()
        #expect(try JT808Packet(framed: packet.encoded()) == packet)
        var bad = try packet.encoded()
        bad[bad.count - 2] ^= 1
        #expect(throws: JT808Error.self) { try JT808Packet(framed: bad) }
    }
}
